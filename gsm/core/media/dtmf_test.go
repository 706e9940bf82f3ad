package media

import (
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// fakePair is two started sessions on one fake clock, A offering.
func fakePair(t *testing.T, codecs []uint8) (a, b *Session, clk *fakeClock) {
	t.Helper()
	clk = &fakeClock{now: time.Unix(1000, 0)}
	cfg := Config{Addr: loopback, PortMin: 35000, PortMax: 35999, Codecs: codecs, Clock: clk}
	var err error
	if a, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if b, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	offer, _ := a.Offer()
	answer, err := b.Answer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Accept(answer); err != nil {
		t.Fatal(err)
	}
	a.Start(rsl.NewSpeechPort())
	b.Start(rsl.NewSpeechPort())
	return a, b, clk
}

func nextDTMF(t *testing.T, c <-chan DTMF) DTMF {
	t.Helper()
	select {
	case d := <-c:
		return d
	case <-time.After(2 * time.Second):
		t.Fatal("no DTMF event")
	}
	return DTMF{}
}

// RFC 4733 both ways: SendDTMF and StartDTMF/StopDTMF on one side reach
// the other's DTMF channel as a start and an end with the duration; a
// digit that is not DTMF is refused.
func TestDTMF(t *testing.T) {
	a, b, clk := fakePair(t, []uint8{rtp.PTPCMA})
	if err := a.SendDTMF('7', 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := b.StartDTMF('#'); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if i == 10 {
			b.StopDTMF()
		}
		clk.step(t, 2)
		time.Sleep(time.Millisecond)
	}
	if d := nextDTMF(t, b.DTMF()); d.Digit != '7' || d.End {
		t.Errorf("B first heard %+v, want the start of 7", d)
	}
	if d := nextDTMF(t, b.DTMF()); d.Digit != '7' || !d.End || d.Duration != 100*time.Millisecond {
		t.Errorf("B then heard %+v, want the end of 7 after 100ms", d)
	}
	if d := nextDTMF(t, a.DTMF()); d.Digit != '#' || d.End {
		t.Errorf("A first heard %+v, want the start of #", d)
	}
	if d := nextDTMF(t, a.DTMF()); d.Digit != '#' || !d.End || d.Duration < 180*time.Millisecond || d.Duration > 240*time.Millisecond {
		t.Errorf("A then heard %+v, want the end of # after about 200ms", d)
	}
	select {
	case d := <-b.DTMF():
		t.Errorf("B heard %+v more (the end is sent three times, told once)", d)
	default:
	}
	if sa, sb := a.Stats(), b.Stats(); sa.DTMFSent != 1 || sb.DTMFReceived != 1 || sb.DTMFSent != 1 || sa.DTMFReceived != 1 {
		t.Errorf("DTMF counters A %+v B %+v", sa, sb)
	}
	if err := a.SendDTMF('x', time.Second); err == nil {
		t.Error("SendDTMF('x') succeeded")
	}
}
