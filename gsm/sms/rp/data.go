package rp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Data is an RP-DATA (TS 24.011 §7.3.1):
//
//	| 0 0 0 0 0 |  MTI 0 or 1     |  MS→N or N→MS
//	| message reference           |
//	| RP-Originator Address, LV   |  0 octets MS→N; the SC N→MS
//	| RP-Destination Address, LV  |  the SC MS→N; 0 octets N→MS
//	| RP-User data, LV (TPDU)     |  1–233 octets
//
// Downlink selects the direction. The address the direction leaves out
// must be zero.
type Data struct {
	Downlink    bool
	MR          uint8
	Originator  Address
	Destination Address
	UserData    []byte
}

// MTI implements Message.
func (m *Data) MTI() MTI {
	if m.Downlink {
		return MTIDataDown
	}
	return MTIDataUp
}

// MarshalSize implements Message.
func (m *Data) MarshalSize() int {
	return 2 + 1 + m.Originator.valueLen() + 1 + m.Destination.valueLen() + 1 + len(m.UserData)
}

// MarshalTo implements Message.
func (m *Data) MarshalTo(b []byte) (int, error) {
	t := m.MTI()
	if (m.Downlink && !m.Destination.IsZero()) || (!m.Downlink && !m.Originator.IsZero()) {
		return 0, fmt.Errorf("%v: %w: the address of the other direction is set", t, ErrValue)
	}
	if len(m.UserData) < 1 || len(m.UserData) > MaxUserData {
		return 0, fmt.Errorf("%v: %w: user data of %d octets", t, ErrLength, len(m.UserData))
	}
	e := l3.NewEncoder(b)
	e.Byte(byte(t))
	e.Byte(m.MR)
	if err := putAddress(&e, m.Originator); err != nil {
		return 0, fmt.Errorf("%v originator: %w", t, err)
	}
	if err := putAddress(&e, m.Destination); err != nil {
		return 0, fmt.Errorf("%v destination: %w", t, err)
	}
	e.LV(m.UserData)
	return finish(&e, t)
}

// Unmarshal implements Message.
func (m *Data) Unmarshal(b []byte) error {
	t, mr, d, err := header(b, MTIDataUp, MTIDataDown)
	if err != nil {
		return err
	}
	*m = Data{Downlink: t == MTIDataDown, MR: mr}
	if m.Originator, err = decodeAddress(&d, "RP-Originator Address"); err != nil {
		return fmt.Errorf("%v: %w", t, err)
	}
	if m.Destination, err = decodeAddress(&d, "RP-Destination Address"); err != nil {
		return fmt.Errorf("%v: %w", t, err)
	}
	if (m.Downlink && (m.Originator.IsZero() || !m.Destination.IsZero())) ||
		(!m.Downlink && (!m.Originator.IsZero() || m.Destination.IsZero())) {
		return fmt.Errorf("%v: %w: addresses present for the wrong direction", t, ErrValue)
	}
	m.UserData = d.LV(1, MaxUserData)
	return end(&d, t)
}

// Ack is an RP-ACK (TS 24.011 §7.3.3):
//
//	| 0 0 0 0 0 |  MTI 2 or 3     |
//	| message reference           |
//	| 0x41 RP-User data, TLV      |  optional: SMS-SUBMIT/DELIVER-REPORT
type Ack struct {
	Downlink bool
	MR       uint8
	UserData []byte // nil: absent
}

// MTI implements Message.
func (m *Ack) MTI() MTI {
	if m.Downlink {
		return MTIAckDown
	}
	return MTIAckUp
}

// MarshalSize implements Message.
func (m *Ack) MarshalSize() int { return 2 + udSize(m.UserData) }

func udSize(ud []byte) int {
	if ud == nil {
		return 0
	}
	return 2 + len(ud)
}

func putUD(e *l3.Encoder, ud []byte, t MTI) error {
	if ud == nil {
		return nil
	}
	if len(ud) < 1 || len(ud) > MaxUserData {
		return fmt.Errorf("%v: %w: user data of %d octets", t, ErrLength, len(ud))
	}
	e.TLV(ieiUserData, ud)
	return nil
}

func decodeUD(d *l3.Decoder, t MTI) ([]byte, error) {
	if d.Left() == 0 {
		return nil, nil
	}
	if !d.Is(ieiUserData) {
		b, _ := d.Peek()
		return nil, fmt.Errorf("%v: %w: unknown IEI %#02x", t, ErrTrailing, b)
	}
	ud, _ := d.TLV(ieiUserData, 1, MaxUserData)
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("%v: RP-User data: %w", t, err)
	}
	return ud, nil
}

// MarshalTo implements Message.
func (m *Ack) MarshalTo(b []byte) (int, error) {
	t := m.MTI()
	e := l3.NewEncoder(b)
	e.Byte(byte(t))
	e.Byte(m.MR)
	if err := putUD(&e, m.UserData, t); err != nil {
		return 0, err
	}
	return finish(&e, t)
}

// Unmarshal implements Message.
func (m *Ack) Unmarshal(b []byte) error {
	t, mr, d, err := header(b, MTIAckUp, MTIAckDown)
	if err != nil {
		return err
	}
	*m = Ack{Downlink: t == MTIAckDown, MR: mr}
	if m.UserData, err = decodeUD(&d, t); err != nil {
		return err
	}
	return end(&d, t)
}

// Error is an RP-ERROR (TS 24.011 §7.3.4):
//
//	| 0 0 0 0 0 |  MTI 4 or 5     |
//	| message reference           |
//	| RP-Cause, LV 1–2            |  | 0 | cause | [diagnostic] |
//	| 0x41 RP-User data, TLV      |  optional: the report's ERROR form
type Error struct {
	Downlink      bool
	MR            uint8
	Cause         Cause
	HasDiagnostic bool
	Diagnostic    uint8
	UserData      []byte // nil: absent
}

// MTI implements Message.
func (m *Error) MTI() MTI {
	if m.Downlink {
		return MTIErrorDown
	}
	return MTIErrorUp
}

// MarshalSize implements Message.
func (m *Error) MarshalSize() int {
	n := 2 + 2 + udSize(m.UserData)
	if m.HasDiagnostic {
		n++
	}
	return n
}

// MarshalTo implements Message.
func (m *Error) MarshalTo(b []byte) (int, error) {
	t := m.MTI()
	if m.Cause > 127 {
		return 0, fmt.Errorf("%v: %w: cause %d", t, ErrValue, m.Cause)
	}
	e := l3.NewEncoder(b)
	e.Byte(byte(t))
	e.Byte(m.MR)
	mark := e.BeginLV()
	e.Byte(byte(m.Cause))
	if m.HasDiagnostic {
		e.Byte(m.Diagnostic)
	}
	e.EndLV(mark)
	if err := putUD(&e, m.UserData, t); err != nil {
		return 0, err
	}
	return finish(&e, t)
}

// Unmarshal implements Message.
func (m *Error) Unmarshal(b []byte) error {
	t, mr, d, err := header(b, MTIErrorUp, MTIErrorDown)
	if err != nil {
		return err
	}
	*m = Error{Downlink: t == MTIErrorDown, MR: mr}
	c := d.LV(1, 2)
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: RP-Cause: %w", t, err)
	}
	if c[0]&0x80 != 0 {
		return fmt.Errorf("%v: %w: RP-Cause octet %#02x has the extension bit", t, ErrValue, c[0])
	}
	m.Cause = Cause(c[0])
	if len(c) == 2 {
		m.HasDiagnostic, m.Diagnostic = true, c[1]
	}
	if m.UserData, err = decodeUD(&d, t); err != nil {
		return err
	}
	return end(&d, t)
}

// SMMA is an RP-SMMA (TS 24.011 §7.3.2), MS to network: the MS has memory
// for short messages again.
//
//	| 0 0 0 0 0 |  MTI 6          |
//	| message reference           |
type SMMA struct {
	MR uint8
}

// MTI implements Message.
func (*SMMA) MTI() MTI { return MTISMMA }

// MarshalSize implements Message.
func (*SMMA) MarshalSize() int { return 2 }

// MarshalTo implements Message.
func (m *SMMA) MarshalTo(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, fmt.Errorf("RP-SMMA: %w", ErrBuffer)
	}
	b[0], b[1] = byte(MTISMMA), m.MR
	return 2, nil
}

// Unmarshal implements Message.
func (m *SMMA) Unmarshal(b []byte) error {
	t, mr, d, err := header(b, MTISMMA)
	if err != nil {
		return err
	}
	*m = SMMA{MR: mr}
	return end(&d, t)
}
