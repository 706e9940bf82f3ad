package cp

import (
	"errors"
	"fmt"
	"time"
)

// Config sets an Entity's timer and retransmissions.
type Config struct {
	// TC1 is TC1*, the wait for a CP-ACK (TS 24.011 §10; the value is
	// the implementation's, longer than a round trip with LAPDm
	// retransmissions on SAPI 3). Default 20 s.
	TC1 time.Duration
	// Retransmissions is how often a CP-DATA is sent again when TC1*
	// expires before the entity gives up (§5.3.2.1 leaves the number to
	// the implementation, at least one). Default 2.
	Retransmissions int
}

func (c Config) withDefaults() Config {
	if c.TC1 <= 0 {
		c.TC1 = 20 * time.Second
	}
	if c.Retransmissions <= 0 {
		c.Retransmissions = 2
	}
	return c
}

// ActionKind says what an Action asks of the Entity's owner.
type ActionKind uint8

// Action kinds.
const (
	// ActSend: transmit Msg (an encoded CP message) on the MM connection.
	ActSend ActionKind = iota
	// ActDeliver: pass RPDU up to the relay layer (MNSMS-DATA-IND, or
	// MNSMS-EST-IND for the first message of a transaction).
	ActDeliver
	// ActError: the transaction failed (MNSMS-ERROR-IND); Err says why,
	// Cause is the CP-Cause sent or received.
	ActError
	// ActRelease: the transaction is over; release its MM connection
	// unless another transaction uses it.
	ActRelease
)

func (k ActionKind) String() string {
	return [...]string{"send", "deliver", "error", "release"}[k]
}

// Action is one thing the owner must do, in order.
type Action struct {
	Kind  ActionKind
	Msg   []byte // ActSend
	RPDU  []byte // ActDeliver
	Cause Cause  // ActError
	Err   error  // ActError
}

// State is an Entity's state (TS 24.011 §5.2: the MO/MT states of both
// sides fold into these; MM-connection pending is the owner's business).
type State uint8

// Entity states.
const (
	StateIdle        State = iota // nothing sent or received yet
	StateWaitAck                  // a CP-DATA is out; TC1* runs
	StateEstablished              // MM connection established, no CP-DATA outstanding
	StateReleased                 // over; the Entity is spent
)

func (s State) String() string {
	return [...]string{"idle", "wait for CP-ACK", "MM connection established", "released"}[s]
}

// Entity is the SMC entity of one transaction on one side. Create it with
// NewEntity when opening a transaction (originator) or when the first
// CP-DATA of a new TI arrives (terminator, then pass that message to
// Receive). It is not safe for concurrent use.
type Entity struct {
	cfg        Config
	ti         uint8
	originator bool

	state      State
	sent       []byte // the CP-DATA out, kept for retransmission
	tries      int    // retransmissions done
	deadline   time.Time
	sentData   bool // our one CP-DATA has been sent
	gotData    bool // the peer's one CP-DATA has been delivered
	releaseReq bool // release once the CP-DATA out is acknowledged
}

// NewEntity returns the entity of transaction ti (0..6). originator is
// true for the side that opens the transaction with its CP-DATA.
func NewEntity(cfg Config, ti uint8, originator bool) (*Entity, error) {
	if ti > 6 {
		return nil, fmt.Errorf("%w: %d", ErrTI, ti)
	}
	return &Entity{cfg: cfg.withDefaults(), ti: ti, originator: originator}, nil
}

// State returns the current state.
func (e *Entity) State() State { return e.state }

// TI returns the transaction identifier value.
func (e *Entity) TI() uint8 { return e.ti }

// Deadline returns when Tick must next be called, if a timer runs.
func (e *Entity) Deadline() (time.Time, bool) {
	return e.deadline, e.state == StateWaitAck
}

func (e *Entity) msg(m Message) []byte {
	m.TI, m.TIFlag = e.ti, !e.originator
	b, err := Marshal(&m)
	if err != nil {
		panic(err) // a CP message of at most MaxUserData octets always encodes
	}
	return b
}

// Send hands the entity the one RPDU it sends in this transaction:
// RP-DATA or RP-SMMA by the originator, RP-ACK or RP-ERROR by the
// terminator after its CP-DATA arrived. It returns the CP-DATA to send
// and arms TC1*.
func (e *Entity) Send(now time.Time, rpdu []byte) ([]Action, error) {
	switch {
	case e.sentData || e.state == StateReleased:
		return nil, fmt.Errorf("%w: a CP-DATA was already sent (state %v)", ErrState, e.state)
	case !e.originator && !e.gotData:
		return nil, fmt.Errorf("%w: the terminating side answers after the peer's CP-DATA", ErrState)
	case len(rpdu) < 1 || len(rpdu) > MaxUserData:
		return nil, fmt.Errorf("%w: RPDU of %d octets", ErrInvalid, len(rpdu))
	}
	e.sent = e.msg(Message{Type: MsgData, UserData: rpdu})
	e.sentData, e.state, e.tries, e.deadline = true, StateWaitAck, 0, now.Add(e.cfg.TC1)
	return []Action{{Kind: ActSend, Msg: e.sent}}, nil
}

// Release asks for the MM connection to be released once nothing is
// outstanding (MNSMS-REL-REQ): at once, or when the CP-DATA out is
// acknowledged or given up on.
func (e *Entity) Release() []Action {
	switch e.state {
	case StateReleased:
		return nil
	case StateWaitAck:
		e.releaseReq = true
		return nil
	}
	e.state = StateReleased
	return []Action{{Kind: ActRelease}}
}

// Abort ends the transaction at once with a CP-ERROR carrying cause
// (MNSMS-ABORT-REQ).
func (e *Entity) Abort(cause Cause) []Action {
	if e.state == StateReleased {
		return nil
	}
	e.state = StateReleased
	return []Action{{Kind: ActSend, Msg: e.msg(Message{Type: MsgError, Cause: cause})}, {Kind: ActRelease}}
}

// Tick handles TC1* expiry at now: the CP-DATA is sent again, or after
// the last retransmission the transaction fails with ErrTimeout.
func (e *Entity) Tick(now time.Time) []Action {
	if e.state != StateWaitAck || now.Before(e.deadline) {
		return nil
	}
	if e.tries < e.cfg.Retransmissions {
		e.tries++
		e.deadline = now.Add(e.cfg.TC1)
		return []Action{{Kind: ActSend, Msg: e.sent}}
	}
	e.state = StateReleased
	return []Action{{Kind: ActError, Err: ErrTimeout}, {Kind: ActRelease}}
}

// acked handles the acknowledgement of our CP-DATA.
func (e *Entity) acked() []Action {
	e.state, e.sent = StateEstablished, nil
	if e.releaseReq {
		e.state = StateReleased
		return []Action{{Kind: ActRelease}}
	}
	return nil
}

// Receive handles one CP message of this transaction (route by PeekTI).
// Malformed messages are answered with CP-ERROR as TS 24.011 §9 asks and
// leave the state as it was.
func (e *Entity) Receive(now time.Time, b []byte) []Action {
	if e.state == StateReleased {
		return nil
	}
	var m Message
	if err := m.Unmarshal(b); err != nil {
		cause := CauseProtocolErrorUnspecified
		switch {
		case errors.Is(err, ErrUnknownType):
			cause = CauseMessageTypeNonExistent
		case errors.Is(err, ErrInvalid), errors.Is(err, ErrTrailing):
			cause = CauseInvalidMandatoryInfo
		case errors.Is(err, ErrTI):
			cause = CauseInvalidTI
		}
		return []Action{{Kind: ActSend, Msg: e.msg(Message{Type: MsgError, Cause: cause})}}
	}
	// The peer's messages carry the other TI flag.
	if m.TI != e.ti || m.TIFlag == !e.originator {
		return nil
	}
	switch m.Type {
	case MsgAck:
		if e.state == StateWaitAck {
			return e.acked()
		}
		return nil // a late or duplicate CP-ACK
	case MsgError:
		e.state = StateReleased
		return []Action{{Kind: ActError, Cause: m.Cause, Err: fmt.Errorf("%w: cause #%d", ErrPeer, m.Cause)}, {Kind: ActRelease}}
	}
	// CP-DATA.
	if e.originator && !e.sentData {
		// The originator's peer speaks only after our CP-DATA.
		return []Action{{Kind: ActSend, Msg: e.msg(Message{Type: MsgError, Cause: CauseMessageNotCompatible})}}
	}
	acts := []Action{{Kind: ActSend, Msg: e.msg(Message{Type: MsgAck})}}
	if e.gotData {
		// A retransmission (our CP-ACK was lost): acknowledged again,
		// delivered once, and no acknowledgement of our own CP-DATA.
		return acts
	}
	if e.state == StateWaitAck {
		// The peer's CP-DATA answers ours, so it also acknowledges it;
		// a requested release waits until the peer's data is acked.
		e.state, e.sent = StateEstablished, nil
	}
	e.gotData = true
	acts = append(acts, Action{Kind: ActDeliver, RPDU: m.UserData})
	if e.state == StateIdle {
		e.state = StateEstablished
	}
	if e.releaseReq && e.state == StateEstablished {
		e.state = StateReleased
		acts = append(acts, Action{Kind: ActRelease})
	}
	return acts
}
