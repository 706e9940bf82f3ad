package core

import (
	"fmt"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core/cdr"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/rsl/rsltest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// memCDR keeps records in memory.
type memCDR struct{ recs []cdr.Record }

func (m *memCDR) Append(r cdr.Record) error { m.recs = append(m.recs, r); return nil }

// sw is a switch test: a core above a fake cell with scripted phones.
type sw struct {
	*fakeCell
	cdrs    *memCDR
	results []CallResult
	reqs    []rsl.Down // everything the core asked for, in order
	freeTCH []uint8    // TNs the fake cell still has
	nextRef uint32
	refs    map[uint8]uint32 // TN → Ref of its last activation
}

const (
	imsiA, imsiB, imsiC = "001010000000011", "001010000000012", "001010000000013"
)

func newSwitch(t *testing.T, cfg CallConfig, tch ...uint8) *sw {
	reg, _ := registrytest.NewRegistry(t, registry.Policy{Mode: registry.ModeClosed})
	for i, s := range []struct{ imsi, msisdn string }{{imsiA, "5001"}, {imsiB, "5002"}, {imsiC, "5003"}} {
		if _, err := reg.Add(registry.Subscriber{IMSI: s.imsi, MSISDN: s.msisdn}); err != nil {
			t.Fatal(i, err)
		}
		if _, err := reg.UpdateLocation(s.imsi, registry.LAI{PLMN: cellLAI.PLMN, LAC: cellLAI.LAC}, false); err != nil {
			t.Fatal(err)
		}
	}
	s := &sw{cdrs: &memCDR{}, freeTCH: tch, nextRef: 100, refs: map[uint8]uint32{}}
	cfg.CDR = s.cdrs
	cfg.OnCall = func(r CallResult) { s.results = append(s.results, r) }
	net, err := New(Config{MM: mm.Config{LAI: cellLAI, EmergencyCalls: true}, HLR: NewHLR(reg), SyncHLR: true, Calls: cfg})
	if err != nil {
		t.Fatal(err)
	}
	s.fakeCell = &fakeCell{t: t, net: net, c: rsltest.New(5, net.Up(), 256), now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	net.AddCell(5, s.c.Down)
	return s
}

// send delivers an event and plays the fake cell's part for CHAN ACTIV:
// a TCH/F from its list, or a NACK. It returns the other requests.
func (s *sw) send(u rsl.Up) []rsl.Down {
	var out []rsl.Down
	pending := []rsl.Up{u}
	for len(pending) > 0 {
		d := s.up(pending[0])
		pending = pending[1:]
		s.reqs = append(s.reqs, d...)
		for _, r := range d {
			if r.Kind != rsl.ChanActivate {
				out = append(out, r)
				continue
			}
			if len(s.freeTCH) == 0 {
				pending = append(pending, rsl.Up{Kind: rsl.ChanActivNack, Chan: r.Chan, Tag: r.Tag})
				continue
			}
			tn := s.freeTCH[0]
			s.freeTCH = s.freeTCH[1:]
			s.nextRef++
			s.refs[tn] = s.nextRef
			desc := rr.ChannelDesc{Type: rr.ChanTCHF, TN: 0, TSC: 7, ARFCN: 62}
			desc.TN = tdma.TN(tn)
			b := make([]byte, 3)
			desc.MarshalTo(b)
			pending = append(pending, rsl.Up{Kind: rsl.ChanActivAck, Chan: tchChan(tn), Ref: s.nextRef, Tag: r.Tag, Msg: b})
		}
	}
	return out
}

func tchChan(tn uint8) l1.Chan { return l1.Chan{Kind: l1.ChanTCHF, TN: tdma.TN(tn)} }

// phone is a scripted MS: where it is and its call's TI.
type phone struct {
	s    *sw
	imsi string
	ch   l1.Chan
	ref  uint32
	ti   uint8
	flag bool // the TI flag the MS sends (true for an MT call)
	nsd  uint8
}

func (s *sw) phone(imsi string, sub uint8, ref uint32) *phone {
	return &phone{s: s, imsi: imsi, ch: l1.Chan{Kind: l1.ChanSDCCH4, Sub: sub}, ref: ref}
}

func (p *phone) est(msg []byte) []rsl.Down {
	return p.s.send(rsl.Up{Kind: rsl.EstablishInd, Chan: p.ch, Ref: p.ref, Msg: msg})
}

func (p *phone) data(msg []byte) []rsl.Down {
	return p.s.send(rsl.Up{Kind: rsl.DataInd, Chan: p.ch, Ref: p.ref, Msg: msg})
}

func (p *phone) cc(m cc.Message) []rsl.Down {
	*m.Hdr() = cc.Header{TI: p.ti, TIFlag: p.flag, NSD: p.nsd}
	p.nsd++
	b, err := cc.Marshal(m)
	if err != nil {
		p.s.t.Fatal(err)
	}
	return p.data(b)
}

func (p *phone) rr(m interface{ MarshalTo([]byte) (int, error) }) []rsl.Down {
	b := make([]byte, 64)
	n, err := m.MarshalTo(b)
	if err != nil {
		p.s.t.Fatal(err)
	}
	return p.data(b[:n])
}

// serviceRequest opens an MM connection for a call.
func (p *phone) serviceRequest(svc mm.ServiceType) []rsl.Down {
	return p.est(encodeMM(p.s.t, &mm.CMServiceRequest{Service: svc, CKSN: 7,
		Classmark2: l3.Classmark2{Classmark1: l3.Classmark1{Revision: 1, A51: true}}, Identity: l3.IMSI(p.imsi)}))
}

func (p *phone) pagingResponse() []rsl.Down {
	pr := rr.PagingResponse{CKSN: 7, Classmark: l3.Classmark2{Classmark1: l3.Classmark1{Revision: 1, A51: true}}, Identity: l3.IMSI(p.imsi)}
	b := make([]byte, 32)
	n, _ := pr.MarshalTo(b)
	return p.est(b[:n])
}

// moveTo follows an Assignment Command: SABM on the TCH, then Assignment
// Complete there.
func (p *phone) moveTo(d []rsl.Down) []rsl.Down {
	p.s.t.Helper()
	r, ok := findRR(d, rr.MsgAssignmentCommand)
	if !ok || r.Chan != p.ch {
		p.s.t.Fatalf("%s: no Assignment Command on %v in %v", p.imsi, p.ch, kinds(d))
	}
	var ac rr.AssignmentCommand
	if err := ac.Unmarshal(r.Msg); err != nil {
		p.s.t.Fatal(err)
	}
	old := p.ch
	p.ch, p.ref = tchChan(uint8(ac.Chan.TN)), p.s.refOf(uint8(ac.Chan.TN))
	out := p.est(nil)
	if _, ok := findKind(out, rsl.ChanRelease, old); !ok {
		p.s.t.Errorf("%s: the SDCCH %v was not released on arrival on the TCH: %v", p.imsi, old, kinds(out))
	}
	return append(out, p.rr(&rr.AssignmentComplete{})...)
}

// refOf is the Ref of the last activation of a TN.
func (s *sw) refOf(tn uint8) uint32 { return s.refs[tn] }

func kinds(d []rsl.Down) []string {
	var out []string
	for _, r := range d {
		s := r.Kind.String()
		if r.Kind == rsl.DataReq && len(r.Msg) > 1 {
			switch l3.PD(r.Msg[0] & 0x0f) {
			case l3.PDCC:
				s += " CC " + cc.MsgType(r.Msg[1]&0x3f).String()
			case l3.PDRR:
				s += fmt.Sprintf(" RR %#02x", r.Msg[1])
			case l3.PDMM:
				s += " MM"
			}
		}
		out = append(out, s+" "+r.Chan.String())
	}
	return out
}

func findKind(d []rsl.Down, k rsl.DownKind, ch l1.Chan) (rsl.Down, bool) {
	for _, r := range d {
		if r.Kind == k && r.Chan == ch {
			return r, true
		}
	}
	return rsl.Down{}, false
}

func findRR(d []rsl.Down, t rr.MsgType) (rsl.Down, bool) {
	for _, r := range d {
		if r.Kind == rsl.DataReq && len(r.Msg) > 1 && l3.PD(r.Msg[0]&0x0f) == l3.PDRR && rr.MsgType(r.Msg[1]) == t {
			return r, true
		}
	}
	return rsl.Down{}, false
}

// findCC returns the CC message of type t sent on ch.
func findCC(d []rsl.Down, ch l1.Chan, t cc.MsgType) (cc.Message, bool) {
	for _, r := range d {
		if r.Kind == rsl.DataReq && r.Chan == ch && len(r.Msg) > 1 && l3.PD(r.Msg[0]&0x0f) == l3.PDCC && cc.MsgType(r.Msg[1]&0x3f) == t {
			m, err := cc.Decode(r.Msg)
			return m, err == nil
		}
	}
	return nil, false
}

func (s *sw) mustCC(d []rsl.Down, ch l1.Chan, t cc.MsgType) cc.Message {
	s.t.Helper()
	m, ok := findCC(d, ch, t)
	if !ok {
		s.t.Fatalf("no %v on %v in %v", t, ch, kinds(d))
	}
	return m
}

func setupTo(num string, versions ...cc.SpeechVersion) *cc.Setup {
	return &cc.Setup{HasBearer: true, Bearer: cc.SpeechBearer(1, versions...), HasCalled: true, Called: cc.Number{TON: 0, NPI: 1, Digits: num}}
}

// release ends a phone's channel as the cell would after Channel Release.
func (p *phone) released() []rsl.Down {
	return p.s.send(rsl.Up{Kind: rsl.ChanReleased, Chan: p.ch, Ref: p.ref})
}

// A call from A to B on one cell, end to end on the seam: CM service,
// Setup, early assignment of A to a TCH/F, paging B, Setup to B, its Call
// Confirmed (FR only, so the codec is FR and A, assigned EFR first, gets a
// Channel Mode Modify), B assigned, Alerting, Connect, the speech relay,
// the caller's Disconnect clearing both legs, both channels released and
// one CDR.
func TestCallMOtoMT(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2, 3)
	a, b := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2)
	d := a.serviceRequest(mm.ServiceMOCall)
	if len(d) != 1 || d[0].Kind != rsl.DataReq || d[0].Msg[1]&0x3f != byte(mm.MsgCMServiceAccept) {
		t.Fatalf("after CM Service Request: %v, want CM Service Accept", kinds(d))
	}
	d = a.cc(setupTo("5002", cc.FRv2, cc.FRv1))
	s.mustCC(d, a.ch, cc.MsgCallProceeding)
	if _, ok := findKind(d, rsl.PagingCmd, l1.Chan{}); !ok {
		t.Fatalf("B not paged: %v", kinds(d))
	}
	ac, _ := findRR(d, rr.MsgAssignmentCommand)
	var cmd rr.AssignmentCommand
	if err := cmd.Unmarshal(ac.Msg); err != nil || cmd.Mode != rr.ModeSpeechV2 || cmd.Chan.TN != 2 {
		t.Fatalf("A's Assignment Command %+v (%v), want TN2 in EFR", cmd, err)
	}
	d = a.moveTo(d)
	if len(d) != 1 {
		t.Errorf("after A's Assignment Complete: %v, want only the SDCCH's release", kinds(d))
	}
	d = b.pagingResponse()
	m := s.mustCC(d, b.ch, cc.MsgSetup).(*cc.Setup)
	if !m.HasCalling || m.Calling.Digits != "5001" || !m.Bearer.Supports(cc.FRv2) {
		t.Errorf("B's Setup %+v, want calling 5001 with A's codecs", m)
	}
	b.ti, b.flag = m.TI, true
	d = b.cc(&cc.CallConfirmed{HasBearer: true, Bearer: cc.SpeechBearer(1, cc.FRv1)})
	mod, ok := findRR(d, rr.MsgChannelModeModify)
	if !ok || mod.Chan != a.ch {
		t.Fatalf("no Channel Mode Modify to A after B confirmed FR only: %v", kinds(d))
	}
	a.rr(&rr.ChannelModeModifyAck{Chan: cmd.Chan, Mode: rr.ModeSpeechV1})
	d = b.cc(&cc.Alerting{})
	s.mustCC(d, a.ch, cc.MsgAlerting)
	b.moveTo(d)
	d = b.cc(&cc.Connect{})
	s.mustCC(d, b.ch, cc.MsgConnectAck)
	s.mustCC(d, a.ch, cc.MsgConnect)
	tc, ok := findKind(d, rsl.TrafficConnect, a.ch)
	if !ok || tc.Peer != b.ch || tc.Ref != a.ref || tc.PeerRef != b.ref {
		t.Fatalf("no speech relay A↔B: %v (%+v)", kinds(d), tc)
	}
	a.cc(&cc.ConnectAck{})
	s.now = s.now.Add(30 * time.Second)
	d = a.cc(&cc.Disconnect{Cause: cc.UserCause(cc.CauseNormalClearing)})
	s.mustCC(d, a.ch, cc.MsgRelease)
	disc := s.mustCC(d, b.ch, cc.MsgDisconnect).(*cc.Disconnect)
	if disc.Cause.Value != cc.CauseNormalClearing {
		t.Errorf("B's Disconnect cause %v, want #16", disc.Cause.Value)
	}
	d = a.cc(&cc.ReleaseComplete{})
	if r, ok := findKind(d, rsl.ChanRelease, a.ch); !ok || len(r.Msg) == 0 {
		t.Errorf("A's channel not released: %v", kinds(d))
	}
	d = b.cc(&cc.Release{})
	s.mustCC(d, b.ch, cc.MsgReleaseComplete)
	if _, ok := findKind(d, rsl.ChanRelease, b.ch); !ok {
		t.Errorf("B's channel not released: %v", kinds(d))
	}
	a.released()
	b.released()
	if len(s.cdrs.recs) != 1 || len(s.results) != 1 {
		t.Fatalf("%d CDRs, %d results; want 1", len(s.cdrs.recs), len(s.results))
	}
	r := s.cdrs.recs[0]
	if r.Caller != "5001" || r.Callee != "5002" || r.Cause != 16 || r.ClearedBy != "caller" || r.Codec != "FR" || r.Duration() < 30*time.Second || r.Duration() > 31*time.Second {
		t.Errorf("CDR %+v (duration %v)", r, r.Duration())
	}
	if snap := s.net.Snapshot(); snap.Calls.Setups != 1 || snap.ActiveCalls != 0 {
		t.Errorf("snapshot calls %+v, %d active", snap.Calls, snap.ActiveCalls)
	}
	st := s.net.CallStats()
	if st.Setups != 1 || st.Answered != 1 || st.Relays != 1 || st.Assigned != 2 || st.Modified != 1 || st.Ended != 1 {
		t.Errorf("call stats %+v", st)
	}
	if snap := s.net.Snapshot(); snap.Connections != 0 || len(snap.Sessions) != 0 {
		t.Errorf("after the call: %d connections, sessions %+v", snap.Connections, snap.Sessions)
	}
}

// ring brings a call from a to b up to Alerting (both on TCH/Fs, EFR).
func (s *sw) ring(a, b *phone, to string) {
	s.t.Helper()
	a.serviceRequest(mm.ServiceMOCall)
	d := a.cc(setupTo(to, cc.FRv2, cc.FRv1))
	a.moveTo(d)
	d = b.pagingResponse()
	m := s.mustCC(d, b.ch, cc.MsgSetup).(*cc.Setup)
	b.ti, b.flag = m.TI, true
	b.cc(&cc.CallConfirmed{HasBearer: true, Bearer: cc.SpeechBearer(1, cc.FRv2, cc.FRv1)})
	d = b.cc(&cc.Alerting{})
	s.mustCC(d, a.ch, cc.MsgAlerting)
	b.moveTo(d)
}

// answer brings a ringing call to active.
func (s *sw) answer(a, b *phone) {
	s.t.Helper()
	d := b.cc(&cc.Connect{})
	s.mustCC(d, a.ch, cc.MsgConnect)
	a.cc(&cc.ConnectAck{})
}

// finish plays both phones' part in the clearing that has started and
// checks that every channel is released with no call left.
func (s *sw) finish(ps ...*phone) {
	s.t.Helper()
	for _, p := range ps {
		// Whatever the network sent last to p, the phone completes it.
		var last cc.MsgType
		for _, r := range s.reqs {
			if r.Kind == rsl.DataReq && r.Chan == p.ch && len(r.Msg) > 1 && l3.PD(r.Msg[0]&0x0f) == l3.PDCC {
				last = cc.MsgType(r.Msg[1] & 0x3f)
			}
		}
		switch last {
		case cc.MsgDisconnect:
			p.cc(&cc.Release{})
		case cc.MsgRelease:
			p.cc(&cc.ReleaseComplete{})
		}
		p.released()
	}
	if snap := s.net.Snapshot(); snap.Connections != 0 {
		s.t.Errorf("%d connections left", snap.Connections)
	}
	if len(s.net.sw.calls) != 0 || len(s.net.sw.byIMSI) != 0 || len(s.net.sw.assigning) != 0 || len(s.net.sw.byTag) != 0 {
		s.t.Errorf("switch state left: %d calls, %d subscribers, %d assignments, %d activations",
			len(s.net.sw.calls), len(s.net.sw.byIMSI), len(s.net.sw.assigning), len(s.net.sw.byTag))
	}
}

func (s *sw) lastCDR(cause cc.CauseValue, by string) cdr.Record {
	s.t.Helper()
	if len(s.cdrs.recs) == 0 {
		s.t.Fatalf("no CDR")
	}
	r := s.cdrs.recs[len(s.cdrs.recs)-1]
	if r.Cause != uint8(cause) || r.ClearedBy != by {
		s.t.Errorf("CDR cause #%d by %s, want #%d by %s", r.Cause, r.ClearedBy, cause, by)
	}
	return r
}

// A call to an unknown number is refused with #1, the channel released.
func TestCallUnknownNumber(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2, 3)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	d := a.cc(setupTo("9999", cc.FRv1))
	rc := s.mustCC(d, a.ch, cc.MsgReleaseComplete).(*cc.ReleaseComplete)
	if !rc.HasCause || rc.Cause.Value != cc.CauseUnassignedNumber {
		t.Errorf("Release Complete %+v, want #1", rc)
	}
	if _, ok := findKind(d, rsl.ChanRelease, a.ch); !ok {
		t.Errorf("channel not released: %v", kinds(d))
	}
	s.finish(a)
	s.lastCDR(cc.CauseUnassignedNumber, "network")
	if s.net.CallStats().Unknown != 1 {
		t.Error("not counted")
	}
}

// A call to a phone already in a call gets #17 and leaves the call alone.
func TestCallBusy(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2, 3, 4)
	a, b, c := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2), s.phone(imsiC, 2, 3)
	s.ring(a, b, "5002")
	s.answer(a, b)
	c.serviceRequest(mm.ServiceMOCall)
	d := c.cc(setupTo("5002", cc.FRv1))
	rc := s.mustCC(d, c.ch, cc.MsgReleaseComplete).(*cc.ReleaseComplete)
	if rc.Cause.Value != cc.CauseUserBusy {
		t.Errorf("cause %v, want #17", rc.Cause.Value)
	}
	if _, ok := findKind(d, rsl.PagingCmd, l1.Chan{}); ok {
		t.Error("a busy callee was paged")
	}
	c.released()
	s.lastCDR(cc.CauseUserBusy, "network")
	// A calling itself is busy too.
	if s.net.CallStats().Busy != 1 || len(s.net.sw.calls) != 1 {
		t.Errorf("stats %+v, calls %d", s.net.CallStats(), len(s.net.sw.calls))
	}
}

// With no TCH/F free the caller gets #34, and nothing is held.
func TestCallNoTCH(t *testing.T) {
	s := newSwitch(t, CallConfig{})
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	d := a.cc(setupTo("5002", cc.FRv1))
	disc := s.mustCC(d, a.ch, cc.MsgDisconnect).(*cc.Disconnect)
	if disc.Cause.Value != cc.CauseNoChannelAvailable {
		t.Errorf("cause %v, want #34", disc.Cause.Value)
	}
	s.finish(a)
	s.lastCDR(cc.CauseNoChannelAvailable, "network")
}

// The caller hangs up while the callee rings: the callee's ringing stops
// with #16, both channels go, the CDR has no answer time.
func TestCallerHangsUpRinging(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2, 3)
	a, b := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2)
	s.ring(a, b, "5002")
	d := a.cc(&cc.Disconnect{Cause: cc.UserCause(cc.CauseNormalClearing)})
	if m := s.mustCC(d, b.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseNormalClearing {
		t.Errorf("callee's cause %v", m.Cause.Value)
	}
	s.finish(a, b)
	if r := s.lastCDR(cc.CauseNormalClearing, "caller"); !r.Answer.IsZero() || r.Duration() != 0 {
		t.Errorf("CDR of an unanswered call %+v", r)
	}
}

// The callee never answers: after NoAnswer (T301) the caller gets #19.
func TestCallNoAnswer(t *testing.T) {
	s := newSwitch(t, CallConfig{NoAnswer: 5 * time.Second}, 2, 3)
	a, b := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2)
	s.ring(a, b, "5002")
	s.now = s.now.Add(6 * time.Second)
	d := s.send(rsl.Up{Kind: rsl.MeasResult})
	if m := s.mustCC(d, a.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseNoAnswer {
		t.Errorf("caller's cause %v, want #19", m.Cause.Value)
	}
	s.mustCC(d, b.ch, cc.MsgDisconnect)
	s.finish(a, b)
	s.lastCDR(cc.CauseNoAnswer, "network")
}

// The callee's phone vanishes mid-call (radio link failure): the caller
// is cleared with #41 and both channels are freed.
func TestCallRadioLinkFailure(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2, 3)
	a, b := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2)
	s.ring(a, b, "5002")
	s.answer(a, b)
	s.send(rsl.Up{Kind: rsl.ConnFailure, Chan: b.ch, Ref: b.ref})
	d := b.released()
	if m := s.mustCC(d, a.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseTemporaryFailure {
		t.Errorf("caller's cause %v, want #41", m.Cause.Value)
	}
	s.finish(a)
	s.lastCDR(cc.CauseTemporaryFailure, "network")
	if s.net.CallStats().RadioLost != 1 {
		t.Error("radio loss not counted")
	}
}

// A phone with no SIM (identified by IMEI) dials an emergency call: it is
// routed to the [emergency] MSISDN, whose phone rings.
func TestEmergencyUnregistered(t *testing.T) {
	s := newSwitch(t, CallConfig{Emergency: "5003"}, 2, 3)
	e, c := s.phone("", 0, 1), s.phone(imsiC, 1, 2)
	d := e.est(encodeMM(t, &mm.CMServiceRequest{Service: mm.ServiceEmergencyCall, CKSN: 7,
		Classmark2: l3.Classmark2{Classmark1: l3.Classmark1{Revision: 1, A51: true}}, Identity: l3.MobileIdentity{Type: l3.IdentityIMEI, Digits: "490154203237518"}}))
	if len(d) != 1 || d[0].Msg[1]&0x3f != byte(mm.MsgCMServiceAccept) {
		t.Fatalf("emergency CM Service Request: %v, want accepted", kinds(d))
	}
	d = e.cc(&cc.EmergencySetup{})
	s.mustCC(d, e.ch, cc.MsgCallProceeding)
	var id l3.MobileIdentity
	if r, ok := findKind(d, rsl.PagingCmd, l1.Chan{}); !ok || r.IMSI != imsiC || id.Unmarshal(r.Msg) != nil {
		t.Fatalf("the emergency target not paged: %v", kinds(d))
	}
	e.moveTo(d)
	d = c.pagingResponse()
	m := s.mustCC(d, c.ch, cc.MsgSetup).(*cc.Setup)
	c.ti, c.flag = m.TI, true
	c.cc(&cc.CallConfirmed{})
	d = c.cc(&cc.Alerting{})
	s.mustCC(d, e.ch, cc.MsgAlerting)
	c.moveTo(d)
	s.answer(e, c)
	d = c.cc(&cc.Disconnect{Cause: cc.UserCause(cc.CauseNormalClearing)})
	s.mustCC(d, e.ch, cc.MsgDisconnect)
	s.finish(e, c)
	r := s.lastCDR(cc.CauseNormalClearing, "callee")
	if !r.Emergency || r.Callee != "5003" || r.Dialled != "112" {
		t.Errorf("CDR %+v", r)
	}
	// 112 dialled in a normal Setup is an emergency call too.
	if !s.net.isEmergencyNumber("112") || !s.net.isEmergencyNumber("911") || s.net.isEmergencyNumber("5003") {
		t.Error("emergency numbers")
	}
}

// Without an [emergency] target an emergency call is refused (#63) and
// nothing is held.
func TestEmergencyNoTarget(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	d := a.cc(setupTo("112", cc.FRv1))
	if rc := s.mustCC(d, a.ch, cc.MsgReleaseComplete).(*cc.ReleaseComplete); rc.Cause.Value != cc.CauseServiceNotAvailable {
		t.Errorf("cause %v", rc.Cause.Value)
	}
	s.finish(a)
}

// Paging the callee goes unanswered: the caller gets #18.
func TestCallPageTimeout(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	a.moveTo(a.cc(setupTo("5002", cc.FRv1)))
	s.now = s.now.Add(DefaultPageTimeout + time.Second)
	d := s.send(rsl.Up{Kind: rsl.MeasResult})
	if m := s.mustCC(d, a.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseNoUserResponding {
		t.Errorf("cause %v, want #18", m.Cause.Value)
	}
	s.finish(a)
	s.lastCDR(cc.CauseNoUserResponding, "network")
}

// Hostile CC input on a call's connection gets a status or release, never
// a panic or a held TCH.
func TestCallHostile(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2, 3)
	a, b := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2)
	s.ring(a, b, "5002")
	for _, m := range [][]byte{
		{0x03}, {0x03, 0x3f}, {0x83, 0x05}, {0x03, 0x05, 0x04, 0xff}, {0x73, 0x2d},
		{0x03, 0x34}, {0x06, 0x29}, {0x06, 0x2f}, {0x06, 0x17, 0x00},
	} {
		da, db := a.data(m), b.data(m)
		if testing.Verbose() {
			t.Logf("% x: A %v, B %v; A %v, B %v", m, kinds(da), kinds(db), a.s.net.conns[connKey{5, a.ch}] != nil, a.s.net.conns[connKey{5, b.ch}] != nil)
		}
	}
	s.answer(a, b)
	// A Disconnect without its cause is a Disconnect with #96 (TS
	// 24.008 §8.5): the call is cleared both ways.
	d := b.data([]byte{0x83, 0x25})
	s.mustCC(d, b.ch, cc.MsgRelease)
	if m := s.mustCC(d, a.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseInvalidMandatoryInfo {
		t.Errorf("caller's cause %v, want #96", m.Cause.Value)
	}
	s.finish(a, b)
}

// Any CC or RR input from either phone during a call, then both phones
// gone: no panic, and nothing is left held.
func FuzzCallInput(f *testing.F) {
	for _, m := range [][]byte{{0x03, 0x3f}, {0x83, 0x25}, {0x83, 0x07}, {0x03, 0x2d}, {0x06, 0x29, 0x00}, {0x06, 0x2f, 0x01}, {0x06, 0x17, 0x0a, 0xa3, 0x67, 0x21}, {0x83, 0x35, 0x2c, 0x01, 0x31}} {
		f.Add(m, false, true)
		f.Add(m, true, false)
	}
	f.Fuzz(func(t *testing.T, m []byte, toB, answered bool) {
		s := newSwitch(t, CallConfig{}, 2, 3)
		a, b := s.phone(imsiA, 0, 1), s.phone(imsiB, 1, 2)
		s.ring(a, b, "5002")
		if answered {
			s.answer(a, b)
		}
		p := a
		if toB {
			p = b
		}
		p.data(m)
		p.data(m)
		a.released()
		b.released()
		if snap := s.net.Snapshot(); snap.Connections != 0 {
			t.Errorf("%d connections left", snap.Connections)
		}
		sw := &s.net.sw
		if len(sw.calls) != 0 || len(sw.byIMSI) != 0 || len(sw.assigning) != 0 || len(sw.byTag) != 0 {
			t.Errorf("switch state left after % x: %d calls", m, len(sw.calls))
		}
	})
}

// The MS refuses its TCH/F (Assignment Failure on the SDCCH, TS 44.018
// §3.4.3.3): the TCH/F is freed and the call cleared with #47.
func TestCallAssignmentFailure(t *testing.T) {
	s := newSwitch(t, CallConfig{}, 2, 3)
	a := s.phone(imsiA, 0, 1)
	a.serviceRequest(mm.ServiceMOCall)
	d := a.cc(setupTo("5002", cc.FRv1))
	if _, ok := findRR(d, rr.MsgAssignmentCommand); !ok {
		t.Fatalf("no Assignment Command: %v", kinds(d))
	}
	d = a.rr(&rr.AssignmentFailure{Cause: rr.Cause(0x0a)})
	if r, ok := findKind(d, rsl.ChanRelease, tchChan(2)); !ok || r.Ref != s.refOf(2) || len(r.Msg) != 0 {
		t.Errorf("the TCH/F not freed: %v", kinds(d))
	}
	if m := s.mustCC(d, a.ch, cc.MsgDisconnect).(*cc.Disconnect); m.Cause.Value != cc.CauseResourcesUnavailable {
		t.Errorf("cause %v, want #47", m.Cause.Value)
	}
	s.finish(a)
	if s.net.CallStats().AssignFail != 1 {
		t.Error("assignment failure not counted")
	}
}
