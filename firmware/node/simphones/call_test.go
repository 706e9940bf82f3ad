package simphones_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// airCalls runs the default cell with an SDCCH/8 on TN1, TCH/Fs on TN2–7 and n provisioned
// phones on the simulated air (DSP both ways) in virtual time: once all
// are registered, k calls between random pairs, each talking talk
// frames, until every call has ended and its phones are idle.
func airCalls(t *testing.T, n, k, talk int, codecs []cc.SpeechVersion, sdcch8 bool) (*simphones.Phones, *node.Node) {
	return airCallsTap(t, n, k, talk, codecs, sdcch8, nil)
}

// airCallsTap is airCalls with the cell's GSMTAP going to tap (its
// writer's Node, if a *phonePcap, is set).
func airCallsTap(t *testing.T, n, k, talk int, codecs []cc.SpeechVersion, sdcch8 bool, tap *phonePcap, edit ...func(*config.Config)) (*simphones.Phones, *node.Node) {
	t.Helper()
	cfg := config.Default()
	for _, e := range edit {
		e(cfg)
	}
	cfg.Sim.SNRdB = 60
	// Six TCH/Fs for three calls: SDCCH/8 on TN1 only (layout (c) of
	// docs/storm.md; the default cell keeps TN2 for SDCCH/8 and has five).
	cfg.Cell.SDCCH8Timeslots = []int{1}
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
	nc := node.Config{Config: cfg, Log: log, Frames: 26 * 51 * 12, VirtualTime: true}
	if tap != nil {
		nc.Tap = gsmtap.NewSender(tap, log)
	}
	nc.OnFrame = func(f int64) error {
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
	}
	nd, err := node.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if tap != nil {
		tap.n = nd
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

// TestCallInTshark: a call over the simulated air, mirrored as GSMTAP
// both ways; Wireshark's dissectors find every CC message of the call and
// the RR messages that moved the phones to their TCH/Fs, FACCH/F blocks
// on the TCH, and nothing malformed.
func TestCallInTshark(t *testing.T) {
	tshark := testtool.Need(t, "tshark")
	for _, veryEarly := range []bool{false, true} {
		t.Run(fmt.Sprintf("very_early_%v", veryEarly), func(t *testing.T) { callInTshark(t, tshark, veryEarly) })
	}
}

func callInTshark(t *testing.T, tshark string, veryEarly bool) {
	pcapPath := filepath.Join(t.TempDir(), "call.pcap")
	f, err := os.Create(pcapPath)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	pt := &phonePcap{w: pw}
	ps, _ := airCallsTap(t, 2, 1, 200, nil, false, pt, func(c *config.Config) { c.Cell.VeryEarlyAssignment = veryEarly })
	if err := f.Close(); err != nil || pt.err != nil {
		t.Fatal(err, pt.err)
	}
	if r := ps.CallRows(); len(r) != 1 || !r[0].Up.Matches || !r[0].Down.Matches {
		t.Fatalf("the call did not go through: %+v", r)
	}
	run := func(args ...string) string {
		cmd := exec.Command(tshark, append([]string{"-r", pcapPath}, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
		}
		return string(out)
	}
	if bad := run("-Y", `_ws.malformed || _ws.expert.severity >= "error"`); strings.TrimSpace(bad) != "" {
		t.Errorf("tshark finds malformed packets:\n%s", bad)
	}
	info := run("-T", "fields", "-e", "gsmtap.chan_type", "-e", "gsmtap.uplink", "-e", "_ws.col.Info")
	wants := []string{"CM Service Request", "Setup", "Call Proceeding", "Paging Response", "Call Confirmed", "Alerting", "Connect",
		"Connect Acknowledge", "Disconnect", "Release", "Release Complete", "Channel Release"}
	if veryEarly {
		wants = append(wants, "Channel Mode Modify", "Channel Mode Modify Acknowledge")
	} else {
		wants = append(wants, "Assignment Command", "Assignment Complete")
	}
	for _, want := range wants {
		if !strings.Contains(info, want) {
			t.Errorf("no %q in the capture", want)
		}
	}
	// FACCH/F: GSMTAP channel type 9 (TCH/F) carrying LAPDm with L3.
	var facch, facchL3 int
	for _, line := range strings.Split(info, "\n") {
		if strings.HasPrefix(line, fmt.Sprintf("%d\t", gsmtap.ChanTCHF)) {
			facch++
			if strings.Contains(line, "Connect") || strings.Contains(line, "Alerting") || strings.Contains(line, "Release") || strings.Contains(line, "Disconnect") {
				facchL3++
			}
		}
	}
	if facch == 0 || facchL3 < 4 {
		t.Errorf("%d FACCH/F blocks in the capture, %d with CC messages; want some and ≥ 4", facch, facchL3)
	}
	if t.Failed() {
		t.Logf("tshark:\n%s", info)
	}
}

// TestCallSpeechUntoast: in an FR call over the simulated air, what the
// callee heard is a run of what the caller's GSM 06.10 encoder sent, bit
// for bit, and decoding it gives the same PCM as libgsm's untoast makes of
// those sent frames (Debian libgsm-tools, which we did not write).
func TestCallSpeechUntoast(t *testing.T) {
	untoast := testtool.Need(t, "untoast")
	ps, _ := airCalls(t, 2, 1, 400, []cc.SpeechVersion{cc.FRv1}, false)
	rows := ps.CallRows()
	if len(rows) != 1 || !rows[0].Up.Matches || rows[0].Codec != "FR" {
		t.Fatalf("calls %+v, want one FR call with matching speech", rows)
	}
	caller, callee := ps.Phones()[rows[0].Caller], ps.Phones()[rows[0].Callee]
	sent, _, _ := caller.Voice()
	_, heard, _ := callee.Voice()
	ok, n, lost := simphones.Match(heard, sent)
	if !ok || lost != 0 || n < 60 {
		t.Fatalf("heard %d frames, lost %d, match %v", n, lost, ok)
	}
	// The sent frames the callee heard, in libgsm's format.
	first := 0
	for sent[first] != heard[0] {
		first++
	}
	var gsm []byte
	for _, f := range sent[first : first+n] {
		var b [coding.FRFrameSize]byte
		coding.FRToRTP(&b, &f)
		gsm = append(gsm, b[:]...)
	}
	in := filepath.Join(t.TempDir(), "heard.gsm")
	if err := os.WriteFile(in, gsm, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(untoast, "-l", "-c", in).Output()
	if err != nil {
		t.Fatal(err)
	}
	// Our decoder on what the callee heard.
	dec := fr.NewDecoder()
	var ours []byte
	for _, f := range heard {
		var b [coding.FRFrameSize]byte
		coding.FRToRTP(&b, &f)
		var pcm [fr.FrameSamples]int16
		if err := dec.Decode(&pcm, &b); err != nil {
			t.Fatal(err)
		}
		for _, s := range pcm {
			ours = binary.NativeEndian.AppendUint16(ours, uint16(s))
		}
	}
	if len(out) != len(ours) || !bytes.Equal(out, ours) {
		t.Errorf("decoded PCM (%d bytes) differs from untoast's (%d bytes)", len(ours), len(out))
	}
	var energy float64
	for i := 0; i+1 < len(ours); i += 2 {
		s := float64(int16(binary.NativeEndian.Uint16(ours[i:])))
		energy += s * s
	}
	if energy == 0 {
		t.Error("the callee heard silence")
	}
}
