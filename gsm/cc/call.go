package cc

import "time"

// Call is one CC transaction (TS 24.008 §5) on the network or the mobile
// side. It is a pure state machine: every method takes the current time,
// appends the actions it needs to out and returns the extended slice. It
// has no goroutines and no clock; the owner keeps the timer by calling
// Tick when Deadline has passed. A Call is not safe for concurrent use.
//
// The owner routes messages to the Call whose transaction identifier
// matches (Matches); messages for no Call go to NoTransaction.
type Call struct {
	side      Side
	cfg       Config
	ti        uint8
	origin    bool // this side allocated the TI
	state     State
	timer     Timer
	deadline  time.Time
	t308Again bool
	cause     Cause // the cause of the first clearing message, sent or received
	cleared   bool  // cause is set
	emergency bool
	setup     Setup // MS, mobile-originated: the Setup to send once MM is up
	esetup    EmergencySetup
	ended     bool // EvReleased was reported
}

// NewCall returns a call in state Null on side. ti is the transaction
// identifier value (0–6); origin is true when this side allocated it (the
// side that sends the Setup: the MS for a mobile-originated call, the
// network for a mobile-terminated one). For a Call created on receipt of a
// Setup, origin is the received TI flag (false).
func NewCall(side Side, cfg Config, ti uint8, origin bool) *Call {
	return &Call{side: side, cfg: cfg, ti: ti & 7, origin: origin}
}

// Side returns the call's side.
func (c *Call) Side() Side { return c.side }

// State returns the current call state.
func (c *Call) State() State { return c.state }

// TI returns the transaction identifier value and whether this side
// allocated it.
func (c *Call) TI() (value uint8, origin bool) { return c.ti, c.origin }

// Emergency reports whether the call is an emergency call.
func (c *Call) Emergency() bool { return c.emergency }

// Cause returns the clearing cause once clearing has started.
func (c *Call) Cause() (Cause, bool) { return c.cause, c.cleared }

// Ended reports whether the call has been released (EvReleased was
// reported); the owner may forget it.
func (c *Call) Ended() bool { return c.ended }

// Deadline returns when the running timer expires, and which one.
func (c *Call) Deadline() (time.Time, Timer, bool) {
	return c.deadline, c.timer, c.timer != TimerNone
}

// Matches reports whether a received message with header h belongs to
// this call: same TI value, and a flag saying it was sent to the side
// that allocated the TI if and only if that is this side (TS 24.007
// §11.2.3.1.3).
func (c *Call) Matches(h Header) bool { return h.TI == c.ti && h.TIFlag == c.origin }

// header returns the header of a message this side sends.
func (c *Call) header() Header { return Header{TI: c.ti, TIFlag: !c.origin} }

func (c *Call) send(out []Action, m Message) []Action {
	*m.Hdr() = c.header()
	return append(out, Action{Kind: ActSend, Msg: m})
}

func (c *Call) notify(out []Action, ev Event, m Message) []Action {
	return append(out, Action{Kind: ActNotify, Event: ev, Msg: m})
}

func (c *Call) start(t Timer, now time.Time) {
	d := c.cfg.duration(t)
	if d <= 0 {
		c.stop()
		return
	}
	c.timer, c.deadline = t, now.Add(d)
}

func (c *Call) stop() { c.timer, c.deadline = TimerNone, time.Time{} }

// setCause records the first clearing cause.
func (c *Call) setCause(cause Cause) {
	if !c.cleared {
		c.cause, c.cleared = cause, true
	}
}

// ourCause is a cause this side generates.
func (c *Call) ourCause(v CauseValue) Cause {
	if c.side == Mobile {
		return UserCause(v)
	}
	return NewCause(v)
}

// toNull ends the transaction.
func (c *Call) toNull(out []Action, m Message) []Action {
	c.stop()
	c.state = StateNull
	if c.ended {
		return out
	}
	c.ended = true
	out = append(out, Action{Kind: ActNotify, Event: EvReleased, Cause: c.cause, Msg: m})
	return append(out, Action{Kind: ActReleaseMM})
}

// --- user requests ---

// Dial starts a mobile-originated call on the MS side (TS 24.008
// §5.2.1.1): it asks for an MM connection and starts T303 (Table 11.4:
// started when the CM Service Request is sent). setup is sent once
// MMEstablished is called; it must hold the bearer capability and the
// called number.
func (c *Call) Dial(now time.Time, setup *Setup, out []Action) []Action {
	if c.side != Mobile || c.state != StateNull || !c.origin || c.ended {
		return out
	}
	c.setup = *setup
	c.state = StateMMPending
	c.start(T303, now)
	return append(out, Action{Kind: ActRequestMM})
}

// DialEmergency is Dial for an emergency call (§5.2.1.1: Emergency Setup
// after a CM Service Request for an emergency call).
func (c *Call) DialEmergency(now time.Time, setup *EmergencySetup, out []Action) []Action {
	if c.side != Mobile || c.state != StateNull || !c.origin || c.ended {
		return out
	}
	c.esetup, c.emergency = *setup, true
	c.state = StateMMPending
	c.start(T303, now)
	return append(out, Action{Kind: ActRequestMM, Emergency: true})
}

// MMEstablished tells an MS-side call in U0.1 that its MM connection is
// up: the Setup (or Emergency Setup) goes out and the call enters U1
// (§5.2.1.1.2). T303 keeps running.
func (c *Call) MMEstablished(now time.Time, out []Action) []Action {
	if c.side != Mobile || c.state != StateMMPending {
		return out
	}
	c.state = StateCallInitiated
	if c.emergency {
		m := c.esetup
		return c.send(out, &m)
	}
	m := c.setup
	return c.send(out, &m)
}

// Abort ends the call locally without signalling: the MM connection
// could not be established (CM Service Reject, §5.2.1.1.2) or was lost
// (radio link failure, §4.5.2.3 with no re-establishment). The call goes
// to Null with cause.
func (c *Call) Abort(now time.Time, cause Cause, out []Action) []Action {
	if c.ended {
		return out
	}
	c.setCause(cause)
	return c.toNull(out, nil)
}

// Setup starts a mobile-terminated call on the network side once the MM
// connection to the called MS is up (§5.2.2.1): it sends m, starts T303
// and enters N6 Call Present.
func (c *Call) Setup(now time.Time, m *Setup, out []Action) []Action {
	if c.side != Network || c.state != StateNull || !c.origin || c.ended {
		return out
	}
	c.state = StateCallPresent
	c.start(T303, now)
	s := *m
	return c.send(out, &s)
}

// Proceed answers a mobile-originated Setup on the network side with Call
// Proceeding (§5.2.1.1.3; m may carry the chosen bearer capability) and
// enters N3.
func (c *Call) Proceed(now time.Time, m *CallProceeding, out []Action) []Action {
	if c.side != Network || c.state != StateCallInitiated {
		return out
	}
	c.state = StateMOProceeding
	p := *m
	return c.send(out, &p)
}

// Confirm answers a mobile-terminated Setup on the MS side with Call
// Confirmed (§5.2.2.3.2; m carries the MS's bearer capability) and enters
// U9.
func (c *Call) Confirm(now time.Time, m *CallConfirmed, out []Action) []Action {
	if c.side != Mobile || c.state != StateCallPresent {
		return out
	}
	c.state = StateMTConfirmed
	p := *m
	return c.send(out, &p)
}

// Reject refuses an incoming Setup with Release Complete and cause
// (§5.2.2.3.1 on the MS side: e.g. #17 user busy, #88 incompatible
// destination; on the network side, a mobile-originated Setup that cannot
// be served, §5.2.1.1.2: e.g. #1 unassigned number, #34 no channel). The
// call goes to Null.
func (c *Call) Reject(now time.Time, cause Cause, out []Action) []Action {
	switch {
	case c.side == Mobile && c.state == StateCallPresent,
		c.side == Network && c.state == StateCallInitiated:
	default:
		return out
	}
	c.setCause(cause)
	out = c.send(out, &ReleaseComplete{HasCause: true, Cause: cause})
	return c.toNull(out, nil)
}

// Alert tells the caller that the called party is ringing: on the
// network side of a mobile-originated call (N1/N3 → N4, §5.2.1.1.5); on the
// MS side of a mobile-terminated call (U9 → U7, §5.2.2.3.2).
func (c *Call) Alert(now time.Time, out []Action) []Action {
	switch {
	case c.side == Network && (c.state == StateMOProceeding || c.state == StateCallInitiated):
		c.state = StateCallDelivered
	case c.side == Mobile && (c.state == StateMTConfirmed || c.state == StateCallPresent):
		c.state = StateCallReceived
	default:
		return out
	}
	return c.send(out, &Alerting{})
}

// Progress sends the Progress message (TS 24.008 §9.3.17) with p on the
// network side of a mobile-originated call before it is answered (N3 or
// N4): e.g. #8 in-band information once the far end's early media flows
// after the Alerting went without it (§5.5.1). No state change.
func (c *Call) Progress(now time.Time, p ProgressIndicator, out []Action) []Action {
	if c.side != Network || (c.state != StateMOProceeding && c.state != StateCallDelivered) {
		return out
	}
	return c.send(out, &Progress{Progress: p})
}

// Connect answers the call: on the network side of a mobile-originated
// call, the called party answered (→ N28 with T313, §5.2.1.1.6); on the MS
// side of a mobile-terminated call, the user answers (→ U8 with T313,
// §5.2.2.5).
func (c *Call) Connect(now time.Time, out []Action) []Action {
	switch {
	case c.side == Network && (c.state == StateCallInitiated || c.state == StateMOProceeding || c.state == StateCallDelivered):
		c.state = StateConnectIndication
	case c.side == Mobile && (c.state == StateCallPresent || c.state == StateMTConfirmed || c.state == StateCallReceived):
		c.state = StateConnectRequest
	default:
		return out
	}
	c.start(T313, now)
	return c.send(out, &Connect{})
}

// Disconnect clears the call at the user's request with cause (§5.4.2 on
// the network side, §5.4.3 on the MS side): Disconnect, T305, N12/U11.
// In U12 (the network disconnected with in-band tones) the MS releases
// instead; in U0.1 the MM request is abandoned; a Setup not yet answered
// is rejected (Reject).
func (c *Call) Disconnect(now time.Time, cause Cause, out []Action) []Action {
	switch {
	case c.state == StateNull || c.state == StateReleaseRequest:
		return out
	case c.side == Mobile && c.state == StateMMPending:
		c.setCause(cause)
		return c.toNull(out, nil)
	case c.side == Mobile && c.state == StateCallPresent:
		return c.Reject(now, cause, out)
	case c.side == Mobile && c.state == StateDisconnectIndicate:
		return c.release(now, out, false)
	case c.side == Mobile && c.state == StateDisconnectRequest,
		c.side == Network && c.state == StateDisconnectIndicate:
		return out // already clearing
	}
	c.setCause(cause)
	c.stop()
	if c.side == Mobile {
		c.state = StateDisconnectRequest
	} else {
		c.state = StateDisconnectIndicate
	}
	c.start(T305, now)
	return c.send(out, &Disconnect{Cause: cause})
}

// release sends Release, starts T308 and enters N19/U19. afterT305 adds
// the first cause and #102 as the second (§5.4.3.5, §5.4.4.1.1).
func (c *Call) release(now time.Time, out []Action, afterT305 bool) []Action {
	c.state = StateReleaseRequest
	c.t308Again = false
	c.start(T308, now)
	m := &Release{}
	if afterT305 {
		m.HasCause, m.Cause = true, c.cause
		m.HasCause2, m.Cause2 = true, c.ourCause(CauseRecoveryOnTimerExpiry)
	}
	return c.send(out, m)
}

// dtmfState reports whether DTMF may be sent in the call's state (§5.5.7:
// the active state).
func (c *Call) dtmfState() bool { return c.state == StateActive }

// StartDTMF sends Start DTMF for key on the MS side (§5.5.7.1).
func (c *Call) StartDTMF(now time.Time, key byte, out []Action) []Action {
	if c.side != Mobile || !c.dtmfState() || !ValidKey(key) {
		return out
	}
	return c.send(out, &StartDTMF{Key: key})
}

// StopDTMF sends Stop DTMF on the MS side (§5.5.7.3).
func (c *Call) StopDTMF(now time.Time, out []Action) []Action {
	if c.side != Mobile || !c.dtmfState() {
		return out
	}
	return c.send(out, &StopDTMF{})
}

// StatusEnquiry asks the peer for its call state (§5.5.3.1).
func (c *Call) StatusEnquiry(now time.Time, out []Action) []Action {
	if c.state == StateNull {
		return out
	}
	return c.send(out, &StatusEnquiry{})
}

// --- timers ---

// Tick fires the running timer if its deadline has passed (TS 24.008
// §11.3 Tables 11.3 and 11.4, "at first/second expiry").
func (c *Call) Tick(now time.Time, out []Action) []Action {
	if c.timer == TimerNone || now.Before(c.deadline) {
		return out
	}
	t := c.timer
	c.stop()
	expiry := c.ourCause(CauseRecoveryOnTimerExpiry)
	switch t {
	case T303:
		if c.side == Mobile && c.state == StateMMPending {
			// MM connection never came up: abandon it (§5.2.1.1.2).
			c.setCause(expiry)
			out = append(out, Action{Kind: ActNotify, Event: EvDisconnect, Cause: expiry, Timer: t})
			return c.toNull(out, nil)
		}
		// MS: no answer to Setup (§5.2.1.1.2). Network: the called MS did
		// not confirm the Setup: #18 towards the caller, #102 towards the
		// MS (§5.2.2.3.3).
		return c.expireClear(now, out, t, CauseNoUserResponding)
	case T310:
		// §5.2.1.1.3 (MS), §5.2.2.3.3 (network: #18 towards the caller).
		return c.expireClear(now, out, t, CauseNoUserResponding)
	case T301:
		// §5.2.2.3.3 / Table 11.3: the called user did not answer.
		return c.expireClear(now, out, t, CauseNoAnswer)
	case T313:
		// §5.2.1.1.6 / §5.2.2.6: no Connect Acknowledge.
		return c.expireClear(now, out, t, CauseRecoveryOnTimerExpiry)
	case T305:
		// §5.4.3.5 (MS), §5.4.4.1.1 (network): Release with the
		// Disconnect's cause and #102.
		return c.release(now, out, true)
	case T308:
		if !c.t308Again {
			// First expiry: Release again, T308 restarted (§5.4.3.3,
			// §5.4.4.1.3).
			c.t308Again = true
			c.start(T308, now)
			m := &Release{}
			if c.cleared {
				m.HasCause, m.Cause = true, c.cause
			}
			return c.send(out, m)
		}
		// Second expiry: the transaction ends.
		c.setCause(expiry)
		return c.toNull(out, nil)
	}
	return out
}

// expireClear clears the call after a timer expiry: Disconnect #102 to
// the peer and, for the user, EvDisconnect with upCause on the network
// side (the cause the other party of the call is to get) or #102 on the
// MS side.
func (c *Call) expireClear(now time.Time, out []Action, t Timer, upCause CauseValue) []Action {
	expiry := c.ourCause(CauseRecoveryOnTimerExpiry)
	up := expiry
	if c.side == Network {
		up = NewCause(upCause)
	}
	out = append(out, Action{Kind: ActNotify, Event: EvDisconnect, Cause: up, Timer: t})
	c.setCause(expiry)
	if c.side == Mobile {
		c.state = StateDisconnectRequest
	} else {
		c.state = StateDisconnectIndicate
	}
	c.start(T305, now)
	return c.send(out, &Disconnect{Cause: expiry})
}
