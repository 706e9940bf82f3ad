package core

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// fakeTrunk records what the switch asks of the trunk.
type fakeTrunk struct {
	calls []string // "dial 1 5001 0049301234", "ringing 2147483649", ...
	open  map[uint32]bool
}

func (f *fakeTrunk) Route(number string, emergency bool) bool {
	return emergency || strings.HasPrefix(number, "00")
}
func (f *fakeTrunk) Dial(id uint32, from, to string, em bool) {
	f.open[id] = true
	f.calls = append(f.calls, fmt.Sprintf("dial %d %s %s %v", id, from, to, em))
}
func (f *fakeTrunk) Ringing(id uint32) { f.calls = append(f.calls, fmt.Sprintf("ringing %d", id)) }
func (f *fakeTrunk) Answer(id uint32)  { f.calls = append(f.calls, fmt.Sprintf("answer %d", id)) }
func (f *fakeTrunk) Hangup(id uint32, c cc.CauseValue) {
	delete(f.open, id)
	f.calls = append(f.calls, fmt.Sprintf("hangup %d #%d", id, c))
}
func (f *fakeTrunk) DTMF(id uint32, k byte, start bool) {
	if !start {
		f.calls = append(f.calls, fmt.Sprintf("dtmf %d stop", id))
		return
	}
	f.calls = append(f.calls, fmt.Sprintf("dtmf %d %c", id, k))
}

// event delivers ev as the trunk would: a call it ends is no longer open.
func (f *fakeTrunk) event(s *sw, ev TrunkEvent) []rsl.Down {
	if ev.Kind == TrunkEnded {
		delete(f.open, ev.Call)
	}
	return s.trunk(ev)
}

func (f *fakeTrunk) last() string {
	if len(f.calls) == 0 {
		return ""
	}
	return f.calls[len(f.calls)-1]
}

func newTrunkSwitch(t *testing.T, cfg CallConfig, tch ...uint8) (*sw, *fakeTrunk) {
	ft := &fakeTrunk{open: map[uint32]bool{}}
	cfg.Trunk = ft
	return newSwitch(t, cfg, tch...), ft
}

// trunk delivers a trunk event and returns the requests that follow.
func (s *sw) trunk(ev TrunkEvent) []rsl.Down {
	s.t.Helper()
	if err := s.net.TrunkEvent(ev); err != nil {
		s.t.Fatal(err)
	}
	return s.send(rsl.Up{Kind: rsl.MeasResult})
}

// trunkClean checks that no trunk call is left in the switch.
func (s *sw) trunkClean(ft *fakeTrunk) {
	s.t.Helper()
	if len(s.net.sw.ext) != 0 || len(ft.open) != 0 {
		s.t.Errorf("trunk calls left: switch %d, trunk %v", len(s.net.sw.ext), ft.open)
	}
}

// A phone dials an external number: Call Proceeding, FR TCH/F, Dial;
// early media gives Alerting with in-band progress and the speech path at
// once; the answer gives Connect; the far end's BYE (TrunkEnded #16)
// clears the phone; the CDR names trunk, direction and number.
func TestTrunkOutgoing(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	d := a.cc(setupTo("004930123", cc.FRv2, cc.FRv1))
	s.mustCC(d, a.ch, cc.MsgCallProceeding)
	if ft.last() != "dial 1 5001 004930123 false" {
		t.Fatalf("trunk asked %v", ft.calls)
	}
	a.moveTo(d)
	port := rsl.NewSpeechPort()
	d = s.trunk(TrunkEvent{Kind: TrunkEarlyMedia, Call: 1, Trunk: "prov", Port: port})
	al := s.mustCC(d, a.ch, cc.MsgAlerting).(*cc.Alerting)
	if !al.HasProgress || al.Progress.Description != cc.ProgressInBand {
		t.Errorf("Alerting %+v, want progress #8", al)
	}
	if tc, ok := findKind(d, rsl.TrafficConnect, a.ch); !ok || tc.Port != port || tc.Ref != a.ref {
		t.Fatalf("early media not joined: %v", kinds(d))
	}
	d = s.trunk(TrunkEvent{Kind: TrunkAnswered, Call: 1, Port: port})
	s.mustCC(d, a.ch, cc.MsgConnect)
	a.cc(&cc.ConnectAck{})
	a.cc(&cc.StartDTMF{Key: '5'})
	a.cc(&cc.StopDTMF{})
	if n := len(ft.calls); n < 2 || ft.calls[n-2] != "dtmf 1 5" || ft.calls[n-1] != "dtmf 1 stop" {
		t.Errorf("DTMF: %v", ft.calls)
	}
	s.now = s.now.Add(10 * time.Second)
	d = ft.event(s, TrunkEvent{Kind: TrunkEnded, Call: 1, Cause: cc.CauseNormalClearing})
	if m := s.mustCC(d, a.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseNormalClearing {
		t.Errorf("cause %v", m.Cause.Value)
	}
	s.finish(a)
	s.trunkClean(ft)
	r := s.lastCDR(cc.CauseNormalClearing, "callee")
	if r.Trunk != "prov" || r.Direction != "out" || r.External != "004930123" || r.Duration() < 10*time.Second || r.Duration() > 11*time.Second || r.Codec != "FR" {
		t.Errorf("CDR %+v", r)
	}
	if strings.Contains(strings.Join(ft.calls, ","), "hangup") {
		t.Errorf("the trunk was told to hang up a call it ended: %v", ft.calls)
	}
}

// 180 then 183 with SDP (as baresip sends them through kamailio): the
// Alerting of the 180 has no progress indicator, so the early media
// brings Progress #8 (TS 24.008 §5.5.1) and the speech path; a second
// 183 brings neither again.
func TestTrunkEarlyMediaAfterRinging(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	a.moveTo(a.cc(setupTo("004930123", cc.FRv1)))
	al := s.mustCC(s.trunk(TrunkEvent{Kind: TrunkRinging, Call: 1, Trunk: "prov"}), a.ch, cc.MsgAlerting).(*cc.Alerting)
	if al.HasProgress {
		t.Errorf("Alerting of a 180 %+v: want no progress indicator", al)
	}
	port := rsl.NewSpeechPort()
	d := s.trunk(TrunkEvent{Kind: TrunkEarlyMedia, Call: 1, Port: port})
	if p := s.mustCC(d, a.ch, cc.MsgProgress).(*cc.Progress); p.Progress.Description != cc.ProgressInBand {
		t.Errorf("Progress %+v, want #8", p)
	}
	if _, ok := findKind(d, rsl.TrafficConnect, a.ch); !ok {
		t.Fatalf("early media not joined: %v", kinds(d))
	}
	d = s.trunk(TrunkEvent{Kind: TrunkEarlyMedia, Call: 1, Port: port})
	if _, ok := findKind(d, rsl.TrafficConnect, a.ch); ok || len(d) != 0 {
		t.Errorf("a second 183 gave %v", kinds(d))
	}
	s.mustCC(s.trunk(TrunkEvent{Kind: TrunkAnswered, Call: 1, Port: port}), a.ch, cc.MsgConnect)
	a.cc(&cc.ConnectAck{})
	a.cc(&cc.Disconnect{Cause: cc.UserCause(cc.CauseNormalClearing)})
	s.finish(a)
	s.trunkClean(ft)
	if st := s.net.CallStats(); st.Relays != 1 {
		t.Errorf("%d relays, want 1", st.Relays)
	}
}

// The phone hangs up an outgoing call while it rings: the trunk is told
// once (#16: CANCEL), the channel is freed; a late event is ignored.
func TestTrunkOutgoingCallerHangsUp(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	a.moveTo(a.cc(setupTo("00123", cc.FRv1)))
	s.mustCC(s.trunk(TrunkEvent{Kind: TrunkRinging, Call: 1, Trunk: "p"}), a.ch, cc.MsgAlerting)
	a.cc(&cc.Disconnect{Cause: cc.UserCause(cc.CauseNormalClearing)})
	if ft.last() != "hangup 1 #16" {
		t.Errorf("trunk: %v", ft.calls)
	}
	s.trunk(TrunkEvent{Kind: TrunkAnswered, Call: 1})
	s.finish(a)
	s.trunkClean(ft)
	s.lastCDR(cc.CauseNormalClearing, "caller")
}

// The far end refuses (busy: #17 from 486): the phone is cleared with
// #17 and nothing is held. An unrouted unknown number stays #1.
func TestTrunkOutgoingRefused(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2, 3, 4)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	a.moveTo(a.cc(setupTo("00123", cc.FRv1)))
	d := ft.event(s, TrunkEvent{Kind: TrunkEnded, Call: 1, Cause: cc.CauseUserBusy})
	if m := s.mustCC(d, a.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseUserBusy {
		t.Errorf("cause %v", m.Cause.Value)
	}
	s.finish(a)
	s.trunkClean(ft)
	b := s.phone(imsiB, 1, 2)
	b.serviceRequest(mm.ServiceMOCall)
	d = b.cc(setupTo("777", cc.FRv1))
	if rc := s.mustCC(d, b.ch, cc.MsgReleaseComplete).(*cc.ReleaseComplete); rc.Cause.Value != cc.CauseUnassignedNumber {
		t.Errorf("cause %v", rc.Cause.Value)
	}
	s.finish(b)
}

// An emergency call with no local target goes out of a trunk that takes
// them.
func TestTrunkEmergency(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	s.mustCC(a.cc(setupTo("112", cc.FRv1)), a.ch, cc.MsgCallProceeding)
	if ft.last() != "dial 1 5001 112 true" {
		t.Fatalf("trunk asked %v", ft.calls)
	}
}

// An incoming call: the subscriber is paged and gets a Setup with the
// external caller's number; its Alerting rings the trunk, its Connect
// answers, and the TCH/F is joined to the port; the phone hangs up: the
// trunk is told #16 (BYE).
func TestTrunkIncoming(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2)
	b := s.phone(imsiB, 1, 2)
	port := rsl.NewSpeechPort()
	id := IncomingCall | 7
	d := s.trunk(TrunkEvent{Kind: TrunkIncoming, Call: id, Trunk: "prov", From: "+4930999", To: "5002", Port: port})
	if _, ok := findKind(d, rsl.PagingCmd, l1.Chan{}); !ok {
		t.Fatalf("not paged: %v", kinds(d))
	}
	d = b.pagingResponse()
	m := s.mustCC(d, b.ch, cc.MsgSetup).(*cc.Setup)
	if !m.HasCalling || m.Calling.Digits != "4930999" || m.Calling.TON != 1 || !m.Bearer.Supports(cc.FRv1) {
		t.Errorf("Setup %+v", m)
	}
	b.ti, b.flag = m.TI, true
	b.cc(&cc.CallConfirmed{HasBearer: true, Bearer: cc.SpeechBearer(1, cc.FRv2, cc.FRv1)})
	d = b.cc(&cc.Alerting{})
	if ft.last() != fmt.Sprintf("ringing %d", id) {
		t.Errorf("trunk: %v", ft.calls)
	}
	b.moveTo(d)
	d = b.cc(&cc.Connect{})
	s.mustCC(d, b.ch, cc.MsgConnectAck)
	if ft.last() != fmt.Sprintf("answer %d", id) {
		t.Errorf("trunk: %v", ft.calls)
	}
	if tc, ok := findKind(d, rsl.TrafficConnect, b.ch); !ok || tc.Port != port {
		t.Fatalf("not joined: %v", kinds(d))
	}
	b.cc(&cc.Disconnect{Cause: cc.UserCause(cc.CauseNormalClearing)})
	if ft.last() != fmt.Sprintf("hangup %d #16", id) {
		t.Errorf("trunk: %v", ft.calls)
	}
	s.finish(b)
	s.trunkClean(ft)
	r := s.lastCDR(cc.CauseNormalClearing, "callee")
	if r.Trunk != "prov" || r.Direction != "in" || r.External != "+4930999" || r.Callee != "5002" {
		t.Errorf("CDR %+v", r)
	}
}

// Incoming calls that cannot be put through: an unknown MSISDN (#1), a
// busy subscriber (#17), a phone out of coverage (paging unanswered, #18),
// the caller giving up while the phone rings (CANCEL: TrunkEnded).
func TestTrunkIncomingFailures(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2, 3, 4)
	s.trunk(TrunkEvent{Kind: TrunkIncoming, Call: IncomingCall | 1, From: "1", To: "9999"})
	if ft.last() != fmt.Sprintf("hangup %d #1", IncomingCall|1) {
		t.Errorf("unknown: %v", ft.calls)
	}
	// Busy: B is in a call with A.
	a, b := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2)
	s.ring(a, b, "5002")
	s.trunk(TrunkEvent{Kind: TrunkIncoming, Call: IncomingCall | 2, From: "1", To: "5002"})
	if ft.last() != fmt.Sprintf("hangup %d #17", IncomingCall|2) {
		t.Errorf("busy: %v", ft.calls)
	}
	a.cc(&cc.Disconnect{Cause: cc.UserCause(cc.CauseNormalClearing)})
	s.finish(a, b)
	// Out of coverage: paging goes unanswered.
	s.trunk(TrunkEvent{Kind: TrunkIncoming, Call: IncomingCall | 3, From: "1", To: "5003"})
	s.now = s.now.Add(DefaultPageTimeout + time.Second)
	s.send(rsl.Up{Kind: rsl.MeasResult})
	if ft.last() != fmt.Sprintf("hangup %d #18", IncomingCall|3) {
		t.Errorf("no page response: %v", ft.calls)
	}
	// CANCEL while the phone rings.
	c := s.phone(imsiC, 2, 3)
	s.trunk(TrunkEvent{Kind: TrunkIncoming, Call: IncomingCall | 4, From: "1", To: "5003"})
	d := c.pagingResponse()
	m := s.mustCC(d, c.ch, cc.MsgSetup).(*cc.Setup)
	c.ti, c.flag = m.TI, true
	c.cc(&cc.CallConfirmed{})
	d = c.cc(&cc.Alerting{})
	if m, ok := findCC(d, c.ch, cc.MsgDisconnect); ok {
		t.Fatalf("C disconnected at Alerting: %+v", m)
	}
	c.moveTo(d)
	d = ft.event(s, TrunkEvent{Kind: TrunkEnded, Call: IncomingCall | 4, Cause: cc.CauseNormalClearing})
	s.mustCC(d, c.ch, cc.MsgDisconnect)
	s.finish(c)
	s.trunkClean(ft)
	if n := strings.Count(strings.Join(ft.calls, ","), "hangup"); n != 3 {
		t.Errorf("%d hangups, want 3: %v", n, ft.calls)
	}
	if len(s.cdrs.recs) != 5 {
		t.Errorf("%d CDRs, want 5", len(s.cdrs.recs))
	}
}

// A second incoming call for a phone that rings is refused #17; the
// first, cancelled by the far end, then clears the phone.
func TestTrunkIncomingBusyThenCancel(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2, 3)
	b := s.phone(imsiB, 1, 2)
	id1, id2 := IncomingCall|1, IncomingCall|2
	s.trunk(TrunkEvent{Kind: TrunkIncoming, Call: id1, From: "1", To: "5002", Port: rsl.NewSpeechPort()})
	d := b.pagingResponse()
	m := s.mustCC(d, b.ch, cc.MsgSetup).(*cc.Setup)
	b.ti, b.flag = m.TI, true
	b.cc(&cc.CallConfirmed{})
	b.moveTo(b.cc(&cc.Alerting{}))
	s.trunk(TrunkEvent{Kind: TrunkIncoming, Call: id2, From: "1", To: "5002"})
	if ft.last() != fmt.Sprintf("hangup %d #17", id2) {
		t.Errorf("second call: %v", ft.calls)
	}
	d = ft.event(s, TrunkEvent{Kind: TrunkEnded, Call: id1, Cause: cc.CauseNormalClearing})
	s.mustCC(d, b.ch, cc.MsgDisconnect)
	s.finish(b)
	s.trunkClean(ft)
}

// The far end gives up while the ringing phone is moving to its TCH/F:
// the Disconnect waits for the Assignment Complete (a message sent on
// the SDCCH then would be lost with it) and is sent on the TCH/F.
func TestTrunkCancelDuringAssignment(t *testing.T) {
	s, ft := newTrunkSwitch(t, CallConfig{}, 2)
	b := s.phone(imsiB, 1, 2)
	id := IncomingCall | 1
	s.trunk(TrunkEvent{Kind: TrunkIncoming, Call: id, From: "1", To: "5002", Port: rsl.NewSpeechPort()})
	d := b.pagingResponse()
	m := s.mustCC(d, b.ch, cc.MsgSetup).(*cc.Setup)
	b.ti, b.flag = m.TI, true
	b.cc(&cc.CallConfirmed{})
	assign := b.cc(&cc.Alerting{})
	d = ft.event(s, TrunkEvent{Kind: TrunkEnded, Call: id, Cause: cc.CauseNormalClearing})
	if _, ok := findCC(d, b.ch, cc.MsgDisconnect); ok {
		t.Fatalf("Disconnect sent on %v during the assignment", b.ch)
	}
	d = b.moveTo(assign)
	if m := s.mustCC(d, b.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseNormalClearing {
		t.Errorf("cause %v", m.Cause.Value)
	}
	s.finish(b)
	s.trunkClean(ft)
}

// Any sequence of trunk events (for calls known or not, in any order,
// with any cause) around an outgoing and an incoming trunk call, then
// both phones gone: no panic, and nothing is left in the switch or open
// at the trunk.
func FuzzTrunkEvents(f *testing.F) {
	f.Add([]byte{0, 2, 3, 16})
	f.Add([]byte{4, 1, 2, 5, 6, 3, 17})
	f.Add([]byte{1, 2, 7, 3, 0, 4, 4, 6, 6})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		s, ft := newTrunkSwitch(t, CallConfig{}, 2, 3, 4)
		a, b := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2)
		a.serviceRequest(mm.ServiceMOCall)
		a.moveTo(a.cc(setupTo("00123", cc.FRv1)))
		ids := []uint32{1, IncomingCall | 1, IncomingCall | 2, 77}
		paged := false
		for i := 0; i < len(ops); i++ {
			arg := byte(0)
			if i+1 < len(ops) {
				arg = ops[i+1]
			}
			id := ids[int(arg)%len(ids)]
			switch ops[i] % 8 {
			case 0:
				ft.event(s, TrunkEvent{Kind: TrunkRinging, Call: id})
			case 1:
				ft.event(s, TrunkEvent{Kind: TrunkEarlyMedia, Call: id, Port: rsl.NewSpeechPort()})
			case 2:
				ft.event(s, TrunkEvent{Kind: TrunkAnswered, Call: id, Port: rsl.NewSpeechPort()})
			case 3:
				ft.event(s, TrunkEvent{Kind: TrunkEnded, Call: id, Cause: cc.CauseValue(arg % 128)})
				i++
			case 4:
				ft.event(s, TrunkEvent{Kind: TrunkIncoming, Call: id, From: "+1", To: []string{"5002", "5003", "9"}[int(arg)%3]})
				i++
			case 5:
				a.cc(&cc.Disconnect{Cause: cc.UserCause(cc.CauseNormalClearing)})
			case 6:
				s.now = s.now.Add(5 * time.Second)
				s.send(rsl.Up{Kind: rsl.MeasResult})
			case 7:
				if !paged {
					paged = true
					d := b.pagingResponse()
					if m, ok := findCC(d, b.ch, cc.MsgSetup); ok {
						b.ti, b.flag = m.(*cc.Setup).TI, true
						b.cc(&cc.CallConfirmed{})
						b.cc(&cc.Alerting{})
						b.cc(&cc.Connect{})
					}
				}
			}
		}
		a.released()
		b.released()
		for _, id := range ids {
			if ft.open[id] {
				ft.event(s, TrunkEvent{Kind: TrunkEnded, Call: id, Cause: cc.CauseNormalClearing})
			}
		}
		s.now = s.now.Add(time.Minute)
		s.send(rsl.Up{Kind: rsl.MeasResult})
		sw := &s.net.sw
		if len(sw.calls) != 0 || len(sw.ext) != 0 || len(sw.byIMSI) != 0 || len(sw.byTag) != 0 || len(ft.open) != 0 {
			t.Errorf("left after % x: %d calls, %d trunk calls, %d subscribers, %d activations, trunk open %v; trunk %v",
				ops, len(sw.calls), len(sw.ext), len(sw.byIMSI), len(sw.byTag), ft.open, ft.calls)
			for _, c := range sw.calls {
				t.Logf("call %+v ext %+v a %+v b %+v", c, c.ext, c.a, c.b)
			}
		}
	})
}
