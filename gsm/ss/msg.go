package ss

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// MsgType is a non-call-related SS message type (TS 24.080 §3.4), without
// the N(SD) bits.
type MsgType uint8

// SS message types.
const (
	MsgReleaseComplete MsgType = 0x2a
	MsgFacility        MsgType = 0x3a
	MsgRegister        MsgType = 0x3b
)

func (t MsgType) String() string {
	switch t {
	case MsgReleaseComplete:
		return "Release Complete"
	case MsgFacility:
		return "Facility"
	case MsgRegister:
		return "Register"
	}
	return fmt.Sprintf("MsgType(%#02x)", uint8(t))
}

// IEIs of TS 24.080 §3.
const (
	ieiCause     = 0x08
	ieiFacility  = 0x1c
	ieiSSVersion = 0x7f
)

// Header is the common header of SS messages (TS 24.007 §11.2.3): the
// transaction identifier (flag false from the side that opened the
// transaction) and, on messages from the MS, the send sequence number.
type Header struct {
	TIFlag bool
	TI     uint8 // 0..6
	NSD    uint8 // MS→N only (TS 24.007 §11.2.3.2.3)
}

// Message is one SS message. MarshalTo writes it into b (MarshalSize
// octets); Unmarshal parses one and never panics.
type Message interface {
	MsgType() MsgType
	MarshalSize() int
	MarshalTo(b []byte) (int, error)
	Unmarshal(b []byte) error
}

// Decode parses any SS message this package knows.
func Decode(b []byte) (Message, error) {
	var h l3.Header
	if _, err := h.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrShort, err)
	}
	var m Message
	switch MsgType(h.Type) {
	case MsgRegister:
		m = &Register{}
	case MsgFacility:
		m = &FacilityMsg{}
	case MsgReleaseComplete:
		m = &ReleaseComplete{}
	default:
		return nil, fmt.Errorf("%w: %#02x", ErrUnknownType, h.Type)
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

func (h Header) encode(b []byte, t MsgType) (l3.Encoder, error) {
	if h.TI > 6 || h.NSD > 3 {
		return l3.Encoder{}, fmt.Errorf("%v: %w: TI %d N(SD) %d", t, ErrTI, h.TI, h.NSD)
	}
	lh := l3.Header{PD: l3.PDSS, TIFlag: h.TIFlag, TI: h.TI, Type: uint8(t), NSD: h.NSD}
	n, err := lh.MarshalTo(b)
	if err != nil {
		return l3.Encoder{}, fmt.Errorf("%v: %w", t, ErrBuffer)
	}
	e := l3.NewEncoder(b)
	e.Reserve(n)
	return e, nil
}

func decodeHeader(b []byte, t MsgType) (Header, l3.Decoder, error) {
	var lh l3.Header
	n, err := lh.Unmarshal(b)
	if err != nil {
		return Header{}, l3.Decoder{}, fmt.Errorf("%v: %w: %w", t, ErrShort, err)
	}
	if lh.PD != l3.PDSS {
		return Header{}, l3.Decoder{}, fmt.Errorf("%w: PD %d", ErrPD, lh.PD)
	}
	if n != 2 || lh.TI > 6 {
		return Header{}, l3.Decoder{}, fmt.Errorf("%v: %w: TI %d", t, ErrTI, lh.TI)
	}
	if MsgType(lh.Type) != t {
		return Header{}, l3.Decoder{}, fmt.Errorf("%w: %#02x is not %v", ErrType, lh.Type, t)
	}
	return Header{TIFlag: lh.TIFlag, TI: lh.TI, NSD: lh.NSD}, l3.NewDecoder(b[n:]), nil
}

func finish(e *l3.Encoder, t MsgType) (int, error) {
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("%v: %w: %w", t, ErrBuffer, err)
	}
	return e.Len(), nil
}

// putFacility writes f as a TLV (iei != 0) or LV IE.
func putFacility(e *l3.Encoder, iei byte, f Facility, t MsgType) error {
	if iei != 0 {
		e.Byte(iei)
	}
	mark := e.BeginLV()
	v := e.Reserve(f.MarshalSize())
	if v == nil {
		return nil // the encoder keeps the error
	}
	if _, err := f.AppendTo(v[:0]); err != nil {
		return fmt.Errorf("%v: %w", t, err)
	}
	e.EndLV(mark)
	return nil
}

func facility(v []byte, t MsgType) (Facility, error) {
	f, err := ParseFacility(v)
	if err != nil {
		return nil, fmt.Errorf("%v facility: %w", t, err)
	}
	return f, nil
}

// Register is the Register message (TS 24.080 §2.4), the first message of
// a transaction, in either direction:
//
//	|TIF| TI  | PD = 1011     |
//	|N(SD)| type 0x3B        |
//	| 0x1C Facility, TLV      |  mandatory (§3.6)
//	| 0x7F SS version, TLV    |  MS→N, optional (§3.7.2)
type Register struct {
	Header
	Facility   Facility
	HasVersion bool
	Version    []byte
}

// MsgType implements Message.
func (*Register) MsgType() MsgType { return MsgRegister }

// MarshalSize implements Message.
func (m *Register) MarshalSize() int {
	n := 2 + 2 + m.Facility.MarshalSize()
	if m.HasVersion {
		n += 2 + len(m.Version)
	}
	return n
}

// MarshalTo implements Message.
func (m *Register) MarshalTo(b []byte) (int, error) {
	t := m.MsgType()
	if len(m.Facility) == 0 {
		return 0, fmt.Errorf("%v: %w: facility", t, ErrMissing)
	}
	e, err := m.Header.encode(b, t)
	if err != nil {
		return 0, err
	}
	if err := putFacility(&e, ieiFacility, m.Facility, t); err != nil {
		return 0, err
	}
	if m.HasVersion {
		e.TLV(ieiSSVersion, m.Version)
	}
	return finish(&e, t)
}

// Unmarshal implements Message.
func (m *Register) Unmarshal(b []byte) error {
	t := m.MsgType()
	h, d, err := decodeHeader(b, t)
	if err != nil {
		return err
	}
	*m = Register{Header: h}
	v, ok := d.TLV(ieiFacility, 2, 255)
	if !ok {
		return fmt.Errorf("%v: %w: facility: %v", t, ErrMissing, d.Err())
	}
	if m.Facility, err = facility(v, t); err != nil {
		return err
	}
	for d.Err() == nil && d.Left() > 0 {
		if d.Is(ieiSSVersion) && !m.HasVersion {
			m.Version, m.HasVersion = d.TLV(ieiSSVersion, 1, 255)
			continue
		}
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w: %w", t, ErrShort, err)
	}
	return nil
}

// FacilityMsg is the Facility message (TS 24.080 §2.3), within a
// transaction, in either direction:
//
//	|TIF| TI  | PD = 1011     |
//	|N(SD)| type 0x3A        |
//	| Facility, LV            |  mandatory
type FacilityMsg struct {
	Header
	Facility Facility
}

// MsgType implements Message.
func (*FacilityMsg) MsgType() MsgType { return MsgFacility }

// MarshalSize implements Message.
func (m *FacilityMsg) MarshalSize() int { return 2 + 1 + m.Facility.MarshalSize() }

// MarshalTo implements Message.
func (m *FacilityMsg) MarshalTo(b []byte) (int, error) {
	t := m.MsgType()
	if len(m.Facility) == 0 {
		return 0, fmt.Errorf("%v: %w: facility", t, ErrMissing)
	}
	e, err := m.Header.encode(b, t)
	if err != nil {
		return 0, err
	}
	if err := putFacility(&e, 0, m.Facility, t); err != nil {
		return 0, err
	}
	return finish(&e, t)
}

// Unmarshal implements Message. Octets after the facility are optional
// IEs of later versions and are skipped.
func (m *FacilityMsg) Unmarshal(b []byte) error {
	t := m.MsgType()
	h, d, err := decodeHeader(b, t)
	if err != nil {
		return err
	}
	*m = FacilityMsg{Header: h}
	v := d.LV(2, 255)
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w: facility: %w", t, ErrMissing, err)
	}
	if m.Facility, err = facility(v, t); err != nil {
		return err
	}
	for d.Err() == nil && d.Left() > 0 {
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w: %w", t, ErrShort, err)
	}
	return nil
}

// ReleaseComplete is the Release Complete message (TS 24.080 §2.5), which
// ends a transaction, in either direction:
//
//	|TIF| TI  | PD = 1011     |
//	|N(SD)| type 0x2A        |
//	| 0x08 Cause, TLV 2–30    |  optional (TS 24.008 §10.5.4.11)
//	| 0x1C Facility, TLV      |  optional
type ReleaseComplete struct {
	Header
	HasCause    bool
	Cause       Cause
	HasFacility bool
	Facility    Facility
}

// MsgType implements Message.
func (*ReleaseComplete) MsgType() MsgType { return MsgReleaseComplete }

// MarshalSize implements Message.
func (m *ReleaseComplete) MarshalSize() int {
	n := 2
	if m.HasCause {
		n += 2 + m.Cause.size()
	}
	if m.HasFacility {
		n += 2 + m.Facility.MarshalSize()
	}
	return n
}

// MarshalTo implements Message.
func (m *ReleaseComplete) MarshalTo(b []byte) (int, error) {
	t := m.MsgType()
	e, err := m.Header.encode(b, t)
	if err != nil {
		return 0, err
	}
	if m.HasCause {
		if err := m.Cause.check(); err != nil {
			return 0, fmt.Errorf("%v: %w", t, err)
		}
		e.Byte(ieiCause)
		mark := e.BeginLV()
		m.Cause.encode(&e)
		e.EndLV(mark)
	}
	if m.HasFacility {
		if len(m.Facility) == 0 {
			return 0, fmt.Errorf("%v: %w: empty facility", t, ErrValue)
		}
		if err := putFacility(&e, ieiFacility, m.Facility, t); err != nil {
			return 0, err
		}
	}
	return finish(&e, t)
}

// Unmarshal implements Message.
func (m *ReleaseComplete) Unmarshal(b []byte) error {
	t := m.MsgType()
	h, d, err := decodeHeader(b, t)
	if err != nil {
		return err
	}
	*m = ReleaseComplete{Header: h}
	for d.Err() == nil && d.Left() > 0 {
		switch {
		case d.Is(ieiCause) && !m.HasCause && !m.HasFacility:
			v, _ := d.TLV(ieiCause, 2, 30)
			if d.Err() != nil {
				break
			}
			if err := m.Cause.decode(v); err != nil {
				return fmt.Errorf("%v: %w", t, err)
			}
			m.HasCause = true
		case d.Is(ieiFacility) && !m.HasFacility:
			v, _ := d.TLV(ieiFacility, 2, 255)
			if d.Err() != nil {
				break
			}
			if m.Facility, err = facility(v, t); err != nil {
				return err
			}
			m.HasFacility = true
		default:
			d.SkipIE()
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w: %w", t, ErrShort, err)
	}
	return nil
}

// Cause is the Cause IE of TS 24.008 §10.5.4.11, as Release Complete
// carries it:
//
//	| 1/0 | coding (2) | 0 | location (4) |  octet 3 (ext 0: octet 3a follows)
//	|  1  |     recommendation (7)        |  octet 3a, optional
//	|  1  |     cause value (7)           |  octet 4
//	| diagnostics, 0–27 octets            |
type Cause struct {
	Coding            uint8 // 0: Q.931, 3: GSM
	Location          uint8 // 0 user, 2 public network serving the local user, ...
	HasRecommendation bool
	Recommendation    uint8
	Value             uint8 // e.g. 16 normal call clearing, 127 interworking
	Diagnostic        []byte
}

func (c *Cause) size() int {
	n := 2 + len(c.Diagnostic)
	if c.HasRecommendation {
		n++
	}
	return n
}

func (c *Cause) check() error {
	if c.Coding > 3 || c.Location > 15 || c.Recommendation > 127 || c.Value > 127 || c.size() > 30 {
		return fmt.Errorf("%w: cause %+v", ErrValue, *c)
	}
	return nil
}

func (c *Cause) encode(e *l3.Encoder) {
	o3 := c.Coding<<5 | c.Location
	if !c.HasRecommendation {
		o3 |= 0x80
	}
	e.Byte(o3)
	if c.HasRecommendation {
		e.Byte(0x80 | c.Recommendation)
	}
	e.Byte(0x80 | c.Value)
	e.V(c.Diagnostic)
}

func (c *Cause) decode(v []byte) error {
	if len(v) < 2 || v[0]&0x10 != 0 {
		return fmt.Errorf("%w: cause % x", ErrValue, v)
	}
	*c = Cause{Coding: v[0] >> 5 & 3, Location: v[0] & 0xf}
	i := 1
	if v[0]&0x80 == 0 {
		if len(v) < 3 || v[1]&0x80 == 0 {
			return fmt.Errorf("%w: cause recommendation % x", ErrValue, v)
		}
		c.HasRecommendation, c.Recommendation = true, v[1]&0x7f
		i = 2
	}
	if v[i]&0x80 == 0 {
		return fmt.Errorf("%w: cause value octet %#02x without the extension bit", ErrValue, v[i])
	}
	c.Value = v[i] & 0x7f
	if len(v) > i+1 {
		c.Diagnostic = v[i+1:]
	}
	return nil
}
