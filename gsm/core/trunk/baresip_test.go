package trunk

import (
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/trunk/trunktest"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// cell plays the cell's side of a SpeechPort: every 20 ms an FR frame of
// a sine at hz goes up, and the frames coming down are decoded.
type cell struct {
	mu   sync.Mutex
	pcm  []int16
	stop chan struct{}
	done chan struct{}
}

func runCell(port *rsl.SpeechPort, hz float64) *cell {
	c := &cell{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		enc, dec := fr.NewEncoder(), fr.NewDecoder()
		var in, out [fr.FrameSamples]int16
		var gsm [fr.FrameSize]byte
		var f rsl.SpeechFrame
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		n := 0
		for {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			}
			for i := range in {
				in[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(n)/8000))
				n++
			}
			enc.Encode(&gsm, &in)
			var up rsl.SpeechFrame
			coding.FRFromRTP(&up.Bits, gsm[:])
			port.Up.Put(&up)
			for port.Down.Get(&f) {
				coding.FRToRTP(&gsm, &f.Bits)
				if dec.Decode(&out, &gsm) == nil {
					c.mu.Lock()
					c.pcm = append(c.pcm, out[:]...)
					c.mu.Unlock()
				}
			}
		}
	}()
	return c
}

func (c *cell) end() []int16 {
	close(c.stop)
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pcm
}

// baresip calls a DID: the trunk brings the call in for the DID's MSISDN;
// the switch (this test) rings and answers it; speech flows both ways
// (a 440 Hz tone from baresip, 1 kHz from the phone's side, each found in
// what the other side decoded); DTMF both ways; baresip's BYE ends it and
// the media's ports are freed.
func TestBaresipCallsDID(t *testing.T) {
	testtool.Short(t)
	kport := trunktest.FreePort(t)
	trunktest.StartKamailio(t, kport)
	tm := &testMedia{}
	ev := newEvents()
	tr, g := startTrunk(t, kport, trunktest.TrunkPass, ev, tm, nil)
	waitState(t, tr, "registered", 5*time.Second)
	b := trunktest.StartBaresip(t, kport, 440, "auto")
	b.Command("dial", fmt.Sprintf("sip:5551000@127.0.0.1:%d", kport))
	in := ev.next(t, core.TrunkIncoming, 5*time.Second)
	if in.To != "1001" || in.From != "4930200" || in.Port == nil || in.Trunk != "prov" {
		t.Fatalf("incoming %+v", in)
	}
	g.Ringing(in.Call)
	b.Wait("CALL_RINGING", 5*time.Second)
	c := runCell(in.Port, 1000)
	g.Answer(in.Call)
	b.Wait("CALL_ESTABLISHED", 5*time.Second)
	time.Sleep(2 * time.Second)
	b.Command("sndcode", "5")
	g.DTMF(in.Call, '7', true)
	time.Sleep(200 * time.Millisecond)
	g.DTMF(in.Call, '7', false)
	if m := b.Wait("CALL_DTMF_START", 3*time.Second); m["param"] != "7" {
		t.Errorf("baresip's DTMF event %v, want 7", m)
	}
	time.Sleep(500 * time.Millisecond)
	if s := tr.Status(); s.DTMFIn != 1 || s.DTMFOut != 1 {
		t.Errorf("DTMF in %d, out %d; want 1, 1", s.DTMFIn, s.DTMFOut)
	}
	b.Command("hangup", "")
	end := ev.next(t, core.TrunkEnded, 5*time.Second)
	if end.Call != in.Call || end.Cause != 16 {
		t.Errorf("end %+v, want #16", end)
	}
	down := c.end()
	b.Stop()
	trunktest.CheckTone(t, "the phone heard", down, 440, 1000)
	trunktest.CheckTone(t, "baresip heard", b.Heard(), 1000, 440)
	noLeak(t, g, tm)
}

func noLeak(t *testing.T, g *Group, tm *testMedia) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for (g.Calls() != 0 || tm.Open() != 0) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if g.Calls() != 0 || tm.Open() != 0 {
		t.Errorf("left: %d calls, %d media sessions (RTP ports)", g.Calls(), tm.Open())
	}
}
