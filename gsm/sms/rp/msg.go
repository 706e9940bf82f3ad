package rp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/sms/internal/bcd"
)

// MTI is an RP message type indicator (TS 24.011 §8.2.2), bits 3–1 of the
// first octet (bits 8–4 are spare and zero).
type MTI uint8

// RP message types.
const (
	MTIDataUp    MTI = 0 // RP-DATA, MS → network
	MTIDataDown  MTI = 1 // RP-DATA, network → MS
	MTIAckUp     MTI = 2 // RP-ACK, MS → network
	MTIAckDown   MTI = 3 // RP-ACK, network → MS
	MTIErrorUp   MTI = 4 // RP-ERROR, MS → network
	MTIErrorDown MTI = 5 // RP-ERROR, network → MS
	MTISMMA      MTI = 6 // RP-SMMA, MS → network
)

var mtiNames = [...]string{"RP-DATA (MS→N)", "RP-DATA (N→MS)", "RP-ACK (MS→N)", "RP-ACK (N→MS)", "RP-ERROR (MS→N)", "RP-ERROR (N→MS)", "RP-SMMA"}

func (t MTI) String() string {
	if int(t) < len(mtiNames) {
		return mtiNames[t]
	}
	return fmt.Sprintf("MTI(%d)", uint8(t))
}

// Limits of TS 24.011 §8.2.5.
const (
	// MaxAddressLen is the longest address value: the TON/NPI octet and
	// ten octets of digits.
	MaxAddressLen = 11
	// MaxUserData is the longest RP-User data value (a TPDU).
	MaxUserData = 233
	// ieiUserData is the IEI of the optional RP-User data of RP-ACK and
	// RP-ERROR (§8.2.5.3).
	ieiUserData = 0x41
)

// Message is one RP message. MarshalTo writes it into b (MarshalSize
// octets); Unmarshal parses exactly one message and never panics; a
// successful Unmarshal re-encodes to the same octets.
type Message interface {
	MTI() MTI
	MarshalSize() int
	MarshalTo(b []byte) (int, error)
	Unmarshal(b []byte) error
}

// Decode parses any RP message.
func Decode(b []byte) (Message, error) {
	if len(b) < 1 {
		return nil, fmt.Errorf("%w: empty", ErrShort)
	}
	var m Message
	switch MTI(b[0] & 7) {
	case MTIDataUp, MTIDataDown:
		m = &Data{}
	case MTIAckUp, MTIAckDown:
		m = &Ack{}
	case MTIErrorUp, MTIErrorDown:
		m = &Error{}
	case MTISMMA:
		m = &SMMA{}
	default:
		return nil, fmt.Errorf("%w: MTI %d", ErrType, b[0]&7)
	}
	if err := m.Unmarshal(b); err != nil {
		return nil, err
	}
	return m, nil
}

// Marshal returns the encoding of m in a new slice.
func Marshal(m Message) ([]byte, error) {
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// header reads the MTI octet and message reference.
func header(b []byte, want ...MTI) (MTI, uint8, l3.Decoder, error) {
	if len(b) < 2 {
		return 0, 0, l3.Decoder{}, fmt.Errorf("%w: %d octets, need 2", ErrShort, len(b))
	}
	if b[0]&0xf8 != 0 {
		return 0, 0, l3.Decoder{}, fmt.Errorf("%w: spare bits in MTI octet %#02x", ErrValue, b[0])
	}
	t := MTI(b[0])
	for _, w := range want {
		if t == w {
			return t, b[1], l3.NewDecoder(b[2:]), nil
		}
	}
	return 0, 0, l3.Decoder{}, fmt.Errorf("%w: %v", ErrType, t)
}

func finish(e *l3.Encoder, t MTI) (int, error) {
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("%v: %w: %w", t, ErrBuffer, err)
	}
	return e.Len(), nil
}

func end(d *l3.Decoder, t MTI) error {
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w: %w", t, ErrShort, err)
	}
	if d.Left() != 0 {
		return fmt.Errorf("%v: %w: %d octets", t, ErrTrailing, d.Left())
	}
	return nil
}

// Address is an RP-Originator or RP-Destination Address value (TS 24.011
// §8.2.5.1, .2), coded as TS 24.008 §10.5.4.7:
//
//	  8   7   6   5   4   3   2   1
//	|          length               |
//	| 1 |    TON    |      NPI      |  (absent when length is 0)
//	| digit 2       | digit 1       |  BCD, 0xF fills an odd last octet
//
// The zero Address is the absent one (length 0).
type Address struct {
	TON    uint8 // 1 international, 2 national, ...
	NPI    uint8 // 1 ISDN/E.164, ...
	Digits string
}

// IsZero reports whether a is the absent address.
func (a Address) IsZero() bool { return a == Address{} }

// String returns the number, with '+' when international.
func (a Address) String() string {
	if a.TON == 1 {
		return "+" + a.Digits
	}
	return a.Digits
}

// Number returns an E.164 address, international when s starts with '+'.
func Number(s string) Address {
	if len(s) > 0 && s[0] == '+' {
		return Address{TON: 1, NPI: 1, Digits: s[1:]}
	}
	return Address{NPI: 1, Digits: s}
}

func (a Address) valueLen() int {
	if a.IsZero() {
		return 0
	}
	return 1 + bcd.Len(len(a.Digits))
}

func putAddress(e *l3.Encoder, a Address) error {
	if a.IsZero() {
		e.Byte(0)
		return nil
	}
	if a.TON > 7 || a.NPI > 15 {
		return fmt.Errorf("%w: address TON %d NPI %d", ErrValue, a.TON, a.NPI)
	}
	if a.valueLen() > MaxAddressLen {
		return fmt.Errorf("%w: address of %d digits", ErrLength, len(a.Digits))
	}
	v, err := bcd.Append(make([]byte, 0, MaxAddressLen), a.Digits)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrValue, err)
	}
	mark := e.BeginLV()
	e.Byte(0x80 | a.TON<<4 | a.NPI)
	e.V(v)
	e.EndLV(mark)
	return nil
}

func decodeAddress(d *l3.Decoder, what string) (Address, error) {
	v := d.LV(0, MaxAddressLen)
	if err := d.Err(); err != nil {
		return Address{}, fmt.Errorf("%s: %w", what, err)
	}
	if len(v) == 0 {
		return Address{}, nil
	}
	if v[0]&0x80 == 0 || len(v) == 1 && v[0] == 0x80 {
		return Address{}, fmt.Errorf("%w: %s type octet %#02x", ErrValue, what, v[0])
	}
	digits, err := bcd.Decode(v[1:], -1)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %s: %w", ErrValue, what, err)
	}
	return Address{TON: v[0] >> 4 & 7, NPI: v[0] & 0xf, Digits: digits}, nil
}
