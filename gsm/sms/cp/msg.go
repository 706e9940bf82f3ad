package cp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// MsgType is a CP message type (TS 24.011 §8.1.3).
type MsgType uint8

// CP message types.
const (
	MsgData  MsgType = 0x01
	MsgAck   MsgType = 0x04
	MsgError MsgType = 0x10
)

func (t MsgType) String() string {
	switch t {
	case MsgData:
		return "CP-DATA"
	case MsgAck:
		return "CP-ACK"
	case MsgError:
		return "CP-ERROR"
	}
	return fmt.Sprintf("MsgType(%#02x)", uint8(t))
}

// MaxUserData is the longest CP-User data (TS 24.011 §8.1.4.1): an
// RP-DATA with the longest addresses and 233 octets of RP-User data.
const MaxUserData = 249

// Cause is a CP-Cause (TS 24.011 §8.1.4.2, table 8.2).
type Cause uint8

// CP causes.
const (
	CauseNetworkFailure           Cause = 17
	CauseCongestion               Cause = 22
	CauseInvalidTI                Cause = 81
	CauseSemanticallyIncorrect    Cause = 95
	CauseInvalidMandatoryInfo     Cause = 96
	CauseMessageTypeNonExistent   Cause = 97
	CauseMessageNotCompatible     Cause = 98
	CauseIENonExistent            Cause = 99
	CauseProtocolErrorUnspecified Cause = 111
)

// Message is a CP message: the header (PD 9, TI flag and value) and the
// type's elements.
//
//	  8   7   6   5   4   3   2   1
//	|TIF|  TI value |  PD = 1001    |  octet 1 (TS 24.007 §11.2.3.1.3)
//	|        message type           |  octet 2
//	| CP-DATA: CP-User data, LV (an RPDU, 1–249 octets)
//	| CP-ERROR: CP-Cause, V 1
//	| CP-ACK: nothing
type Message struct {
	Type     MsgType
	TIFlag   bool  // false: sent by the side that opened the transaction
	TI       uint8 // 0..6
	UserData []byte
	Cause    Cause
}

// MarshalSize returns the encoded length.
func (m *Message) MarshalSize() int {
	switch m.Type {
	case MsgData:
		return 3 + len(m.UserData)
	case MsgError:
		return 3
	}
	return 2
}

// MarshalTo writes m into b.
func (m *Message) MarshalTo(b []byte) (int, error) {
	if m.TI > 6 {
		return 0, fmt.Errorf("%v: %w: TI %d", m.Type, ErrTI, m.TI)
	}
	if len(b) < m.MarshalSize() {
		return 0, fmt.Errorf("%v: %w: need %d octets", m.Type, ErrBuffer, m.MarshalSize())
	}
	h := l3.Header{PD: l3.PDSMS, TIFlag: m.TIFlag, TI: m.TI, Type: uint8(m.Type)}
	n, err := h.MarshalTo(b)
	if err != nil {
		return 0, err
	}
	switch m.Type {
	case MsgData:
		if len(m.UserData) < 1 || len(m.UserData) > MaxUserData {
			return 0, fmt.Errorf("CP-DATA: %w: user data of %d octets", ErrInvalid, len(m.UserData))
		}
		b[n] = byte(len(m.UserData))
		n += 1 + copy(b[n+1:], m.UserData)
	case MsgError:
		b[n] = byte(m.Cause)
		n++
	case MsgAck:
	default:
		return 0, fmt.Errorf("%w: %v", ErrUnknownType, m.Type)
	}
	return n, nil
}

// Unmarshal parses one CP message. UserData aliases b.
func (m *Message) Unmarshal(b []byte) error {
	var h l3.Header
	n, err := h.Unmarshal(b)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrShort, err)
	}
	if h.PD != l3.PDSMS {
		return fmt.Errorf("%w: PD %d", ErrPD, h.PD)
	}
	if n != 2 || h.TI > 6 {
		return fmt.Errorf("%w: TI %d", ErrTI, h.TI)
	}
	*m = Message{Type: MsgType(h.Type), TIFlag: h.TIFlag, TI: h.TI}
	d := l3.NewDecoder(b[n:])
	switch m.Type {
	case MsgData:
		m.UserData = d.LV(1, MaxUserData)
		if err := d.Err(); err != nil {
			return fmt.Errorf("CP-DATA: %w: %w", ErrInvalid, err)
		}
	case MsgError:
		m.Cause = Cause(d.Byte())
		if err := d.Err(); err != nil {
			return fmt.Errorf("CP-ERROR: %w: no cause", ErrInvalid)
		}
	case MsgAck:
	default:
		return fmt.Errorf("%w: %#02x", ErrUnknownType, h.Type)
	}
	if d.Left() != 0 {
		return fmt.Errorf("%v: %w: %d octets", m.Type, ErrTrailing, d.Left())
	}
	return nil
}

// Marshal returns the encoding of m in a new slice.
func Marshal(m *Message) ([]byte, error) {
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// PeekTI returns the transaction identifier of an SMS message without
// decoding the rest, for routing it to its Entity.
func PeekTI(b []byte) (flag bool, ti uint8, err error) {
	if len(b) < 1 {
		return false, 0, ErrShort
	}
	if l3.PD(b[0]&0xf) != l3.PDSMS {
		return false, 0, fmt.Errorf("%w: PD %d", ErrPD, b[0]&0xf)
	}
	return b[0]&0x80 != 0, b[0] >> 4 & 7, nil
}
