package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// IEIs of the Location Updating Request.
const (
	ieiClassmarkUMTS = 0x33 // Mobile station classmark for UMTS (= Classmark 2), TLV
	ieiAUP           = 0xc  // Additional update parameters, TV half octet
	ieiDevProps      = 0xd  // Device properties, TV half octet
)

// LocationUpdatingRequest is the Location Updating Request (TS 24.008
// §9.2.15), MS to network:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| N(SD) |  message type 0x08    |  octet 2
//	|  CKSN (§10.5.1.2) |FOR| 0|type|  octet 3: LU type (§10.5.3.5) bits 4–1
//	| Location area identification  |  octets 4–8 (§10.5.1.3)
//	| Mobile station classmark 1    |  octet 9 (§10.5.1.5)
//	| Mobile identity, LV 2–9       |  (§10.5.1.4)
//	| 0x33 Classmark for UMTS, TLV 5|  optional: Classmark 2 (§10.5.1.6)
//	| 0xC- Additional update params |  optional, TV 1/2
//	| 0xD- Device properties        |  optional, TV 1/2
//
// FOR is the follow-on request bit; LAI is the location area the MS last
// registered in (its stored LAI, or the deleted LAI 000-00/0xFFFE form).
type LocationUpdatingRequest struct {
	NSD          uint8
	Type         LUType
	FollowOn     bool
	CKSN         uint8
	LAI          l3.LAI
	Classmark1   l3.Classmark1
	Identity     l3.MobileIdentity
	HasClassmark bool
	Classmark2   l3.Classmark2
	HasAUP       bool
	AUP          uint8 // additional update parameters (CSMO/CSMT bits)
	HasDevProps  bool
	DevProps     uint8 // device properties (low priority bit)
}

// MsgType implements Message.
func (*LocationUpdatingRequest) MsgType() MsgType { return MsgLocationUpdatingRequest }

// SetNSD implements Uplink.
func (m *LocationUpdatingRequest) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (m *LocationUpdatingRequest) MarshalSize() int {
	n := headerLen + 1 + l3.LAILen + 1 + identityLVSize(m.Identity)
	if m.HasClassmark {
		n += 2 + l3.Classmark2Len
	}
	if m.HasAUP {
		n++
	}
	if m.HasDevProps {
		n++
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *LocationUpdatingRequest) MarshalTo(b []byte) (int, error) {
	if m.Type > LUIMSIAttach || m.CKSN > 7 {
		return 0, fmt.Errorf("%v: %w: LU type %d, CKSN %d", m.MsgType(), ErrValue, m.Type, m.CKSN)
	}
	e := newEncoder(b, MsgLocationUpdatingRequest, m.NSD)
	lut := uint8(m.Type)
	if m.FollowOn {
		lut |= 8
	}
	e.Halves(lut, m.CKSN)
	if buf := e.Reserve(l3.LAILen); buf != nil {
		if _, err := m.LAI.MarshalTo(buf); err != nil {
			return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
		}
	}
	e.Byte(m.Classmark1.Byte())
	if err := putIdentityLV(&e, m.Identity); err != nil {
		return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	if m.HasClassmark {
		e.Byte(ieiClassmarkUMTS)
		mark := e.BeginLV()
		m.Classmark2.MarshalTo(e.Reserve(l3.Classmark2Len))
		e.EndLV(mark)
	}
	if m.HasAUP {
		e.TVHalf(ieiAUP, m.AUP)
	}
	if m.HasDevProps {
		e.TVHalf(ieiDevProps, m.DevProps)
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *LocationUpdatingRequest) Unmarshal(b []byte) error {
	d, nsd, err := newDecoder(b, MsgLocationUpdatingRequest)
	if err != nil {
		return err
	}
	*m = LocationUpdatingRequest{NSD: nsd}
	lut, cksn := d.Halves()
	lai := d.V(l3.LAILen)
	cm1 := d.Byte()
	id := d.LV(1, 9)
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	m.Type, m.FollowOn, m.CKSN = LUType(lut&3), lut&8 != 0, cksn&7
	if m.Type > LUIMSIAttach {
		return fmt.Errorf("%v: %w: reserved LU type 3", m.MsgType(), ErrValue)
	}
	if err := m.LAI.Unmarshal(lai); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	m.Classmark1 = l3.ParseClassmark1(cm1 & 0x7f)
	if m.Identity, err = identity(id, m.MsgType()); err != nil {
		return err
	}
	for d.Err() == nil && d.Left() > 0 {
		switch {
		case d.Is(ieiClassmarkUMTS):
			v, _ := d.TLV(ieiClassmarkUMTS, 3, 255)
			if v != nil {
				m.HasClassmark = true
				m.Classmark2.Unmarshal(v)
			}
		case d.IsHalf(ieiAUP):
			m.AUP, m.HasAUP = d.TVHalf(ieiAUP)
		case d.IsHalf(ieiDevProps):
			m.DevProps, m.HasDevProps = d.TVHalf(ieiDevProps)
		default:
			d.SkipIE()
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return nil
}
