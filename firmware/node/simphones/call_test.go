package simphones_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/rr"
)

// airCalls runs the default cell with TCH/Fs on TN2–7 and n provisioned
// phones on the simulated air (DSP both ways) in virtual time: once all
// are registered, k calls between random pairs, each talking talk
// frames, until every call has ended and its phones are idle.
func airCalls(t *testing.T, n, k, talk int, codecs []cc.SpeechVersion, sdcch8 bool) (*simphones.Phones, *node.Node) {
	t.Helper()
	cfg := config.Default()
	cfg.Sim.SNRdB = 60
	cfg.Cell.TCHFTimeslots = []int{2, 3, 4, 5, 6, 7}
	if sdcch8 {
		cfg.Cell.CombinedCCCH, cfg.Cell.SDCCH8Timeslots = false, []int{1}
	}
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	cfg.Calls.CDR = filepath.Join(t.TempDir(), "cdr.log")
	log := slog.New(slog.DiscardHandler)
	air, err := node.NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { air.Close() })
	var ps *simphones.Phones
	placed := false
	nd, err := node.New(node.Config{Config: cfg, Log: log, Frames: 26 * 51 * 12, VirtualTime: true, OnFrame: func(f int64) error {
		if f%26 != 0 {
			return nil
		}
		if !placed && ps.Done() {
			if _, err := ps.PlaceCalls(k, 3, talk); err != nil {
				return err
			}
			placed = true
			return nil
		}
		if placed && f%52 == 0 && ps.CallsDone() {
			return node.ErrStop
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nd.Close() })
	if ps, err = air.StartPhones(context.Background(), node.PhoneOptions{N: n, Seed: 11, Log: log, Registry: nd.Registry(), Codecs: codecs}); err != nil {
		t.Fatal(err)
	}
	if err := nd.Serve(context.Background(), air.Carrier); err != nil {
		t.Fatal(err)
	}
	air.BTS.Close()
	ps.Stop()
	if !placed {
		t.Fatalf("the phones never all registered: %+v", ps.Rows())
	}
	return ps, nd
}

// Six virtual phones in three simultaneous calls over the simulated air,
// in EFR and in FR: every call connects, speech flows both ways and
// matches bit for bit, the calls end with #16 and no channel is held.
func TestCallsOnAir(t *testing.T) {
	for _, tc := range []struct {
		name   string
		codecs []cc.SpeechVersion
		codec  string
		mode   rr.ChannelMode
	}{{"EFR", nil, "EFR", rr.ModeSpeechV2}, {"FR", []cc.SpeechVersion{cc.FRv1}, "FR", rr.ModeSpeechV1}} {
		t.Run(tc.name, func(t *testing.T) {
			ps, nd := airCalls(t, 6, 3, 520, tc.codecs, false)
			rows := ps.CallRows()
			if len(rows) != 3 {
				t.Fatalf("%d calls, want 3", len(rows))
			}
			for _, r := range rows {
				t.Logf("call %d: %d→%d %s %s, alerting %.2f s, connect %.2f s, up %+v, down %+v",
					r.Call, r.Caller, r.Callee, r.Codec, r.Cause, r.DialToAlertS, r.DialToAnswerS, r.Up, r.Down)
				if r.Codec != tc.codec || r.DialToAnswerS == 0 || r.Cause[:3] != "#16" {
					t.Errorf("call %d: codec %s, connect %.2f s, cause %s", r.Call, r.Codec, r.DialToAnswerS, r.Cause)
				}
				for _, l := range []simphones.Leg{r.Up, r.Down} {
					if !l.Matches || l.Relayed < 80 {
						t.Errorf("call %d: speech %+v, want ≥ 80 frames matching", r.Call, l)
					}
				}
			}
			snap := nd.Snapshot()
			for _, sp := range ps.Phones() {
				st := sp.Stats()
				t.Logf("phone %d: %s pages %d requests %d immass %d rej %d assignments %d call %+v", sp.Index(), sp.Row().Result, st.Pages, st.ChannelRequests, st.ImmAss, st.ImmAssRej, st.Assignments, sp.CallInfo())
			}
			t.Logf("cell %+v", snap.Cell.Dedicated)
			t.Logf("core %+v", snap.Core.Stats)
			if snap.Cell.Traffic.Connects != 3 {
				t.Errorf("cell traffic %+v, want 3 relays", snap.Cell.Traffic)
			}
			for _, sp := range ps.Phones() {
				if sp.Err() != nil {
					t.Errorf("phone %d: %v", sp.Index(), sp.Err())
				}
			}
		})
	}
}

// One call between two phones over the simulated air.
func TestCallOnAir(t *testing.T) {
	ps, nd := airCalls(t, 2, 1, 150, []cc.SpeechVersion{cc.FRv1}, false)
	for _, r := range ps.CallRows() {
		t.Logf("call %d: %d→%d %s %s, alerting %.2f s, connect %.2f s, up %+v, down %+v",
			r.Call, r.Caller, r.Callee, r.Codec, r.Cause, r.DialToAlertS, r.DialToAnswerS, r.Up, r.Down)
	}
	t.Logf("cell %+v", nd.Snapshot().Cell.Traffic)
}
