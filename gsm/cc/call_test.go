package cc

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

var testCfg = Config{T301: 60 * time.Second}

// callStarts builds calls in their starting situations: the network side
// of a mobile-originated call after the Setup, the network side of a
// mobile-terminated call after sending the Setup, and the two MS sides.
var callStarts = []func(now time.Time) (*Call, []Action){
	func(now time.Time) (*Call, []Action) { // network MO, N1
		c := NewCall(Network, testCfg, 0, false)
		s := moSetup()
		return c, c.Receive(now, s, nil)
	},
	func(now time.Time) (*Call, []Action) { // network MT, N6
		c := NewCall(Network, testCfg, 1, true)
		return c, c.Setup(now, &Setup{HasBearer: true, Bearer: bcNet}, nil)
	},
	func(now time.Time) (*Call, []Action) { // MS MO, U1
		c := NewCall(Mobile, testCfg, 0, true)
		out := c.Dial(now, moSetup(), nil)
		return c, c.MMEstablished(now, out)
	},
	func(now time.Time) (*Call, []Action) { // MS MT, U6
		c := NewCall(Mobile, testCfg, 1, false)
		return c, c.Receive(now, &Setup{Header: Header{TI: 1}, HasBearer: true, Bearer: bcNet}, nil)
	},
}

func moSetup() *Setup {
	return &Setup{HasBearer: true, Bearer: bcMS, HasCalled: true, Called: called}
}

// trace renders actions compactly: "send Setup", "notify released #16 ...".
func trace(out []Action) string {
	s := make([]string, len(out))
	for i, a := range out {
		s[i] = a.String()
	}
	return strings.Join(s, "; ")
}

func expect(t *testing.T, what string, out []Action, want string) {
	t.Helper()
	if got := trace(out); got != want {
		t.Errorf("%s: actions\n  %s\nwant\n  %s", what, got, want)
	}
}

func expectState(t *testing.T, c *Call, want State) {
	t.Helper()
	if c.State() != want {
		t.Errorf("state %s, want %s", StateName(c.Side(), c.State()), StateName(c.Side(), want))
	}
}

// sent returns the message of the only Send action in out.
func sent(t *testing.T, out []Action) Message {
	t.Helper()
	var m Message
	for _, a := range out {
		if a.Kind == ActSend {
			if m != nil {
				t.Fatalf("two messages sent: %s", trace(out))
			}
			m = a.Msg
		}
	}
	if m == nil {
		t.Fatalf("nothing sent: %s", trace(out))
	}
	return m
}

// link carries messages between an MS-side and a network-side call, as
// encoded octets, and returns every action both produced.
type link struct {
	t   *testing.T
	ms  *Call
	net *Call
	now time.Time
	log []string
}

// deliver logs the actions of out and hands each sent message to the other
// side (encoded and decoded) at once, depth first.
func (l *link) deliver(fromMS bool, out []Action) {
	l.t.Helper()
	for _, a := range out {
		side := "net"
		if fromMS {
			side = "ms"
		}
		l.log = append(l.log, side+": "+a.String())
		if a.Kind != ActSend {
			continue
		}
		b, err := Marshal(a.Msg)
		if err != nil {
			l.t.Fatalf("Marshal(%+v): %v", a.Msg, err)
		}
		m, err := Decode(b)
		if err != nil {
			l.t.Fatalf("Decode(% x): %v", b, err)
		}
		to := l.net
		if !fromMS {
			to = l.ms
		}
		if !to.Matches(*m.Hdr()) {
			l.t.Fatalf("%v with header %+v does not match the peer call (TI %d)", m.MsgType(), *m.Hdr(), to.ti)
		}
		l.deliver(!fromMS, to.Receive(l.now, m, nil))
	}
}

func (l *link) trace() string { return strings.Join(l.log, "\n") }

// TestMOCall runs a mobile-originated call end to end between the two
// state machines: MS dials, network proceeds, alerts, connects; the MS
// hangs up.
func TestMOCall(t *testing.T) {
	ms := NewCall(Mobile, testCfg, 0, true)
	net := NewCall(Network, testCfg, 0, false)
	l := &link{t: t, ms: ms, net: net, now: t0}
	out := ms.Dial(t0, moSetup(), nil)
	expect(t, "Dial", out, "request-mm")
	expectState(t, ms, StateMMPending)
	l.deliver(true, ms.MMEstablished(t0, nil))
	expectState(t, ms, StateCallInitiated)
	expectState(t, net, StateCallInitiated)
	if _, tm, ok := ms.Deadline(); !ok || tm != T303 {
		t.Errorf("MS timer after Setup = %v, want T303", tm)
	}
	l.deliver(false, net.Proceed(t0, &CallProceeding{HasBearer: true, Bearer: bcNet}, nil))
	expectState(t, ms, StateMOProceeding)
	if _, tm, _ := ms.Deadline(); tm != T310 {
		t.Errorf("MS timer after Call Proceeding = %v, want T310", tm)
	}
	l.deliver(false, net.Alert(t0, nil))
	expectState(t, ms, StateCallDelivered)
	expectState(t, net, StateCallDelivered)
	l.deliver(false, net.Connect(t0, nil))
	expectState(t, ms, StateActive)
	expectState(t, net, StateActive)
	for _, c := range []*Call{ms, net} {
		if _, tm, ok := c.Deadline(); ok {
			t.Errorf("%v: timer %v running in the active state", c.Side(), tm)
		}
	}
	l.deliver(true, ms.StartDTMF(t0, '7', nil))
	l.deliver(true, ms.StopDTMF(t0, nil))
	l.deliver(true, ms.Disconnect(t0, UserCause(CauseNormalClearing), nil))
	for _, c := range []*Call{ms, net} {
		expectState(t, c, StateNull)
		if !c.Ended() {
			t.Errorf("%v: call not ended", c.Side())
		}
		if cause, ok := c.Cause(); !ok || cause.Value != CauseNormalClearing {
			t.Errorf("%v: cause %v, want #16", c.Side(), cause.Value)
		}
	}
	want := `ms: send Setup
net: notify setup
net: send Call Proceeding
ms: notify proceeding
net: send Alerting
ms: notify alerting
net: send Connect
ms: notify connect
ms: send Connect Acknowledge
net: notify active
ms: send Start DTMF
net: notify dtmf-start
net: send Start DTMF Acknowledge
ms: notify dtmf-ack
ms: send Stop DTMF
net: notify dtmf-stop
net: send Stop DTMF Acknowledge
ms: notify dtmf-stop-ack
ms: send Disconnect
net: notify disconnect #16 normal call clearing
net: send Release
ms: send Release Complete
net: notify released #16 normal call clearing
net: release-mm
ms: notify released #16 normal call clearing
ms: release-mm`
	if got := l.trace(); got != want {
		t.Errorf("MO call trace:\n%s\nwant\n%s", got, want)
	}
}

// TestMTCall runs a mobile-terminated call: network Setup, Call
// Confirmed, Alerting, Connect; the network clears (the other party hung
// up) and the MS releases.
func TestMTCall(t *testing.T) {
	ms := NewCall(Mobile, testCfg, 1, false)
	net := NewCall(Network, testCfg, 1, true)
	l := &link{t: t, ms: ms, net: net, now: t0}
	l.deliver(false, net.Setup(t0, &Setup{HasBearer: true, Bearer: bcNet, HasCalling: true, Calling: calling}, nil))
	expectState(t, ms, StateCallPresent)
	if _, tm, _ := net.Deadline(); tm != T303 {
		t.Errorf("network timer after Setup = %v, want T303", tm)
	}
	l.deliver(true, ms.Confirm(t0, &CallConfirmed{HasBearer: true, Bearer: bcMS}, nil))
	expectState(t, net, StateMTConfirmed)
	if _, tm, _ := net.Deadline(); tm != T310 {
		t.Errorf("network timer after Call Confirmed = %v, want T310", tm)
	}
	l.deliver(true, ms.Alert(t0, nil))
	expectState(t, net, StateCallReceived)
	if _, tm, _ := net.Deadline(); tm != T301 {
		t.Errorf("network timer after Alerting = %v, want T301", tm)
	}
	l.deliver(true, ms.Connect(t0, nil))
	expectState(t, ms, StateActive)
	expectState(t, net, StateActive)
	l.deliver(false, net.Disconnect(t0, NewCause(CauseNormalClearing), nil))
	expectState(t, ms, StateNull)
	expectState(t, net, StateNull)
	want := `net: send Setup
ms: notify setup
ms: send Call Confirmed
net: notify proceeding
ms: send Alerting
net: notify alerting
ms: send Connect
net: notify connect
net: send Connect Acknowledge
ms: notify active
net: send Disconnect
ms: notify disconnect #16 normal call clearing
ms: send Release
net: send Release Complete
ms: notify released #16 normal call clearing
ms: release-mm
net: notify released #16 normal call clearing
net: release-mm`
	if got := l.trace(); got != want {
		t.Errorf("MT call trace:\n%s\nwant\n%s", got, want)
	}
}

// TestRejects covers the refusals with causes: the network rejects a
// mobile-originated Setup (unknown number #1, no channel #34) and the MS
// rejects a Setup as busy (#17).
func TestRejects(t *testing.T) {
	for _, v := range []CauseValue{CauseUnassignedNumber, CauseNoChannelAvailable, CauseUserBusy} {
		net := NewCall(Network, testCfg, 0, false)
		net.Receive(t0, moSetup(), nil)
		out := net.Reject(t0, NewCause(v), nil)
		rc := sent(t, out).(*ReleaseComplete)
		if !rc.HasCause || rc.Cause.Value != v || !rc.TIFlag {
			t.Errorf("network Reject(%v) sent %+v", v, rc)
		}
		expectState(t, net, StateNull)
		expect(t, "network reject", out, "send Release Complete; notify released "+v.String()+"; release-mm")
	}
	ms := NewCall(Mobile, testCfg, 1, false)
	ms.Receive(t0, &Setup{Header: Header{TI: 1}}, nil)
	out := ms.Reject(t0, UserCause(CauseUserBusy), nil)
	expect(t, "MS reject", out, "send Release Complete; notify released #17 user busy; release-mm")
	net := NewCall(Network, testCfg, 1, true)
	net.Setup(t0, &Setup{}, nil)
	out = net.Receive(t0, sent(t, out), nil)
	expect(t, "network gets Release Complete #17", out, "notify released #17 user busy; release-mm")

	// A mobile-originated Setup without a called number: Release Complete #96.
	net = NewCall(Network, testCfg, 0, false)
	out = net.Receive(t0, &Setup{HasBearer: true, Bearer: bcMS}, nil)
	expect(t, "Setup without called number", out, "send Release Complete; notify released #96 invalid mandatory information; release-mm")
}

// tickAt advances to the call's deadline and fires it.
func tickAt(t *testing.T, c *Call, want Timer) []Action {
	t.Helper()
	d, tm, ok := c.Deadline()
	if !ok || tm != want {
		t.Fatalf("timer %v (running %v), want %v", tm, ok, want)
	}
	if out := c.Tick(d.Add(-time.Millisecond), nil); len(out) != 0 {
		t.Fatalf("%v fired early: %s", tm, trace(out))
	}
	return c.Tick(d, nil)
}

// TestTimers checks every timer expiry path on both sides (TS 24.008
// §11.3 Tables 11.3 and 11.4) and the clearing that follows, down to
// the second T308 expiry.
func TestTimers(t *testing.T) {
	type step struct {
		timer Timer
		want  string
		state State
	}
	t308 := []step{
		{T305, "send Release", StateReleaseRequest},
		{T308, "send Release", StateReleaseRequest},
		{T308, "notify released #102 recovery on timer expiry; release-mm", StateNull},
	}
	tests := []struct {
		name  string
		start func() *Call
		steps []step
	}{
		{"MS T303 in U0.1", func() *Call {
			c := NewCall(Mobile, testCfg, 0, true)
			c.Dial(t0, moSetup(), nil)
			return c
		}, []step{{T303, "notify disconnect #102 recovery on timer expiry (T303); notify released #102 recovery on timer expiry; release-mm", StateNull}}},
		{"MS T303 in U1", func() *Call { c, _ := callStarts[2](t0); return c },
			append([]step{{T303, "notify disconnect #102 recovery on timer expiry (T303); send Disconnect", StateDisconnectRequest}}, t308...)},
		{"MS T310 in U3", func() *Call {
			c, _ := callStarts[2](t0)
			c.Receive(t0, &CallProceeding{Header: netHdr}, nil)
			return c
		}, []step{{T310, "notify disconnect #102 recovery on timer expiry (T310); send Disconnect", StateDisconnectRequest}}},
		{"MS T313 in U8", func() *Call {
			c, _ := callStarts[3](t0)
			c.Connect(t0, nil)
			return c
		}, append([]step{{T313, "notify disconnect #102 recovery on timer expiry (T313); send Disconnect", StateDisconnectRequest}}, t308...)},
		{"MS T305 in U11", func() *Call {
			c, _ := callStarts[2](t0)
			c.Disconnect(t0, UserCause(CauseNormalClearing), nil)
			return c
		}, []step{{T305, "send Release", StateReleaseRequest}, {T308, "send Release", StateReleaseRequest},
			{T308, "notify released #16 normal call clearing; release-mm", StateNull}}},
		{"network T303 in N6", func() *Call { c, _ := callStarts[1](t0); return c },
			append([]step{{T303, "notify disconnect #18 no user responding (T303); send Disconnect", StateDisconnectIndicate}}, t308...)},
		{"network T310 in N9", func() *Call {
			c, _ := callStarts[1](t0)
			c.Receive(t0, &CallConfirmed{Header: mtUp}, nil)
			return c
		}, []step{{T310, "notify disconnect #18 no user responding (T310); send Disconnect", StateDisconnectIndicate}}},
		{"network T301 in N7", func() *Call {
			c, _ := callStarts[1](t0)
			c.Receive(t0, &Alerting{Header: mtUp}, nil)
			return c
		}, []step{{T301, "notify disconnect #19 user alerting, no answer (T301); send Disconnect", StateDisconnectIndicate}}},
		{"network T313 in N28", func() *Call {
			c, _ := callStarts[0](t0)
			c.Connect(t0, nil)
			return c
		}, append([]step{{T313, "notify disconnect #102 recovery on timer expiry (T313); send Disconnect", StateDisconnectIndicate}}, t308...)},
		{"network T305 in N12", func() *Call {
			c, _ := callStarts[0](t0)
			c.Proceed(t0, &CallProceeding{}, nil)
			c.Disconnect(t0, NewCause(CauseUserBusy), nil)
			return c
		}, []step{{T305, "send Release", StateReleaseRequest}, {T308, "send Release", StateReleaseRequest},
			{T308, "notify released #17 user busy; release-mm", StateNull}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.start()
			for i, s := range tt.steps {
				out := tickAt(t, c, s.timer)
				expect(t, "step "+s.timer.String(), out, s.want)
				expectState(t, c, s.state)
				if s.timer == T305 && i < len(tt.steps) {
					r := sent(t, out).(*Release)
					if !r.HasCause || !r.HasCause2 || r.Cause2.Value != CauseRecoveryOnTimerExpiry {
						t.Errorf("Release after T305 = %+v, want the Disconnect's cause and #102", r)
					}
				}
			}
			if _, tm, ok := c.Deadline(); ok && c.State() == StateNull {
				t.Errorf("timer %v still running in Null", tm)
			}
		})
	}
}

// A Call Proceeding with progress indicator #1, #2 or #64 does not start
// T310 (§5.2.1.1.3), and a Progress with one stops it.
func TestT310ProgressIndicator(t *testing.T) {
	c, _ := callStarts[2](t0)
	pi := ProgressIndicator{Coding: CodingGSM, Location: LocPublicLocal, Description: ProgressQueueing}
	c.Receive(t0, &CallProceeding{Header: netHdr, HasProgress: true, Progress: pi}, nil)
	if _, tm, ok := c.Deadline(); ok {
		t.Errorf("timer %v after Call Proceeding with PI #64", tm)
	}
	c, _ = callStarts[2](t0)
	c.Receive(t0, &CallProceeding{Header: netHdr}, nil)
	c.Receive(t0, &Progress{Header: netHdr, Progress: ProgressIndicator{Description: ProgressNotEndToEnd}}, nil)
	if _, tm, ok := c.Deadline(); ok {
		t.Errorf("timer %v after Progress with PI #1", tm)
	}
}

// The network's Disconnect with in-band tones leaves the MS in U12 until
// the user hangs up (§5.4.4.1.1.1).
func TestDisconnectInBand(t *testing.T) {
	c, _ := callStarts[2](t0)
	out := c.Receive(t0, &Disconnect{Header: netHdr, Cause: causeBusy, HasProgress: true, Progress: piInBand}, nil)
	expect(t, "Disconnect with PI #8", out, "notify disconnect #17 user busy")
	expectState(t, c, StateDisconnectIndicate)
	out = c.Disconnect(t0, UserCause(CauseNormalClearing), nil)
	expect(t, "hang up in U12", out, "send Release")
	expectState(t, c, StateReleaseRequest)
	out = c.Receive(t0, &ReleaseComplete{Header: netHdr}, nil)
	expect(t, "Release Complete", out, "notify released #17 user busy; release-mm")
}

// Clear collisions (§5.4.5): both sides send Disconnect, or both Release.
func TestClearCollision(t *testing.T) {
	ms, _ := callStarts[2](t0)
	ms.Disconnect(t0, UserCause(CauseNormalClearing), nil)
	out := ms.Receive(t0, &Disconnect{Header: netHdr, Cause: causeBusy}, nil)
	expect(t, "Disconnect in U11", out, "send Release")
	out = ms.Receive(t0, &Release{Header: netHdr}, nil)
	expect(t, "Release in U19", out, "notify released #16 normal call clearing; release-mm")

	net, _ := callStarts[0](t0)
	net.Disconnect(t0, NewCause(CauseNormalClearing), nil)
	out = net.Receive(t0, &Disconnect{Header: moHdr, Cause: causeNormal}, nil)
	expect(t, "Disconnect in N12", out, "send Release")
	expectState(t, net, StateReleaseRequest)
}

// Status Enquiry, Status, unexpected messages and messages that do not
// decode (§5.5.3, §8.4, §8.5).
func TestStatusAndErrors(t *testing.T) {
	net, _ := callStarts[0](t0)
	out := net.Receive(t0, &StatusEnquiry{Header: moHdr}, nil)
	st := sent(t, out).(*Status)
	if st.Cause.Value != CauseResponseToStatusEnquiry || st.CallState.Value != StateCallInitiated || !st.TIFlag {
		t.Errorf("Status = %+v, want #30 in N1", st)
	}
	out = net.Receive(t0, &ConnectAck{Header: moHdr}, nil)
	if st := sent(t, out).(*Status); st.Cause.Value != CauseMsgTypeNotCompatible {
		t.Errorf("unexpected Connect Acknowledge answered with %+v, want Status #98", st)
	}
	out = net.ReceiveError(t0, 0x3e, &UnknownTypeError{Type: 0x3e}, nil)
	if st := sent(t, out).(*Status); st.Cause.Value != CauseMsgTypeNonExistent {
		t.Errorf("unknown type answered with %+v, want Status #97", st)
	}
	_, err := Decode(h("03 25"))
	out = net.ReceiveError(t0, MsgDisconnect, err, nil)
	expect(t, "Disconnect without cause", out, "notify disconnect #96 invalid mandatory information; send Release")
	if r := sent(t, out).(*Release); !r.HasCause || r.Cause.Value != CauseInvalidMandatoryInfo {
		t.Errorf("Release = %+v, want cause #96", r)
	}

	ms, _ := callStarts[2](t0)
	out = ms.Receive(t0, &Status{Header: netHdr, Cause: NewCause(CauseMsgTypeNotCompatible), CallState: CallState{Value: StateMOProceeding}}, nil)
	expect(t, "Status in a compatible state", out, "notify status")
	out = ms.Receive(t0, &Status{Header: netHdr, Cause: NewCause(CauseMsgNotCompatibleWithState), CallState: CallState{Value: StateNull}}, nil)
	expect(t, "Status reporting Null", out, "notify released #101 message not compatible with protocol state; release-mm")

	// Once ended, the transaction answers like a non-existent one.
	out = ms.Receive(t0, &Alerting{Header: netHdr}, nil)
	if rc := sent(t, out).(*ReleaseComplete); rc.Cause.Value != CauseInvalidTransactionID || rc.TIFlag {
		t.Errorf("message after the end answered with %+v, want Release Complete #81, flag 0", rc)
	}
}

// NoTransaction implements TS 24.008 §8.3.1.
func TestNoTransaction(t *testing.T) {
	tests := []struct {
		m    Message
		want CauseValue // 0: no answer
	}{
		{&Disconnect{Header: Header{TI: 3}, Cause: causeNormal}, CauseInvalidTransactionID},
		{&Connect{Header: Header{TI: 3, TIFlag: true}}, CauseInvalidTransactionID},
		{&ReleaseComplete{Header: Header{TI: 3}}, 0},
		{&Setup{Header: Header{TI: 3}}, 0},
		{&Status{Header: Header{TI: 3}, CallState: CallState{Value: StateNull}}, 0},
		{&Status{Header: Header{TI: 3}, CallState: CallState{Value: StateActive}}, CauseMsgNotCompatibleWithState},
	}
	for _, tt := range tests {
		r := NoTransaction(tt.m)
		if tt.want == 0 {
			if r != nil {
				t.Errorf("NoTransaction(%v) = %+v, want nothing", tt.m.MsgType(), r)
			}
			continue
		}
		rc, ok := r.(*ReleaseComplete)
		if !ok || rc.Cause.Value != tt.want || rc.TI != 3 || rc.TIFlag == tt.m.Hdr().TIFlag {
			t.Errorf("NoTransaction(%v %+v) = %+v, want Release Complete %v on TI 3 with the flag inverted", tt.m.MsgType(), *tt.m.Hdr(), r, tt.want)
		}
	}
	// A call still in Null (network MT before Setup) answers the same way.
	c := NewCall(Network, testCfg, 2, true)
	out := c.Receive(t0, &Disconnect{Header: Header{TI: 2, TIFlag: true}, Cause: causeNormal}, nil)
	if rc := sent(t, out).(*ReleaseComplete); rc.Cause.Value != CauseInvalidTransactionID {
		t.Errorf("Disconnect in N0 answered with %+v", rc)
	}
}

// Emergency Setup opens an emergency call on the network side; the MS
// side asks for an emergency MM connection.
func TestEmergency(t *testing.T) {
	ms := NewCall(Mobile, testCfg, 0, true)
	out := ms.DialEmergency(t0, &EmergencySetup{}, nil)
	if len(out) != 1 || out[0].Kind != ActRequestMM || !out[0].Emergency {
		t.Fatalf("DialEmergency actions %s, want an emergency MM request", trace(out))
	}
	out = ms.MMEstablished(t0, nil)
	es := sent(t, out).(*EmergencySetup)
	net := NewCall(Network, testCfg, 0, false)
	out = net.Receive(t0, es, nil)
	expect(t, "network Emergency Setup", out, "notify setup")
	if !net.Emergency() || net.State() != StateCallInitiated {
		t.Errorf("network call emergency %v, state %v", net.Emergency(), net.State())
	}
	// Abort: the MM connection was lost.
	out = net.Abort(t0, NewCause(CauseTemporaryFailure), nil)
	expect(t, "Abort", out, "notify released #41 temporary failure; release-mm")
	if out = net.Abort(t0, NewCause(CauseTemporaryFailure), nil); len(out) != 0 {
		t.Errorf("second Abort: %s", trace(out))
	}
}
