package media

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// fakeClock is a manual clock (the shape of firmware/clock.Fake, which
// gsm/ does not import).
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	c  chan time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan time.Time, 1)
	f.waiters = append(f.waiters, fakeWaiter{f.now.Add(d), c})
	return c
}

func (f *fakeClock) waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	keep := f.waiters[:0]
	for _, w := range f.waiters {
		if !w.at.After(f.now) {
			w.c <- f.now
		} else {
			keep = append(keep, w)
		}
	}
	f.waiters = keep
	f.mu.Unlock()
}

// step waits for n loops to wait on the clock, then advances it 20 ms.
func (f *fakeClock) step(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.waiting() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d loops waiting on the clock, want %d", f.waiting(), n)
		}
		time.Sleep(100 * time.Microsecond)
	}
	f.advance(Ptime)
}

// On the injected clock, GSM passthrough is bit-exact end to end: the
// frames put on A's port come out of B's port unchanged and in order
// (substitutes may sit between them where a packet was not yet filed),
// the playout delay is the jitter buffer's minimum, and the loop ticks
// once per 20 ms of the clock.
func TestPassthroughOnFakeClock(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	cfg := Config{Addr: loopback, PortMin: 34000, PortMax: 34999, Codecs: []uint8{rtp.PTGSM}, Clock: clk}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	offer, _ := a.Offer()
	answer, err := b.Answer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Accept(answer); err != nil {
		t.Fatal(err)
	}
	pa, pb := rsl.NewSpeechPort(), rsl.NewSpeechPort()
	a.Start(pa)
	b.Start(pb)
	r := rand.New(rand.NewPCG(5, 6))
	const n = 100
	sent := make([]rsl.SpeechFrame, n)
	for i := range sent {
		for j := range sent[i].Bits {
			sent[i].Bits[j] = byte(r.IntN(2))
		}
	}
	var got []int // index of each received frame in sent, -1 for a substitute
	firstAt := -1
	var f rsl.SpeechFrame
	for i := 0; i < n+10; i++ {
		if i < n {
			pa.Up.Put(&sent[i])
		}
		clk.step(t, 2)
		time.Sleep(2 * time.Millisecond) // let the datagram reach B's reader
		for pb.Down.Get(&f) {
			k := -1
			for j := range sent {
				if sent[j].Bits == f.Bits {
					k = j
					break
				}
			}
			if k == 0 && firstAt < 0 {
				firstAt = i
			}
			got = append(got, k)
		}
	}
	last, exact := -1, 0
	for _, k := range got {
		if k < 0 || k == last {
			continue // a substitute (the first repeats the last good frame, TS 46.011 §6)
		}
		if k < last {
			t.Errorf("frame %d after frame %d", k, last)
		}
		last = k
		exact++
	}
	if exact < n-5 {
		t.Errorf("%d of %d frames came through bit-exact (%d substitutes); stats A %+v B %+v",
			exact, n, len(got)-exact, a.Stats(), b.Stats())
	}
	// Frame 0 leaves A at the tick after it was put, is filed by B, and
	// plays once JitterMin (40 ms) is buffered.
	t.Logf("frame 0 put before tick 0, out of B's port after tick %d; %d bit-exact, %d substitutes", firstAt, exact, len(got)-exact)
	if firstAt < 0 || firstAt > 4 {
		t.Errorf("frame 0 out after tick %d, want within 4 ticks (80 ms)", firstAt)
	}
	if st := a.Stats(); st.PacketsSent != n {
		t.Errorf("A sent %d packets for %d frames", st.PacketsSent, n)
	}
}
