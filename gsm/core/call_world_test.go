package core

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// talker is a test phone's mouth and ear: it sends numbered random
// speech frames and keeps what it hears.
type talker struct {
	r       *rand.Rand
	sentFN  []tdma.FN
	heardFN []tdma.FN
	sent    [][260]byte
	heard   [][260]byte
	bad     int
	modes   map[rr.ChannelMode]int
}

func (k *talker) mouth(fn tdma.FN, mode rr.ChannelMode, dst *[260]byte) bool {
	for i := range dst {
		dst[i] = byte(k.r.IntN(2))
	}
	k.sent = append(k.sent, *dst)
	k.sentFN = append(k.sentFN, fn)
	k.modes[mode]++
	return true
}

func (k *talker) ear(fn tdma.FN, mode rr.ChannelMode, f *[260]byte, good bool) {
	if !good {
		k.bad++
		return
	}
	k.heard = append(k.heard, *f)
	k.heardFN = append(k.heardFN, fn)
}

// delay returns the frames from the uplink block start of each frame the
// speaker sent to the downlink block start at which the listener got it
// (min and max over the frames heard).
func delay(from, to *talker) (lo, hi int) {
	lo = 1 << 30
	j := 0
	for i, h := range to.heard {
		for j < len(from.sent) && from.sent[j] != h {
			j++
		}
		if j == len(from.sent) {
			break
		}
		d := to.heardFN[i].Sub(from.sentFN[j])
		lo, hi = min(lo, d), max(hi, d)
	}
	return lo, hi
}

// callWorld is tier 2 with TCH/Fs: a cell with combination I on TN2–5,
// the core with the switch, and phones with the Caller upper.
func newCallWorld(t *testing.T, calls CallConfig, veryEarly bool, tchf ...tdma.TN) (*world, *memCDR, *[]CallResult) {
	reg, _ := registrytest.NewRegistry(t, registry.Policy{Mode: registry.ModeClosed})
	w := &world{t: t, reg: reg, epoch: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	cdrs := &memCDR{}
	var results []CallResult
	calls.CDR = cdrs
	calls.OnCall = func(r CallResult) { results = append(results, r) }
	net, err := New(Config{MM: mm.Config{LAI: cellLAI}, HLR: NewHLR(reg), Rand: rand.NewChaCha8([32]byte{1}), SyncHLR: true,
		OnResult: func(r mm.Result) { w.ended = append(w.ended, r) }, Calls: calls})
	if err != nil {
		t.Fatal(err)
	}
	w.net = net
	c := rr.DefaultCellConfig()
	c.PLMN, c.LAC, c.CI = cellLAI.PLMN, cellLAI.LAC, 7
	c.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
	c.Band, c.ARFCN = tdma.GSM900, 62
	w.cell, err = bts.New(bts.Config{Cell: c, ID: 1, Up: net.Up(), TCHF: tchf, VeryEarlyAssignment: veryEarly})
	if err != nil {
		t.Fatal(err)
	}
	net.AddCell(1, w.cell.Down())
	return w, cdrs, &results
}

// addCaller adds a provisioned subscriber with msisdn and a calling phone.
func (w *world) addCaller(imsi, msisdn string, cfg ms.CallConfig, k *talker) (*ms.Phone, *ms.Caller) {
	s := sim(imsi, crypto.COMP128v3)
	if _, err := w.reg.Add(registry.Subscriber{IMSI: s.IMSI, MSISDN: msisdn, Algorithm: s.Algorithm, Ki: s.Ki}); err != nil {
		w.t.Fatal(err)
	}
	if k != nil {
		cfg.Mouth, cfg.Ear = k.mouth, k.ear
	}
	cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
	mcfg := &mm.MSConfig{Classmark1: cm1, IMEI: "490154203237518", Classmark2: l3.Classmark2{Classmark1: cm1, A53: true}}
	up := ms.NewCaller(ms.NewMM(mcfg, s), cfg)
	p, err := ms.New(ms.Config{SIM: s, Seed: uint64(len(w.phones) + 1), Upper: up})
	if err != nil {
		w.t.Fatal(err)
	}
	p.PowerOn()
	w.phones = append(w.phones, p)
	w.origin = append(w.origin, 31*len(w.phones))
	return p, up
}

func newTalker(seed uint64) *talker {
	return &talker{r: rand.New(rand.NewPCG(seed, 7)), modes: map[rr.ChannelMode]int{}}
}

// runUntil steps until cond or the budget runs out; false on the budget.
func (w *world) runUntil(frames int, cond func() bool) bool {
	for range frames {
		w.step()
		if cond() {
			return true
		}
	}
	return false
}

// contiguous reports whether heard is a run of consecutive frames of
// sent, and how many.
func contiguous(heard, sent [][260]byte) bool {
	if len(heard) == 0 {
		return false
	}
	for i := range sent {
		if sent[i] != heard[0] {
			continue
		}
		for k := range heard {
			if i+k >= len(sent) || sent[i+k] != heard[k] {
				return false
			}
		}
		return true
	}
	return false
}

// Two registered phones on one cell: A dials B's number, B rings and
// answers, speech flows both ways over the air through the cell's relay
// bit for bit (ciphered A5/3 on the TCH as on the SDCCH), A hangs up,
// both phones are idle again, every channel is free and a CDR is written.
func TestCallOverTheAir(t *testing.T) {
	for _, tc := range []struct {
		name      string
		codecs    []cc.SpeechVersion
		mode      rr.ChannelMode
		veryEarly bool
	}{{"EFR", nil, rr.ModeSpeechV2, false}, {"FR", []cc.SpeechVersion{cc.FRv1}, rr.ModeSpeechV1, false},
		{"EFR very early", nil, rr.ModeSpeechV2, true}, {"FR very early", []cc.SpeechVersion{cc.FRv1}, rr.ModeSpeechV1, true}} {
		t.Run(tc.name, func(t *testing.T) {
			w, cdrs, results := newCallWorld(t, CallConfig{}, tc.veryEarly, 2, 3, 4, 5)
			ka, kb := newTalker(1), newTalker(2)
			pa, a := w.addCaller("001010000000201", "6001", ms.CallConfig{Codecs: tc.codecs}, ka)
			pb, b := w.addCaller("001010000000202", "6002", ms.CallConfig{AnswerAfter: 100}, kb)
			if !w.runUntil(51*300, func() bool {
				return pa.Stats().Registered && pb.Stats().Registered && pa.State() == ms.StateIdle && pb.State() == ms.StateIdle
			}) {
				t.Fatalf("phones did not register: %+v %+v", pa.Stats(), pb.Stats())
			}
			if !a.Dial("6002", false) {
				t.Fatal("Dial refused")
			}
			if !w.runUntil(51*200, func() bool { return a.Info().Active && b.Info().Active }) {
				t.Fatalf("call not active: A %+v, B %+v; stats %+v", a.Info(), b.Info(), w.net.CallStats())
			}
			ia := a.Info()
			t.Logf("frames %d; info A %+v B %+v; stats %+v", w.frames, ia, b.Info(), w.net.CallStats())
			t.Logf("dial→alerting %d frames (%v), dial→connect %d frames", ia.Alerting-ia.Dialled,
				time.Duration(ia.Alerting-ia.Dialled)*frameDuration, ia.Connected-ia.Dialled)
			w.runUntil(50*26/6*4, func() bool { return false }) // 200 speech frames
			a.Hangup()
			if !w.runUntil(51*100, func() bool { return pa.State() == ms.StateIdle && pb.State() == ms.StateIdle && len(*results) == 1 }) {
				t.Fatalf("not idle after hang-up: A %v %+v, B %v %+v", pa.State(), a.Info(), pb.State(), b.Info())
			}
			for _, c := range []struct {
				name      string
				to, from  *talker
				bad       int
				phone     *ms.Phone
				wantFrame int
			}{{"A→B", kb, ka, kb.bad, pb, 150}, {"B→A", ka, kb, ka.bad, pa, 150}} {
				if len(c.to.heard) < c.wantFrame || !contiguous(c.to.heard, c.from.sent) || c.bad > 0 {
					t.Errorf("%s: heard %d frames (%d bad) of %d sent; contiguous %v", c.name, len(c.to.heard), c.bad,
						len(c.from.sent), contiguous(c.to.heard, c.from.sent))
				}
			}
			lo, hi := delay(ka, kb)
			t.Logf("mouth-to-ear on the air A→B: block start to block start %d..%d frames; with the 8-burst interleaving at each end the frame is decoded %d..%d frames (%v..%v) after its first uplink burst",
				lo, hi, lo+8, hi+8, time.Duration(lo+8)*frameDuration, time.Duration(hi+8)*frameDuration)
			if lo < 8 || hi > 30 {
				t.Errorf("mouth-to-ear %d..%d frames", lo, hi)
			}
			if ka.modes[tc.mode] == 0 || len(ka.modes) != 1 {
				t.Errorf("A spoke in modes %v, want %#x", ka.modes, tc.mode)
			}
			if a.Info().Cause != cc.CauseNormalClearing || b.Info().Cause != cc.CauseNormalClearing {
				t.Errorf("causes A %v, B %v, want #16", a.Info().Cause, b.Info().Cause)
			}
			w.runUntil(51*10, func() bool { return false }) // T3111 and the like
			for i, st := range w.cell.Channels() {
				if st != bts.ChanFree {
					t.Errorf("channel %v is %v after the call", w.cell.ChannelList()[i], st)
				}
			}
			if len(cdrs.recs) != 1 || cdrs.recs[0].Caller != "6001" || cdrs.recs[0].Callee != "6002" || cdrs.recs[0].Duration() == 0 {
				t.Errorf("CDRs %+v", cdrs.recs)
			}
			if st := w.cell.Stats(); st.Traffic.Relayed < 300 || st.Dedicated.Ciphered < 4 {
				t.Errorf("cell stats: traffic %+v, ciphered %d", st.Traffic, st.Dedicated.Ciphered)
			}
		})
	}
}

// One phone vanishes mid-call (its battery is pulled: it stops sending
// and listening). The cell's radio link counter on its TCH/F runs out
// (TS 45.008 §5.2), the core clears the other party with #41, and every
// channel is free again; a CDR says so.
func TestCallRadioLinkFailureOnAir(t *testing.T) {
	w, cdrs, results := newCallWorld(t, CallConfig{}, true, 2, 3, 4, 5)
	pa, a := w.addCaller("001010000000301", "6101", ms.CallConfig{}, newTalker(3))
	pb, b := w.addCaller("001010000000302", "6102", ms.CallConfig{}, newTalker(4))
	if !w.runUntil(51*300, func() bool {
		return pa.Stats().Registered && pb.Stats().Registered && pa.State() == ms.StateIdle && pb.State() == ms.StateIdle
	}) {
		t.Fatal("phones did not register")
	}
	a.Dial("6102", false)
	if !w.runUntil(51*100, func() bool { return a.Info().Active && b.Info().Active }) {
		t.Fatalf("call not active: %+v %+v", a.Info(), b.Info())
	}
	w.runUntil(26*20, func() bool { return false })
	// B is gone: its timeslot carries only noise, which the cell's
	// receiver hands up as bursts it cannot decode (as the DSP does).
	bch, ok := pb.Channel()
	if !ok || bch.Kind != l1.ChanTCHF || !w.cell.TrafficOf(bch.TN).Joined {
		t.Fatalf("B is on %v (%v), want a joined TCH/F", bch, ok)
	}
	tn := bch.TN
	w.phones, w.origin = w.phones[:1], w.origin[:1]
	var plan phy.Plan
	cleared := false
	for range 51 * 200 {
		w.cell.Plan(w.fn, &plan)
		w.step()
		if plan.Slots[tn] == phy.RxNormal {
			w.cell.Receive(&tdma.RxBurst{FN: w.fn.Add(-1), TN: tn, Kind: tdma.KindNormal, RSSI: -115})
		}
		if pa.State() == ms.StateIdle && len(*results) == 1 {
			cleared = true
			break
		}
	}
	if !cleared {
		t.Fatalf("A not cleared after B vanished: %v %+v; stats %+v", pa.State(), a.Info(), w.net.CallStats())
	}
	if a.Info().Cause != cc.CauseTemporaryFailure {
		t.Errorf("A's cause %v, want #41", a.Info().Cause)
	}
	w.runUntil(51*10, func() bool { return false })
	for i, st := range w.cell.Channels() {
		if st != bts.ChanFree {
			t.Errorf("channel %v is %v", w.cell.ChannelList()[i], st)
		}
	}
	if s := w.cell.Stats().Dedicated; s.RadioLinkLost != 1 {
		t.Errorf("radio links lost %d, want 1", s.RadioLinkLost)
	}
	if len(cdrs.recs) != 1 || cdrs.recs[0].Cause != uint8(cc.CauseTemporaryFailure) || cdrs.recs[0].Duration() == 0 {
		t.Errorf("CDRs %+v", cdrs.recs)
	}
	if st := w.net.CallStats(); st.RadioLost != 1 {
		t.Errorf("call stats %+v", st)
	}
}

// Calls that do not get through end cleanly on both sides, over the air:
// the right cause at the caller (and the callee), both phones idle, every
// channel free, a CDR with the cause.
func TestCallFailuresOnAir(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dial     string
		answer   int // the callee's AnswerAfter
		hangup   int // the caller hangs up this many frames after dialling (0: never)
		busy     bool
		want     cc.CauseValue
		calleeTo cc.CauseValue // the callee's cause, 0 if it never got the call
	}{
		{name: "unknown number", dial: "6999", answer: 0, want: cc.CauseUnassignedNumber},
		{name: "callee never answers", dial: "6202", answer: -1, want: cc.CauseNoAnswer, calleeTo: cc.CauseRecoveryOnTimerExpiry},
		{name: "caller hangs up ringing", dial: "6202", answer: -1, hangup: 1200, want: cc.CauseNormalClearing, calleeTo: cc.CauseNormalClearing},
		{name: "callee rejects busy", dial: "6202", busy: true, want: cc.CauseUserBusy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, cdrs, results := newCallWorld(t, CallConfig{NoAnswer: 10 * time.Second}, true, 2, 3, 4, 5)
			pa, a := w.addCaller("001010000000201", "6201", ms.CallConfig{}, newTalker(5))
			pb, b := w.addCaller("001010000000202", "6202", ms.CallConfig{AnswerAfter: tc.answer, Busy: tc.busy}, newTalker(6))
			if !w.runUntil(51*300, func() bool {
				return pa.Stats().Registered && pb.Stats().Registered && pa.State() == ms.StateIdle && pb.State() == ms.StateIdle
			}) {
				t.Fatal("phones did not register")
			}
			a.Dial(tc.dial, false)
			if tc.hangup > 0 {
				a.HangupAfter(tc.hangup)
			}
			if !w.runUntil(51*150, func() bool {
				return a.Info().Ended && pa.State() == ms.StateIdle && pb.State() == ms.StateIdle && len(*results) == 1
			}) {
				t.Fatalf("not over: A %v %+v, B %v %+v, calls %+v", pa.State(), a.Info(), pb.State(), b.Info(), w.net.CallStats())
			}
			if got := a.Info().Cause; got != tc.want {
				t.Errorf("caller's cause %v, want %v", got, tc.want)
			}
			if tc.calleeTo != 0 && (b.Info().Cause != tc.calleeTo || !b.Info().Ended) {
				t.Errorf("callee's call %+v, want ended with %v", b.Info(), tc.calleeTo)
			}
			w.runUntil(51*10, func() bool { return false })
			for i, st := range w.cell.Channels() {
				if st != bts.ChanFree {
					t.Errorf("channel %v is %v", w.cell.ChannelList()[i], st)
				}
			}
			if len(cdrs.recs) != 1 || cdrs.recs[0].Cause != uint8(tc.want) || cdrs.recs[0].Duration() != 0 {
				t.Errorf("CDRs %+v", cdrs.recs)
			}
		})
	}
}

// An emergency call over the air from a phone that is not registered (a
// roamer the network refused, #13): Emergency Setup is accepted without
// authentication (TS 24.008 §4.5.1.5, TS 22.101 §10.1.1) and rings the
// [emergency] target, who answers and hears the caller.
func TestEmergencyUnregisteredOnAir(t *testing.T) {
	w, cdrs, results := newCallWorld(t, CallConfig{Emergency: "6202"}, true, 2, 3, 4, 5)
	w.net.cfg.MM.EmergencyCalls = true
	kb, ke := newTalker(7), newTalker(8)
	pb, b := w.addCaller("001010000000202", "6202", ms.CallConfig{AnswerAfter: 50}, kb)
	// A foreign SIM, not provisioned: its location update is refused.
	s := sim("001020000000999", crypto.COMP128v3)
	cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
	mcfg := &mm.MSConfig{Classmark1: cm1, IMEI: "490154203237518", Classmark2: l3.Classmark2{Classmark1: cm1, A53: true}}
	e := ms.NewCaller(ms.NewMM(mcfg, s), ms.CallConfig{Mouth: ke.mouth, Ear: ke.ear})
	pe, err := ms.New(ms.Config{SIM: s, Seed: 99, Upper: e})
	if err != nil {
		t.Fatal(err)
	}
	pe.PowerOn()
	w.phones, w.origin = append(w.phones, pe), append(w.origin, 77)
	if !w.runUntil(51*300, func() bool {
		return pb.Stats().Registered && pb.State() == ms.StateIdle && e.MS.LastCause() != 0 && pe.State() == ms.StateIdle
	}) {
		t.Fatalf("setup: B %+v, E cause %v state %v", pb.Stats(), e.MS.LastCause(), pe.State())
	}
	if e.Registered() {
		t.Fatal("the foreign phone registered")
	}
	e.Dial("112", true)
	if !w.runUntil(51*100, func() bool { return e.Info().Active && b.Info().Active }) {
		t.Fatalf("emergency call not active: E %+v (%v, busy %v, %+v), B %+v, stats %+v, ended %+v", e.Info(), pe.State(), e.MS.Busy(), pe.Stats(), b.Info(), w.net.CallStats(), w.ended)
	}
	w.runUntil(26*20, func() bool { return false })
	e.Hangup()
	if !w.runUntil(51*100, func() bool { return pe.State() == ms.StateIdle && pb.State() == ms.StateIdle && len(*results) == 1 }) {
		t.Fatal("not idle after the emergency call")
	}
	if ok, n, _ := simMatch(kb.heard, ke.sent); !ok || n < 50 {
		t.Errorf("the target heard %d frames of the caller's (match %v)", n, ok)
	}
	if len(cdrs.recs) != 1 || !cdrs.recs[0].Emergency || cdrs.recs[0].Callee != "6202" || cdrs.recs[0].Caller != "" {
		t.Errorf("CDR %+v", cdrs.recs)
	}
}

// simMatch is simphones.Match: heard frames in order among the sent ones.
func simMatch(heard, sent [][260]byte) (bool, int, int) {
	j, n, first := 0, 0, -1
	for _, h := range heard {
		for j < len(sent) && sent[j] != h {
			j++
		}
		if j == len(sent) {
			return false, n, 0
		}
		if first < 0 {
			first = j
		}
		n++
		j++
	}
	return n > 0, n, j - first - n
}
