package cc

import (
	"errors"
	"time"
)

// Receive processes message m, which Matches the call (TS 24.008 §5, with
// the error handling of §8.4 and §5.5.3).
func (c *Call) Receive(now time.Time, m Message, out []Action) []Action {
	if c.ended {
		if r := NoTransaction(m); r != nil {
			out = append(out, Action{Kind: ActSend, Msg: r})
		}
		return out
	}
	if c.state == StateNull {
		switch m.(type) {
		case *Setup, *EmergencySetup:
		default:
			if r := NoTransaction(m); r != nil {
				out = append(out, Action{Kind: ActSend, Msg: r})
			}
			return out
		}
	}
	switch m := m.(type) {
	case *StatusEnquiry:
		// §5.5.3.1: answer with our state, cause #30.
		return c.send(out, c.status(CauseResponseToStatusEnquiry))
	case *Status:
		return c.receiveStatus(m, out)
	case *ReleaseComplete:
		if m.HasCause {
			c.setCause(m.Cause)
		}
		return c.toNull(out, m)
	case *Release:
		if m.HasCause {
			c.setCause(m.Cause)
		}
		if c.state == StateReleaseRequest {
			// Clear collision (§5.4.5): no Release Complete.
			return c.toNull(out, m)
		}
		out = c.send(out, &ReleaseComplete{})
		return c.toNull(out, m)
	case *Disconnect:
		return c.receiveDisconnect(now, m, out)
	}
	if c.side == Network {
		return c.receiveNetwork(now, m, out)
	}
	return c.receiveMobile(now, m, out)
}

func (c *Call) status(v CauseValue) *Status {
	return &Status{Cause: c.ourCause(v), CallState: CallState{Coding: CodingGSM, Value: c.state}}
}

// notCompatible answers a message the state does not expect (§8.4: Status
// with cause #98).
func (c *Call) notCompatible(out []Action) []Action {
	return c.send(out, c.status(CauseMsgTypeNotCompatible))
}

// receiveStatus handles a Status (§5.5.3.2): one reporting the Null state
// ends the call locally; others are passed on.
func (c *Call) receiveStatus(m *Status, out []Action) []Action {
	if m.CallState.Value == StateNull {
		c.setCause(m.Cause)
		return c.toNull(out, m)
	}
	return c.notify(out, EvStatus, m)
}

// receiveDisconnect handles a Disconnect from the peer (§5.4.3 network
// clearing on the MS, §5.4.4 MS clearing on the network).
func (c *Call) receiveDisconnect(now time.Time, m *Disconnect, out []Action) []Action {
	switch {
	case c.state == StateReleaseRequest:
		return out // Release already sent: ignore
	case c.side == Mobile && c.state == StateDisconnectIndicate:
		return out
	case c.side == Mobile && c.state == StateDisconnectRequest,
		c.side == Network && c.state == StateDisconnectIndicate:
		// Clear collision (§5.4.5): both sent Disconnect.
		c.stop()
		return c.release(now, out, false)
	}
	c.stop()
	c.setCause(m.Cause)
	out = append(out, Action{Kind: ActNotify, Event: EvDisconnect, Cause: m.Cause, Msg: m})
	if c.side == Mobile && m.HasProgress && m.Progress.Description == ProgressInBand {
		// §5.4.4.1.1.1: in-band tones; the user hangs up with Disconnect,
		// which then releases.
		c.state = StateDisconnectIndicate
		return out
	}
	return c.release(now, out, false)
}

func (c *Call) receiveNetwork(now time.Time, m Message, out []Action) []Action {
	switch m := m.(type) {
	case *Setup:
		if c.state != StateNull || c.origin {
			return out // §8.3.1 d): a Setup for a known transaction is ignored
		}
		if err := m.CheckMO(); err != nil {
			c.setCause(NewCause(CauseInvalidMandatoryInfo))
			out = c.send(out, &ReleaseComplete{HasCause: true, Cause: c.cause})
			return c.toNull(out, m)
		}
		c.state = StateCallInitiated
		return c.notify(out, EvSetup, m)
	case *EmergencySetup:
		if c.state != StateNull || c.origin {
			return out
		}
		c.state, c.emergency = StateCallInitiated, true
		return c.notify(out, EvSetup, m)
	case *CallConfirmed:
		if c.state != StateCallPresent {
			break
		}
		c.state = StateMTConfirmed
		c.start(T310, now)
		return c.notify(out, EvProceeding, m)
	case *Alerting:
		if c.state != StateCallPresent && c.state != StateMTConfirmed {
			break
		}
		c.stop()
		c.state = StateCallReceived
		if c.cfg.T301 > 0 {
			c.start(T301, now)
		}
		return c.notify(out, EvAlerting, m)
	case *Connect:
		if c.state != StateCallPresent && c.state != StateMTConfirmed && c.state != StateCallReceived {
			break
		}
		// N8 is passed through: Connect Acknowledge goes at once (§5.2.2.6).
		c.stop()
		c.state = StateActive
		out = c.notify(out, EvConnect, m)
		return c.send(out, &ConnectAck{})
	case *ConnectAck:
		if c.state != StateConnectIndication {
			break
		}
		c.stop()
		c.state = StateActive
		return c.notify(out, EvActive, m)
	case *StartDTMF:
		if !c.dtmfState() {
			break
		}
		if !ValidKey(m.Key) {
			return c.send(out, &StartDTMFReject{Cause: NewCause(CauseInvalidMandatoryInfo)})
		}
		out = append(out, Action{Kind: ActNotify, Event: EvDTMFStart, Key: m.Key, Msg: m})
		return c.send(out, &StartDTMFAck{Key: m.Key})
	case *StopDTMF:
		if !c.dtmfState() {
			break
		}
		out = c.notify(out, EvDTMFStop, m)
		return c.send(out, &StopDTMFAck{})
	}
	return c.notCompatible(out)
}

func (c *Call) receiveMobile(now time.Time, m Message, out []Action) []Action {
	switch m := m.(type) {
	case *Setup:
		if c.state != StateNull || c.origin {
			return out
		}
		c.state = StateCallPresent
		return c.notify(out, EvSetup, m)
	case *CallProceeding:
		if c.state != StateCallInitiated {
			break
		}
		c.stop()
		c.state = StateMOProceeding
		if !(m.HasProgress && m.Progress.StopsT310()) {
			c.start(T310, now)
		}
		return c.notify(out, EvProceeding, m)
	case *Progress:
		if c.state == StateMOProceeding && c.timer == T310 && m.Progress.StopsT310() {
			c.stop()
		}
		return c.notify(out, EvProgress, m)
	case *Alerting:
		if c.state != StateCallInitiated && c.state != StateMOProceeding {
			break
		}
		c.stop()
		c.state = StateCallDelivered
		return c.notify(out, EvAlerting, m)
	case *Connect:
		if c.state != StateCallInitiated && c.state != StateMOProceeding && c.state != StateCallDelivered {
			break
		}
		c.stop()
		c.state = StateActive
		out = c.notify(out, EvConnect, m)
		return c.send(out, &ConnectAck{})
	case *ConnectAck:
		if c.state != StateConnectRequest {
			break
		}
		c.stop()
		c.state = StateActive
		return c.notify(out, EvActive, m)
	case *StartDTMFAck:
		return append(out, Action{Kind: ActNotify, Event: EvDTMFAck, Key: m.Key, Msg: m})
	case *StartDTMFReject:
		return append(out, Action{Kind: ActNotify, Event: EvDTMFReject, Cause: m.Cause, Msg: m})
	case *StopDTMFAck:
		return c.notify(out, EvDTMFStopAck, m)
	}
	return c.notCompatible(out)
}

// ReceiveError handles a message for this call that failed to decode with
// err (h and t from Peek), as TS 24.008 §8 prescribes: an unknown message
// type gets Status #97 (§8.4); a missing or invalid mandatory IE gets
// Release Complete #96 for a Setup, Release #96 for a Disconnect, Release
// Complete #96 for a Release, and Status #96 otherwise (§8.5). Errors the
// spec ignores change nothing.
func (c *Call) ReceiveError(now time.Time, t MsgType, err error, out []Action) []Action {
	v, ok := CauseFor(err)
	if !ok || c.ended {
		return out
	}
	if c.state == StateNull && t != MsgSetup && t != MsgEmergencySetup {
		// No transaction yet: §8.3.1 b)/c).
		if t == MsgReleaseComplete {
			return out
		}
		return append(out, Action{Kind: ActSend, Msg: ReleaseCompleteFor(Header{TI: c.ti, TIFlag: c.origin}, NewCause(CauseInvalidTransactionID))})
	}
	cause := c.ourCause(v)
	if errors.Is(err, ErrUnknownType) {
		return c.send(out, c.status(v))
	}
	switch t {
	case MsgSetup, MsgEmergencySetup:
		if c.state != StateNull || c.origin {
			return out
		}
		c.setCause(cause)
		out = c.send(out, &ReleaseComplete{HasCause: true, Cause: cause})
		return c.toNull(out, nil)
	case MsgDisconnect:
		if c.state == StateReleaseRequest {
			return out
		}
		c.stop()
		c.setCause(cause)
		out = append(out, Action{Kind: ActNotify, Event: EvDisconnect, Cause: cause})
		c.state = StateReleaseRequest
		c.t308Again = false
		c.start(T308, now)
		return c.send(out, &Release{HasCause: true, Cause: cause})
	case MsgRelease:
		c.setCause(cause)
		out = c.send(out, &ReleaseComplete{HasCause: true, Cause: cause})
		return c.toNull(out, nil)
	case MsgReleaseComplete:
		c.setCause(cause)
		return c.toNull(out, nil)
	}
	return c.send(out, c.status(v))
}

// ReleaseCompleteFor returns the Release Complete that answers a message
// with header h (received) on the same transaction: same TI value, the
// flag inverted.
func ReleaseCompleteFor(h Header, cause Cause) *ReleaseComplete {
	return &ReleaseComplete{Header: Header{TI: h.TI, TIFlag: !h.TIFlag}, HasCause: true, Cause: cause}
}

// NoTransaction returns the answer to a message whose transaction
// identifier belongs to no call (TS 24.008 §8.3.1): nothing for Release
// Complete (item c) and for a Status reporting the Null state (§5.5.3.2);
// Release Complete #101 for a Status reporting another state; Release
// Complete #81 for anything else (item b). A Setup or Emergency Setup is
// not for this function: it opens a new transaction (nil is returned).
// The network side's answer carries a network cause; use
// ReleaseCompleteFor to choose the location.
func NoTransaction(m Message) Message {
	h := *m.Hdr()
	switch m := m.(type) {
	case *ReleaseComplete, *Setup, *EmergencySetup:
		return nil
	case *Status:
		if m.CallState.Value == StateNull {
			return nil
		}
		return ReleaseCompleteFor(h, NewCause(CauseMsgNotCompatibleWithState))
	}
	return ReleaseCompleteFor(h, NewCause(CauseInvalidTransactionID))
}
