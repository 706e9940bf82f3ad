package cc

import (
	"errors"
	"time"
)

// Transactions holds the CC transactions of one MM connection (one mobile
// station) on one side, keyed by transaction identifier: up to seven
// allocated by each side (TI values 0–6, TS 24.007 §11.2.3.1.3). It routes
// received messages to their Call, opens a Call for a Setup or Emergency
// Setup on a new transaction, and answers the rest as §8.3.1 prescribes.
// The zero value is not ready; use NewTransactions.
type Transactions struct {
	side Side
	cfg  Config
	// calls[0] are the TIs the peer allocated, calls[1] ours.
	calls [2][7]*Call
}

// NewTransactions returns an empty table for side.
func NewTransactions(side Side, cfg Config) *Transactions {
	return &Transactions{side: side, cfg: cfg}
}

func originIndex(origin bool) int {
	if origin {
		return 1
	}
	return 0
}

// New allocates a free TI value for a call this side originates (the
// network's mobile-terminated call, the MS's mobile-originated one) and
// returns its Call, or nil if all seven are in use.
func (t *Transactions) New() *Call {
	for ti, c := range t.calls[1] {
		if c == nil {
			c = NewCall(t.side, t.cfg, uint8(ti), true)
			t.calls[1][ti] = c
			return c
		}
	}
	return nil
}

// Lookup returns the call a received message with header h belongs to,
// or nil.
func (t *Transactions) Lookup(h Header) *Call {
	if h.TI > 6 {
		return nil
	}
	// A message sent to the TI's originator has flag 1: it is for a call
	// this side originated.
	return t.calls[originIndex(h.TIFlag)][h.TI]
}

// Calls appends the calls in the table to dst.
func (t *Transactions) Calls(dst []*Call) []*Call {
	for _, row := range t.calls {
		for _, c := range row {
			if c != nil {
				dst = append(dst, c)
			}
		}
	}
	return dst
}

// Len returns the number of calls in the table.
func (t *Transactions) Len() int {
	n := 0
	for _, row := range t.calls {
		for _, c := range row {
			if c != nil {
				n++
			}
		}
	}
	return n
}

// Sweep removes the calls that have ended.
func (t *Transactions) Sweep() {
	for i := range t.calls {
		for ti, c := range t.calls[i] {
			if c != nil && c.Ended() {
				t.calls[i][ti] = nil
			}
		}
	}
}

// Receive handles one received CC message b (an L3 message with PD 3, its
// N(SD) already checked): it returns the Call it concerned (nil if none)
// and appends the actions. Messages the spec ignores (extended TI, too
// short) return nil and no actions. Ended calls stay in the table until
// Sweep.
func (t *Transactions) Receive(now time.Time, b []byte, out []Action) (*Call, []Action) {
	h, typ, err := Peek(b)
	if err != nil {
		return nil, out
	}
	m, err := Decode(b)
	c := t.Lookup(h)
	if c == nil || c.Ended() {
		if c != nil {
			t.calls[originIndex(h.TIFlag)][h.TI] = nil
			c = nil
		}
		isSetup := typ == MsgSetup || typ == MsgEmergencySetup
		switch {
		case isSetup && !h.TIFlag:
			c = NewCall(t.side, t.cfg, h.TI, false)
			t.calls[0][h.TI] = c
		case isSetup:
			return nil, out // §8.3.1 d): a Setup with TI flag 1 is ignored
		case err != nil:
			if _, ok := CauseFor(err); !ok || typ == MsgReleaseComplete {
				return nil, out
			}
			return nil, append(out, Action{Kind: ActSend, Msg: ReleaseCompleteFor(h, NewCause(CauseInvalidTransactionID))})
		default:
			if r := NoTransaction(m); r != nil {
				out = append(out, Action{Kind: ActSend, Msg: r})
			}
			return nil, out
		}
	}
	if err != nil {
		var ut *UnknownTypeError
		if errors.As(err, &ut) {
			typ = ut.Type
		}
		return c, c.ReceiveError(now, typ, err, out)
	}
	return c, c.Receive(now, m, out)
}

// Deadline returns the earliest timer deadline of the calls in the table.
func (t *Transactions) Deadline() (time.Time, bool) {
	var first time.Time
	ok := false
	for _, row := range t.calls {
		for _, c := range row {
			if c == nil {
				continue
			}
			if d, _, running := c.Deadline(); running && (!ok || d.Before(first)) {
				first, ok = d, true
			}
		}
	}
	return first, ok
}

// Tick fires the expired timers of every call; fn receives each call's
// actions.
func (t *Transactions) Tick(now time.Time, fn func(c *Call, actions []Action)) {
	var buf [8]Action
	for _, row := range t.calls {
		for _, c := range row {
			if c == nil {
				continue
			}
			if out := c.Tick(now, buf[:0]); len(out) > 0 {
				fn(c, out)
			}
		}
	}
}
