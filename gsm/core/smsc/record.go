package smsc

import (
	"encoding/json"
	"fmt"
	"time"
)

// State is where a message stands.
type State uint8

// States. Queued messages wait for delivery; the others are final and kept
// for the operator until pruned.
const (
	Queued    State = iota // waiting for (another) delivery attempt
	Delivered              // the recipient's RP-ACK arrived
	Expired                // its validity period ran out (TS 23.040 §9.2.3.12)
	Cancelled              // the operator deleted it
	Failed                 // permanently undeliverable (unknown recipient, refused)
)

var stateNames = [...]string{"queued", "delivered", "expired", "cancelled", "failed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Final reports whether the SC has finished with the message.
func (s State) Final() bool { return s != Queued }

// Kind says what a record carries to its recipient.
type Kind uint8

// Kinds.
const (
	// KindSubmit: TPDU is an SMS-SUBMIT, delivered as the SMS-DELIVER
	// built from it (tp.DeliverFor) with Received as TP-SCTS.
	KindSubmit Kind = iota
	// KindStatusReport: TPDU is an SMS-STATUS-REPORT for the sender of
	// message About.
	KindStatusReport
)

// Record is one message in the store.
type Record struct {
	ID    uint64
	Kind  Kind
	State State
	// From is the originator's number (TP-OA) or, for the operator's
	// messages, the box's alphanumeric sender name; FromIMSI is ""
	// for the operator.
	From     string
	FromIMSI string
	// To is the recipient's MSISDN; ToIMSI is known once resolved.
	To     string
	ToIMSI string
	// MR is the sender's TP-MR; SRR whether it asked for a status report.
	MR  uint8
	SRR bool
	// TPDU is the SMS-SUBMIT as received (or built by the operator's
	// command), or the SMS-STATUS-REPORT.
	TPDU []byte
	// About is, for a status report, the ID of the message it reports on.
	About uint64
	// Received is TP-SCTS; Expiry when the SC gives up.
	Received time.Time
	Expiry   time.Time
	// Attempts counts delivery attempts that failed; NextAttempt is when
	// the back-off allows the next one (zero: at once).
	Attempts    int
	NextAttempt time.Time
	// Done is when the state became final; Cause the RP cause of the
	// last failure (0: none).
	Done  time.Time
	Cause uint8
}

// encode and decode use JSON: records are small, the format is readable
// with standard tools when an operator has to look, and new fields stay
// compatible.
func (r *Record) encode() ([]byte, error) { return json.Marshal(r) }

func decode(b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return r, nil
}
