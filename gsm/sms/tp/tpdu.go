package tp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// MTI is the TP-Message-Type-Indicator (TS 23.040 §9.2.3.1), bits 2–1 of
// the first octet; its meaning depends on the direction.
type MTI uint8

// Message type indicators.
const (
	MTIDeliver      MTI = 0 // SC→MS SMS-DELIVER; MS→SC SMS-DELIVER-REPORT
	MTISubmit       MTI = 1 // MS→SC SMS-SUBMIT; SC→MS SMS-SUBMIT-REPORT
	MTIStatusReport MTI = 2 // SC→MS SMS-STATUS-REPORT; MS→SC SMS-COMMAND
)

// TPDU is one transfer protocol data unit. MarshalTo writes it into b,
// which must hold MarshalSize octets; Unmarshal parses exactly one TPDU
// (trailing octets are an error), never panics, and a successful
// Unmarshal re-encodes to the same octets.
type TPDU interface {
	MTI() MTI
	MarshalSize() int
	MarshalTo(b []byte) (int, error)
	Unmarshal(b []byte) error
}

// Carrier is the RP message a TPDU travels in (TS 24.011 §7.3): RP-DATA
// carries SMS-SUBMIT and SMS-DELIVER (and status reports), RP-ACK and
// RP-ERROR the two forms of the reports.
type Carrier uint8

// Carriers.
const (
	InRPData Carrier = iota
	InRPAck
	InRPError
)

// DecodeMS parses a TPDU sent by a mobile station: an SMS-SUBMIT in
// RP-DATA, or an SMS-DELIVER-REPORT in RP-ACK or RP-ERROR.
func DecodeMS(b []byte, in Carrier) (TPDU, error) {
	if len(b) < 1 {
		return nil, fmt.Errorf("%w: empty TPDU", ErrShort)
	}
	var m TPDU
	switch mti := MTI(b[0] & 3); {
	case in == InRPData && mti == MTISubmit:
		m = &Submit{}
	case in == InRPData && mti == MTIStatusReport:
		return nil, fmt.Errorf("%w: SMS-COMMAND", ErrUnsupported)
	case in != InRPData && mti == MTIDeliver:
		m = &DeliverReport{Error: in == InRPError}
	default:
		return nil, fmt.Errorf("%w: MS→SC TP-MTI %d in carrier %d", ErrType, mti, in)
	}
	if err := m.Unmarshal(b); err != nil {
		return nil, err
	}
	return m, nil
}

// DecodeSC parses a TPDU sent by a service centre: an SMS-DELIVER or
// SMS-STATUS-REPORT in RP-DATA, or an SMS-SUBMIT-REPORT in RP-ACK or
// RP-ERROR.
func DecodeSC(b []byte, in Carrier) (TPDU, error) {
	if len(b) < 1 {
		return nil, fmt.Errorf("%w: empty TPDU", ErrShort)
	}
	var m TPDU
	switch mti := MTI(b[0] & 3); {
	case in == InRPData && mti == MTIDeliver:
		m = &Deliver{}
	case in == InRPData && mti == MTIStatusReport:
		m = &StatusReport{}
	case in != InRPData && mti == MTISubmit:
		m = &SubmitReport{Error: in == InRPError}
	default:
		return nil, fmt.Errorf("%w: SC→MS TP-MTI %d in carrier %d", ErrType, mti, in)
	}
	if err := m.Unmarshal(b); err != nil {
		return nil, err
	}
	return m, nil
}

// Marshal returns the encoding of m in a new slice.
func Marshal(m TPDU) ([]byte, error) {
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

func bit(v bool, n uint) byte {
	if v {
		return 1 << n
	}
	return 0
}

// first checks the first octet's MTI and that its unused bits are zero.
func first(b []byte, mti MTI, used byte, name string) (byte, error) {
	if len(b) < 1 {
		return 0, fmt.Errorf("%w: empty %s", ErrShort, name)
	}
	if MTI(b[0]&3) != mti {
		return 0, fmt.Errorf("%w: TP-MTI %d is not %s", ErrType, b[0]&3, name)
	}
	if b[0]&^(used|3) != 0 {
		return 0, fmt.Errorf("%w: %s first octet %#02x has unused bits set", ErrValue, name, b[0])
	}
	return b[0], nil
}

// finish turns the encoder's state into MarshalTo's result.
func finish(e *l3.Encoder, name string) (int, error) {
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w: %w", name, ErrBuffer, err)
	}
	return e.Len(), nil
}

// end checks that d consumed all input.
func end(d *l3.Decoder, name string) error {
	if err := d.Err(); err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrShort, err)
	}
	if d.Left() != 0 {
		return fmt.Errorf("%s: %w: %d octets", name, ErrTrailing, d.Left())
	}
	return nil
}

// putAddress writes a into e.
func putAddress(e *l3.Encoder, a Address) error {
	n := a.MarshalSize()
	r := e.Reserve(n)
	if r == nil {
		return nil // the encoder holds the error
	}
	_, err := a.MarshalTo(r)
	return err
}

func putTimestamp(e *l3.Encoder, ts Timestamp) error {
	r := e.Reserve(TimestampLen)
	if r == nil {
		return nil
	}
	_, err := ts.MarshalTo(r)
	return err
}

func timestamp(d *l3.Decoder, what string) (Timestamp, error) {
	var ts Timestamp
	v := d.V(TimestampLen)
	if v == nil {
		return ts, fmt.Errorf("%w: %s", ErrShort, what)
	}
	if err := ts.Unmarshal(v); err != nil {
		return ts, fmt.Errorf("%s: %w", what, err)
	}
	return ts, nil
}

// Parameter indicator bits (TP-PI, TS 23.040 §9.2.3.27).
const (
	PIPID = 1 << 0
	PIDCS = 1 << 1
	PIUDL = 1 << 2
)

// Optional is the TP-PI-governed tail of the reports and of a status
// report: TP-PID, TP-DCS and user data, each present only if TP-PI says
// so. PI keeps the octet as received; bits 7–4 are reserved and must be
// zero, and the extension bit 8 is not supported.
type Optional struct {
	PI  uint8
	PID uint8
	DCS DCS
	UD  UserData
}

func (o Optional) size() int {
	n := 1
	if o.PI&PIPID != 0 {
		n++
	}
	if o.PI&PIDCS != 0 {
		n++
	}
	if o.PI&PIUDL != 0 {
		n += 1 + len(o.UD.Octets)
	}
	return n
}

func (o Optional) encode(e *l3.Encoder) {
	e.Byte(o.PI)
	if o.PI&PIPID != 0 {
		e.Byte(o.PID)
	}
	if o.PI&PIDCS != 0 {
		e.Byte(uint8(o.DCS))
	}
	if o.PI&PIUDL != 0 {
		o.UD.encode(e)
	}
}

func (o *Optional) check(udhi bool, name string) error {
	if o.PI&0xf8 != 0 {
		return fmt.Errorf("%s: %w: TP-PI %#02x", name, ErrValue, o.PI)
	}
	if (o.PI&PIPID == 0 && o.PID != 0) || (o.PI&PIDCS == 0 && o.DCS != 0) {
		return fmt.Errorf("%s: %w: TP-PID or TP-DCS set without its TP-PI bit", name, ErrValue)
	}
	if o.UD.HeaderIndicator != udhi || (o.PI&PIUDL == 0 && (udhi || o.UD.Length != 0 || len(o.UD.Octets) != 0)) {
		return fmt.Errorf("%s: %w: user data without TP-PI's UDL bit, or TP-UDHI mismatch", name, ErrValue)
	}
	return nil
}

func (o *Optional) decode(d *l3.Decoder, udhi bool, name string) error {
	o.PI = d.Byte()
	if err := d.Err(); err != nil {
		return fmt.Errorf("%s: %w: TP-PI", name, ErrShort)
	}
	if o.PI&0xf8 != 0 {
		return fmt.Errorf("%s: %w: TP-PI %#02x", name, ErrValue, o.PI)
	}
	if o.PI&PIPID != 0 {
		o.PID = d.Byte()
	}
	if o.PI&PIDCS != 0 {
		o.DCS = DCS(d.Byte())
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, ErrShort)
	}
	if o.PI&PIUDL != 0 {
		ud, err := decodeUD(d, o.DCS, udhi)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		o.UD = ud
	} else if udhi {
		return fmt.Errorf("%s: %w: TP-UDHI without user data", name, ErrValue)
	}
	return nil
}
