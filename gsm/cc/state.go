package cc

import (
	"fmt"
	"time"
)

// State is a CC call state, coded as the call state value of TS 24.008
// §10.5.4.6 (Table 10.5.117). The same values name the mobile station's
// states (U0, U1, ...) and the network's (N0, N1, ...), §5.1.
type State uint8

// Call states (§5.1.1 for the MS, §5.1.2 for the network).
const (
	StateNull               State = 0  // U0, N0
	StateMMPending          State = 2  // U0.1, N0.1: MM connection pending
	StateCallInitiated      State = 1  // U1, N1
	StateMOProceeding       State = 3  // U3, N3: mobile originating call proceeding
	StateCallDelivered      State = 4  // U4, N4
	StateCallPresent        State = 6  // U6, N6
	StateCallReceived       State = 7  // U7, N7
	StateConnectRequest     State = 8  // U8, N8
	StateMTConfirmed        State = 9  // U9, N9: mobile terminating call confirmed
	StateActive             State = 10 // U10, N10
	StateDisconnectRequest  State = 11 // U11 (MS sent Disconnect)
	StateDisconnectIndicate State = 12 // U12 (MS got Disconnect), N12 (network sent Disconnect)
	StateReleaseRequest     State = 19 // U19, N19
	StateConnectIndication  State = 28 // N28: network sent Connect to the calling MS
)

// String names the state as TS 24.008 §5.1 does, without the U/N prefix.
func (s State) String() string {
	switch s {
	case StateMMPending:
		return "0.1"
	}
	return fmt.Sprint(uint8(s))
}

// Side says which end of the radio interface a Call runs on.
type Side uint8

// Sides.
const (
	Network Side = iota
	Mobile
)

func (s Side) String() string {
	if s == Mobile {
		return "MS"
	}
	return "network"
}

// StateName returns the state's name on side s, such as "N10" or "U0.1".
func StateName(side Side, s State) string {
	if side == Mobile {
		return "U" + s.String()
	}
	return "N" + s.String()
}

// Timer is one of the CC timers of TS 24.008 §11.3 (Table 11.3 for the
// network, 11.4 for the MS). At most one runs per call.
type Timer uint8

// Timers.
const (
	TimerNone Timer = iota
	T301            // network: Alerting received; stopped by Connect
	T303            // Setup sent (MS: CM Service Request sent); stopped by the first answer
	T305            // Disconnect sent; stopped by Release or Disconnect
	T308            // Release sent; stopped by Release Complete or Release
	T310            // Call Proceeding (MS) / Call Confirmed (network) received; stopped by Alerting, Connect, Disconnect
	T313            // Connect sent; stopped by Connect Acknowledge
)

func (t Timer) String() string {
	switch t {
	case T301:
		return "T301"
	case T303:
		return "T303"
	case T305:
		return "T305"
	case T308:
		return "T308"
	case T310:
		return "T310"
	case T313:
		return "T313"
	}
	return "none"
}

// Config holds the timer values. Zero values take the defaults of Tables
// 11.3/11.4 (30 s each); T301 (network, the no-answer time; at least 180
// s by the table) is off when zero.
type Config struct {
	T301, T303, T305, T308, T310, T313 time.Duration
}

// DefaultTimer is the default of T303, T305, T308, T310 and T313.
const DefaultTimer = 30 * time.Second

func (c *Config) duration(t Timer) time.Duration {
	var d time.Duration
	switch t {
	case T301:
		return c.T301
	case T303:
		d = c.T303
	case T305:
		d = c.T305
	case T308:
		d = c.T308
	case T310:
		d = c.T310
	case T313:
		d = c.T313
	}
	if d <= 0 {
		d = DefaultTimer
	}
	return d
}

// ActionKind says what an Action asks of the Call's owner.
type ActionKind uint8

// Action kinds.
const (
	// ActSend: send Msg to the peer (over the MM connection, SAPI 0).
	ActSend ActionKind = iota + 1
	// ActNotify: tell the user (the switch, the phone's user) about
	// Event; Msg is the message that caused it, if any.
	ActNotify
	// ActRequestMM: MS side, establish an MM connection for this call
	// (CM Service Request; Emergency for an emergency call). Answer with
	// MMEstablished or Abort.
	ActRequestMM
	// ActReleaseMM: the transaction has ended (state Null); release the
	// MM connection if no other transaction uses it.
	ActReleaseMM
)

// Event is what an ActNotify reports.
type Event uint8

// Events.
const (
	EvNone Event = iota
	// EvSetup: a Setup or Emergency Setup arrived (network: a
	// mobile-originated call; MS: a mobile-terminated one). Msg holds it.
	EvSetup
	// EvProceeding: MS side, Call Proceeding received; network side, Call
	// Confirmed received (Msg, with the MS's bearer capability).
	EvProceeding
	// EvProgress: a Progress message or indicator arrived.
	EvProgress
	// EvAlerting: the called party is being alerted.
	EvAlerting
	// EvConnect: the called party answered (Connect received).
	EvConnect
	// EvActive: the Connect was acknowledged; the call is active.
	EvActive
	// EvDisconnect: the call is being cleared, not at the user's request:
	// the peer disconnected, or a timer expired (Timer), with Cause.
	EvDisconnect
	// EvReleased: the transaction is over (state Null), with the
	// clearing cause.
	EvReleased
	// EvDTMFStart, EvDTMFStop: network side, the MS pressed (Key) or
	// released a key.
	EvDTMFStart
	EvDTMFStop
	// EvDTMFAck, EvDTMFReject, EvDTMFStopAck: MS side, the network's
	// answers.
	EvDTMFAck
	EvDTMFReject
	EvDTMFStopAck
	// EvStatus: a Status arrived that needs no action (Msg).
	EvStatus
)

var eventNames = [...]string{"none", "setup", "proceeding", "progress", "alerting", "connect", "active",
	"disconnect", "released", "dtmf-start", "dtmf-stop", "dtmf-ack", "dtmf-reject", "dtmf-stop-ack", "status"}

func (e Event) String() string {
	if int(e) < len(eventNames) {
		return eventNames[e]
	}
	return fmt.Sprintf("Event(%d)", uint8(e))
}

// Action is one thing a Call asks its owner to do.
type Action struct {
	Kind      ActionKind
	Msg       Message // ActSend: the message, header filled in; ActNotify: the cause, or nil
	Event     Event
	Cause     Cause // EvDisconnect, EvReleased, EvDTMFReject
	Key       byte  // EvDTMFStart, EvDTMFAck
	Timer     Timer // EvDisconnect/EvReleased caused by a timer expiry
	Emergency bool  // ActRequestMM
}

func (a Action) String() string {
	switch a.Kind {
	case ActSend:
		return "send " + a.Msg.MsgType().String()
	case ActNotify:
		s := "notify " + a.Event.String()
		if a.Event == EvDisconnect || a.Event == EvReleased {
			s += " " + a.Cause.Value.String()
		}
		if a.Timer != TimerNone {
			s += " (" + a.Timer.String() + ")"
		}
		return s
	case ActRequestMM:
		return "request-mm"
	case ActReleaseMM:
		return "release-mm"
	}
	return "?"
}
