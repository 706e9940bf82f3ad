package media

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// signal is a known test voice: two tones (different per talker) at a
// syllable rate of 4 Hz, loud enough for FR to code well.
func signal(talker int, i int) int16 {
	t := float64(i) / 8000
	f1, f2 := 310.0+90*float64(talker), 1150.0+230*float64(talker)
	env := 0.55 + 0.45*math.Sin(2*math.Pi*4*t+float64(talker))
	v := 6000 * env * (math.Sin(2*math.Pi*f1*t) + 0.6*math.Sin(2*math.Pi*f2*t))
	return int16(v)
}

// phone is the air side of a session: it FR-encodes its talker's signal
// into the port's uplink and decodes what the port's downlink brings.
type phone struct {
	talker int
	port   *rsl.SpeechPort
	enc    fr.Encoder
	dec    fr.Decoder
	n      int
	heard  []int16
}

func (p *phone) speak() {
	var pcm [fr.FrameSamples]int16
	for k := range pcm {
		pcm[k] = signal(p.talker, p.n*fr.FrameSamples+k)
	}
	p.n++
	var g [fr.FrameSize]byte
	p.enc.Encode(&g, &pcm)
	var f rsl.SpeechFrame
	if err := coding.FRFromRTP(&f.Bits, g[:]); err != nil {
		panic(err)
	}
	p.port.Up.Put(&f)
}

func (p *phone) listen() {
	var f rsl.SpeechFrame
	for p.port.Down.Get(&f) {
		var g [fr.FrameSize]byte
		coding.FRToRTP(&g, &f.Bits)
		var pcm [fr.FrameSamples]int16
		p.dec.Decode(&pcm, &g)
		p.heard = append(p.heard, pcm[:]...)
	}
}

// match compares what was heard with the talker's signal: for each
// 0.25 s segment after the first second, the best normalised correlation
// over a lag of up to 1 s; it returns the median over segments.
func match(heard []int16, talker int) float64 {
	m, _ := matchLag(heard, talker)
	return m
}

// matchLag is match, with the median lag (the path's delay in samples,
// counted from when the phone spoke to when the other phone heard).
func matchLag(heard []int16, talker int) (float64, int) {
	const seg, maxLag = 2000, 4800
	corr := func(start, lag, step int) float64 {
		var xy, xx, yy float64
		for k := 0; k < seg; k += step {
			x := float64(heard[start+k])
			y := float64(signal(talker, start+k-lag))
			xy += x * y
			xx += x * x
			yy += y * y
		}
		if xx == 0 || yy == 0 {
			return 0
		}
		return xy / math.Sqrt(xx*yy)
	}
	var scores []float64
	var lags []int
	for start := 8000; start+seg <= len(heard); start += seg {
		// Coarse, then fine around the best coarse lag.
		bestLag, best := 0, -1.0
		for lag := 0; lag <= maxLag && lag <= start; lag += 4 {
			if c := corr(start, lag, 8); c > best {
				best, bestLag = c, lag
			}
		}
		best = 0
		fine := bestLag
		for lag := max(bestLag-4, 0); lag <= bestLag+4 && lag <= start; lag++ {
			if c := corr(start, lag, 1); c > best {
				best, fine = c, lag
			}
		}
		scores = append(scores, best)
		lags = append(lags, fine)
	}
	if len(scores) == 0 {
		return 0, 0
	}
	slices.Sort(scores)
	slices.Sort(lags)
	return scores[len(scores)/2], lags[len(lags)/2]
}

// impair is a UDP relay between two sessions that loses, delays and so
// reorders RTP: side a talks to sa, side b to sb.
type impair struct {
	sa, sb   *net.UDPConn
	mu       sync.Mutex
	rnd      *rand.Rand
	loss     float64
	jitter   time.Duration
	to       [2]netip.AddrPort
	relayed  int
	dropped  int
	wg       sync.WaitGroup
	captured [][]byte // every datagram A sent, for tshark
}

func newImpair(t *testing.T, loss float64, jitter time.Duration) *impair {
	im := &impair{rnd: rand.New(rand.NewPCG(7, 8)), loss: loss, jitter: jitter}
	var err error
	for _, c := range []**net.UDPConn{&im.sa, &im.sb} {
		if *c, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
			t.Fatal(err)
		}
	}
	return im
}

func (im *impair) start() {
	im.wg.Add(2)
	go im.run(im.sa, im.sb, 1)
	go im.run(im.sb, im.sa, 0)
}

func (im *impair) run(in, out *net.UDPConn, dst int) {
	defer im.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, _, err := in.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		pkt := bytes.Clone(buf[:n])
		im.mu.Lock()
		if dst == 1 {
			im.captured = append(im.captured, pkt) // as A sent them
		}
		drop := im.rnd.Float64() < im.loss
		d := time.Duration(im.rnd.Int64N(int64(im.jitter) + 1))
		if drop {
			im.dropped++
		} else {
			im.relayed++
		}
		to := im.to[dst]
		im.mu.Unlock()
		if drop {
			continue
		}
		time.AfterFunc(d, func() {
			out.WriteToUDPAddrPort(pkt, to)
		})
	}
}

func (im *impair) close() {
	im.sa.Close()
	im.sb.Close()
	im.wg.Wait()
}

// withPort rewrites the m=audio port of an SDP.
func withPort(sdp []byte, from, to uint16) []byte {
	return bytes.Replace(sdp, fmt.Appendf(nil, "m=audio %d ", from), fmt.Appendf(nil, "m=audio %d ", to), 1)
}

type callResult struct {
	ab, ba   float64 // A's voice heard at B, B's at A
	lagAB    int     // A's voice to B's ear, samples (median)
	wrong    float64 // A's output against A's own voice (a wrong stream)
	sa, sb   Stats
	captured [][]byte
}

// call runs a call of d between two sessions, A offering codecs ca and
// B answering with cb, each with a phone on its speech port, through an
// impaired relay.
func call(t *testing.T, ca, cb []uint8, loss float64, jitter time.Duration, d time.Duration) callResult {
	t.Helper()
	return callWith(t, ca, cb, loss, jitter, d, nil)
}

// callWith is call, with during run on A once half a second in.
func callWith(t *testing.T, ca, cb []uint8, loss float64, jitter time.Duration, d time.Duration, during func(a *Session)) callResult {
	t.Helper()
	a, err := New(Config{Addr: loopback, PortMin: 32000, PortMax: 32999, Codecs: ca})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(Config{Addr: loopback, PortMin: 32000, PortMax: 32999, Codecs: cb})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	im := newImpair(t, loss, jitter)
	defer im.close()
	im.to[0], im.to[1] = a.LocalAddr(), b.LocalAddr()
	offer, _ := a.Offer()
	answer, err := b.Answer(withPort(offer, a.LocalAddr().Port(), uint16(im.sb.LocalAddr().(*net.UDPAddr).Port)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Accept(withPort(answer, b.LocalAddr().Port(), uint16(im.sa.LocalAddr().(*net.UDPAddr).Port))); err != nil {
		t.Fatal(err)
	}
	im.start()
	pa := &phone{talker: 0, port: rsl.NewSpeechPort()}
	pb := &phone{talker: 1, port: rsl.NewSpeechPort()}
	if err := a.Start(pa.port); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(pb.port); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(Ptime)
	defer tick.Stop()
	for i := range int(d / Ptime) {
		<-tick.C
		if i == 25 && during != nil {
			during(a)
		}
		pa.speak()
		pb.speak()
		pa.listen()
		pb.listen()
	}
	time.Sleep(100 * time.Millisecond)
	im.mu.Lock()
	captured := im.captured
	im.mu.Unlock()
	ab, lag := matchLag(pb.heard, 0)
	return callResult{ab: ab, lagAB: lag, ba: match(pa.heard, 1), wrong: match(pa.heard, 0),
		sa: a.Stats(), sb: b.Stats(), captured: captured}
}

// The audio path end to end: a known signal FR-coded on A's air, through
// A's session (FR → G.711 or GSM as is), RTP over 127.0.0.1 through a
// relay that loses 3 % and delays by up to 40 ms (so reorders), B's
// jitter buffer and session (→ FR) to B's air, decoded; and back. The
// decoded speech must match the talker's signal (normalised correlation
// at the best lag, the median of 0.5 s segments), and must not match
// the other talker's: a missing or wrong stream fails.
func TestAudioPath(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time")
	}
	for _, c := range []struct {
		name        string
		cb          []uint8
		loss        float64
		jitter      time.Duration
		min         float64
		wantConceal bool
	}{
		{"PCMA clean", []uint8{rtp.PTPCMA}, 0, 0, 0.5, false},
		{"PCMU impaired", []uint8{rtp.PTPCMU}, 0.03, 40 * time.Millisecond, 0.5, true},
		{"GSM passthrough impaired", []uint8{rtp.PTGSM}, 0.03, 40 * time.Millisecond, 0.5, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, nil, c.cb, c.loss, c.jitter, 4*time.Second)
			t.Logf("match A→B %.3f, B→A %.3f, wrong stream %.3f; A's mouth to B's ear %v (ports to ports, two sessions)",
				r.ab, r.ba, r.wrong, time.Duration(r.lagAB)*time.Second/8000)
			t.Logf("A: %+v", r.sa)
			t.Logf("B: %+v", r.sb)
			if r.ab < c.min || r.ba < c.min {
				t.Errorf("speech match A→B %.3f, B→A %.3f, want ≥ %.2f", r.ab, r.ba, c.min)
			}
			if r.wrong > 0.5 {
				t.Errorf("A's output matches A's own voice %.3f: the check cannot tell streams apart", r.wrong)
			}
			if c.wantConceal && (r.sa.Concealed == 0 || r.sb.Concealed == 0) {
				t.Errorf("concealed A %d B %d with loss injected, want some", r.sa.Concealed, r.sb.Concealed)
			}
		})
	}
}
