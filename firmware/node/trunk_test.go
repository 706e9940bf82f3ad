package node_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/core/cdr"
	"github.com/gsmbox/gsmbox/gsm/core/trunk/trunktest"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// decodeHeard decodes the FR frames a phone heard.
func decodeHeard(frames [][260]byte) []int16 {
	dec := fr.NewDecoder()
	var out []int16
	var gsm [fr.FrameSize]byte
	var pcm [fr.FrameSamples]int16
	for i := range frames {
		coding.FRToRTP(&gsm, &frames[i])
		if dec.Decode(&pcm, &gsm) == nil {
			out = append(out, pcm[:]...)
		}
	}
	return out
}

// waitFor polls cond until it holds or within passes.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// trunkNode runs a node with two provisioned phones (MSISDNs 2000 and
// 2001, answering after answer frames, -1 never) on the simulated air in
// real time, with a SIP trunk to a kamailio it has registered with.
func trunkNode(t *testing.T, answer int, dids ...string) (*node.Node, *simphones.Phones, int, *config.Config) {
	t.Helper()
	nd, ps, kport, cfg, _ := trunkNodeWith(t, answer, nil, dids...)
	return nd, ps, kport, cfg
}

// trunkNodeWith is trunkNode with the configuration changed by tweak
// before the node starts; with a wrong trunk password it waits for the
// registration to fail instead. It also returns the provider.
func trunkNodeWith(t *testing.T, answer int, tweak func(*config.Config), dids ...string) (*node.Node, *simphones.Phones, int, *config.Config, *trunktest.Kamailio) {
	t.Helper()
	testtool.Short(t)
	testtool.Need(t, "kamailio")
	testtool.Need(t, "baresip")
	kport := trunktest.FreePort(t)
	k := trunktest.StartKamailio(t, kport)

	cfg := config.Default()
	cfg.Sim.SNRdB = 60
	cfg.Cell.SDCCH8Timeslots = []int{1}
	cfg.Cell.TCHFTimeslots = []int{2, 3, 4, 5, 6, 7}
	dir := t.TempDir()
	cfg.Subscribers.DB = filepath.Join(dir, "subscribers.db")
	cfg.Calls.CDR = filepath.Join(dir, "cdr.log")
	cfg.SIP.Trunk = []config.Trunk{{Name: "prov", Registrar: fmt.Sprintf("127.0.0.1:%d", kport),
		Username: trunktest.TrunkUser, Password: trunktest.TrunkPass,
		DIDs: dids, Routes: []string{"^4930[0-9]{3}$"},
		Listen: fmt.Sprintf("127.0.0.1:%d", trunktest.FreePort(t)), RTPPorts: "43000-43199",
		RegisterExpiry: config.Duration{Duration: time.Minute}, Keepalive: config.Duration{Duration: 5 * time.Second},
		Emergency: true}}
	if tweak != nil {
		tweak(cfg)
	}
	if err := cfg.Validate(nil); err != nil {
		t.Fatal(err)
	}
	var log *slog.Logger
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	} else {
		log = slog.New(slog.DiscardHandler)
	}
	air, err := node.NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { air.Close() })
	nd, err := node.New(node.Config{Config: cfg, Log: log, Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nd.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	ps, err := air.StartPhones(ctx, node.PhoneOptions{N: 2, Seed: 11, Log: log, Registry: nd.Registry(),
		Codecs: []cc.SpeechVersion{cc.FRv1}, AnswerFrames: answer, Tone: 1000})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- nd.Serve(ctx, air.Carrier) }()
	t.Cleanup(func() {
		cancel()
		<-served
		air.BTS.Close()
		ps.Stop()
	})
	waitFor(t, "both phones registered", 60*time.Second, ps.Done)
	want := "registered"
	if cfg.SIP.Trunk[0].Password != trunktest.TrunkPass {
		want = "failed"
	}
	waitFor(t, "the trunk "+want, 10*time.Second, func() bool {
		s := nd.Snapshot().Trunks
		return len(s) == 1 && s[0].State == want
	})
	return nd, ps, kport, cfg, k
}

// The SIP trunk end to end, on 127.0.0.1: gsmbox (the cell, the core
// and two virtual phones on the simulated air, paced in real time)
// registers with kamailio; baresip calls the DID of phone 0, which is
// paged, rings and answers; then phone 1 calls baresip. In both calls
// speech flows both ways through the transcoder (FR on the air, G.711 to
// baresip) and is checked: baresip speaks 440 Hz, the phones 1 kHz, and
// each side's decoded audio must hold most of its energy at the other's
// tone and almost none at its own. Both calls end cleanly (BYE from
// baresip, then from the phone), with no TCH, call or RTP session left,
// and CDRs naming the trunk, the direction and the external number.
func TestTrunkOnAir(t *testing.T) {
	nd, ps, kport, cfg := trunkNode(t, 100, "5551000:2000")
	phones := ps.Phones()

	// baresip calls the DID of phone 0 (MSISDN 2000).
	b := trunktest.StartBaresip(t, kport, 440, "auto")
	b.Command("dial", fmt.Sprintf("sip:5551000@127.0.0.1:%d", kport))
	b.Wait("CALL_ESTABLISHED", 30*time.Second)
	time.Sleep(3 * time.Second)
	b.Command("sndcode", "4") // RFC 4733 to gsmbox: counted (GSM has no DTMF towards the phone)
	time.Sleep(2 * time.Second)
	b.Command("hangup", "")
	b.Wait("CALL_CLOSED", 10*time.Second)
	waitFor(t, "phone 0's call to end", 15*time.Second, func() bool {
		i := phones[0].CallInfo()
		return i.Calls > 0 && i.Ended
	})
	b.Stop()
	_, heard, _ := phones[0].Voice()
	trunktest.CheckTone(t, "phone 0 heard (baresip → DID)", decodeHeard(heard), 440, 1000)
	trunktest.CheckTone(t, "baresip heard (phone 0)", b.Heard(), 1000, 440)

	// Phone 1 calls baresip (4930200) and hangs up after about 5 s.
	b2 := trunktest.StartBaresip(t, kport, 440, "auto")
	if !phones[1].Dial("4930200", 1100) {
		t.Fatal("phone 1 busy")
	}
	b2.Wait("CALL_ESTABLISHED", 30*time.Second)
	time.Sleep(time.Second)
	phones[1].DTMF('5', true) // CC Start DTMF → RFC 4733 to baresip
	time.Sleep(300 * time.Millisecond)
	phones[1].DTMF('5', false)
	if m := b2.Wait("CALL_DTMF_START", 5*time.Second); m["param"] != "5" {
		t.Errorf("baresip's DTMF %v, want 5", m)
	}
	b2.Wait("CALL_CLOSED", 30*time.Second)
	waitFor(t, "phone 1's call to end", 15*time.Second, func() bool {
		i := phones[1].CallInfo()
		return i.Calls > 0 && i.Ended
	})
	b2.Stop()
	_, heard, _ = phones[1].Voice()
	trunktest.CheckTone(t, "phone 1 heard (baresip answering)", decodeHeard(heard), 440, 1000)
	trunktest.CheckTone(t, "baresip heard (phone 1)", b2.Heard(), 1000, 440)

	// An emergency call (112, no local [emergency] target) goes out of
	// the trunk, which takes emergency calls.
	b3 := trunktest.StartBaresip(t, kport, 440, "auto")
	calls := phones[0].CallInfo().Calls
	if !phones[0].Dial("112", 400) {
		t.Fatal("phone 0 busy")
	}
	b3.Wait("CALL_ESTABLISHED", 30*time.Second)
	b3.Wait("CALL_CLOSED", 30*time.Second)
	waitFor(t, "phone 0's emergency call to end", 15*time.Second, func() bool {
		i := phones[0].CallInfo()
		return i.Calls > calls && i.Ended && i.Connected > 0
	})

	waitFor(t, "nothing held", 15*time.Second, func() bool {
		s := nd.Snapshot()
		return s.Core.ActiveCalls == 0 && s.Cell.ChannelsInUse == 0 && s.Trunks[0].Active == 0
	})
	s := nd.Snapshot()
	t.Logf("trunk %+v", s.Trunks[0])
	t.Logf("cell traffic %+v", s.Cell.Traffic)
	if s.Trunks[0].CallsIn != 1 || s.Trunks[0].CallsOut != 2 || s.Trunks[0].DTMFIn != 1 || s.Trunks[0].DTMFOut != 1 || s.Cell.Traffic.PortUp == 0 || s.Cell.Traffic.PortDown == 0 {
		t.Errorf("trunk %+v, traffic %+v", s.Trunks[0], s.Cell.Traffic)
	}
	recs, _, err := cdr.Read(cfg.Calls.CDR)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d CDRs, want 3: %+v", len(recs), recs)
	}
	in, out, em := recs[0], recs[1], recs[2]
	if !em.Emergency || em.Direction != "out" || em.External != "112" || em.Answer.IsZero() {
		t.Errorf("emergency CDR %+v", em)
	}
	if in.Trunk != "prov" || in.Direction != "in" || in.External != "4930200" || in.Callee != "2000" || in.Answer.IsZero() {
		t.Errorf("incoming CDR %+v", in)
	}
	if out.Trunk != "prov" || out.Direction != "out" || out.External != "4930200" || out.Caller != "2001" || out.Cause != 16 || out.Answer.IsZero() {
		t.Errorf("outgoing CDR %+v", out)
	}
}

// Incoming calls that end before an answer, on the air: an unknown DID
// and a DID of no subscriber (404), the caller giving up while the phone
// rings (CANCEL: the phone gets Disconnect #16), a second call to a
// ringing phone (486, #17 inside), a phone out of coverage (switched off
// without detach: paging unanswered, 480). Nothing is held afterwards:
// no call, no channel, no trunk call, every RTP port free.
func TestTrunkFailuresOnAir(t *testing.T) {
	nd, ps, kport, _ := trunkNode(t, -1, "5551000:2000", "5551001:2001", "5551009:2009")
	phones := ps.Phones()
	b := trunktest.StartBaresip(t, kport, 440, "auto")
	dial := func(did string) { b.Command("dial", fmt.Sprintf("sip:%s@127.0.0.1:%d", did, kport)) }
	closed := func(want string) {
		t.Helper()
		m := b.Wait("CALL_CLOSED", 30*time.Second)
		if p := fmt.Sprint(m["param"]); !strings.Contains(p, want) {
			t.Errorf("baresip's call closed with %q, want %s", p, want)
		}
	}
	dial("5559999")
	closed("404")
	dial("5551009")
	closed("404")

	// CANCEL while the phone rings.
	dial("5551000")
	b.Wait("CALL_RINGING", 30*time.Second)
	time.Sleep(time.Second)
	b.Command("hangup", "")
	b.Wait("CALL_CLOSED", 10*time.Second)
	waitFor(t, "phone 0's call to end", 15*time.Second, func() bool {
		i := phones[0].CallInfo()
		return i.Calls > 0 && i.Ended
	})
	if i := phones[0].CallInfo(); i.Cause != cc.CauseNormalClearing || i.Connected != 0 {
		t.Errorf("phone 0 after CANCEL: %+v, want cleared #16 unanswered", i)
	}
	waitFor(t, "phone 0 idle", 15*time.Second, func() bool { return nd.Snapshot().Cell.ChannelsInUse == 0 })

	// A second call to a ringing phone: 486. (baresip cancels its first
	// call as it dials the second, at once: the phone, perhaps still
	// moving to its TCH/F, is cleared all the same.)
	calls := phones[0].CallInfo().Calls
	dial("5551000")
	b.Wait("CALL_RINGING", 30*time.Second)
	dial("5551000")
	closed("486")
	b.Command("hangup", "")
	b.Wait("CALL_CLOSED", 10*time.Second)
	waitFor(t, "phone 0's second call to end", 15*time.Second, func() bool {
		i := phones[0].CallInfo()
		return i.Calls > calls && i.Ended
	})

	phones[1].PowerOff()
	time.Sleep(500 * time.Millisecond)
	dial("5551001")
	closed("480")

	waitFor(t, "nothing held", 20*time.Second, func() bool {
		s := nd.Snapshot()
		return s.Core.ActiveCalls == 0 && s.Cell.ChannelsInUse == 0 && s.Trunks[0].Active == 0
	})
	if held := ownUDPPorts(t, 43000, 43199); len(held) > 0 {
		t.Errorf("RTP ports still held: %v", held)
	}
	s := nd.Snapshot()
	t.Logf("trunk %+v; core calls %+v", s.Trunks[0], s.Core.Calls)
	if s.Trunks[0].Refused != 1 || s.Core.Calls.Unknown != 1 || s.Core.Calls.Busy != 1 || s.Core.Calls.NoPage != 1 {
		t.Errorf("trunk %+v, calls %+v", s.Trunks[0], s.Core.Calls)
	}
}
