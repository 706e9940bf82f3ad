package simphones_test

import (
	"context"
	"log/slog"
	"math"
	"path/filepath"
	"testing"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/cc"
)

// TestSMSDuringCallOnAir: three phones on the simulated air (DSP both
// ways); two of them call each other and the third stays idle. While
// the call is up the caller texts the callee, and the idle phone texts
// the caller: both texts arrive over the call's connections (SAPI 3 on
// the SACCH of each TCH/F), the speech of the call still matches bit for
// bit both ways, and the call ends with #16.
func TestSMSDuringCallOnAir(t *testing.T) {
	cfg := config.Default()
	cfg.Sim.SNRdB = 60
	cfg.Cell.SDCCH8Timeslots = []int{1}
	cfg.Cell.TCHFTimeslots = []int{2, 3, 4, 5, 6, 7}
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	cfg.Calls.CDR = filepath.Join(t.TempDir(), "cdr.log")
	log := slog.New(slog.DiscardHandler)
	air, err := node.NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { air.Close() })
	var ps *simphones.Phones
	var calls []*simphones.Call
	texted := false
	taErr := 0.0
	var caller, callee, idle int
	const talk = 26 * 51 * 4 // ≈ 19 s of conversation
	nc := node.Config{Config: cfg, Log: log, Frames: 26 * 51 * 14, VirtualTime: true}
	nc.OnFrame = func(f int64) error {
		if f%26 != 0 {
			return nil
		}
		switch {
		case calls == nil && ps.Done():
			var err error
			if calls, err = ps.PlaceCalls(1, 3, talk); err != nil {
				return err
			}
			r := ps.CallRows()[0]
			caller, callee, idle = r.Caller, r.Callee, 3-r.Caller-r.Callee
		case calls != nil && !texted:
			if i := ps.Phones()[caller].CallInfo(); i.Active && i.Connected > 0 {
				texted = true
				ps.Phones()[caller].Text(callee, "while we talk, from the caller")
				ps.Phones()[idle].Text(caller, "to the caller, who is on the phone")
			}
		case texted && f%52 == 0 && ps.CallsDone():
			return node.ErrStop
		case texted:
			// The timing advance loop on the SACCH/TF holds each phone's
			// advance at its round trip (TS 45.010 §5.5).
			for _, i := range []int{caller, callee} {
				sp := ps.Phones()[i]
				if r := sp.Row(); r.State == "dedicated" && sp.CallInfo().Active {
					taErr = max(taErr, math.Abs(float64(r.TA)-2*sp.Placement().DelaySymbols))
				}
			}
		}
		return nil
	}
	nd, err := node.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nd.Close() })
	if ps, err = air.StartPhones(context.Background(), node.PhoneOptions{N: 3, Seed: 11, Log: log, Registry: nd.Registry(),
		Codecs: []cc.SpeechVersion{cc.FRv1}}); err != nil {
		t.Fatal(err)
	}
	if err := nd.Serve(context.Background(), air.Carrier); err != nil {
		t.Fatal(err)
	}
	air.BTS.Close()
	ps.Stop()
	if !texted {
		t.Fatalf("the call never came up: %+v", ps.CallRows())
	}
	r := ps.CallRows()[0]
	t.Logf("call %d→%d %s %s, alerting %.2f s; up %+v, down %+v", r.Caller, r.Callee, r.Codec, r.Cause, r.DialToAlertS, r.Up, r.Down)
	if r.Cause[:3] != "#16" {
		t.Errorf("call cause %s, want #16", r.Cause)
	}
	for _, l := range []simphones.Leg{r.Up, r.Down} {
		if !l.Matches || l.Relayed < 1000 || l.Bad > 0 {
			t.Errorf("speech %+v, want ≥ 1000 frames matching, none bad", l)
		}
	}
	in := ps.Phones()[callee].Inbox()
	if len(in) != 1 || in[0].Text != "while we talk, from the caller" || in[0].From != simphones.MSISDN(caller) {
		t.Errorf("callee's inbox %+v", in)
	}
	in = ps.Phones()[caller].Inbox()
	if len(in) != 1 || in[0].Text != "to the caller, who is on the phone" || in[0].From != simphones.MSISDN(idle) {
		t.Errorf("caller's inbox %+v", in)
	}
	if taErr > 1.5 {
		t.Errorf("a phone's timing advance strayed %.1f symbols from its round trip during the call", taErr)
	}
	st := nd.SMSStats()
	t.Logf("SMSC %+v", st)
	if st.Delivered != 2 || st.Queued != 0 {
		t.Errorf("SMSC delivered %d, queued %d", st.Delivered, st.Queued)
	}
	if c := nd.Snapshot().Core.Stats; c.Pages != 1 {
		// The callee was paged for the call, nobody for a text: the
		// call's connections carried them.
		t.Errorf("%d paging commands, want 1", c.Pages)
	}
}
