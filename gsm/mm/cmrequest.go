package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// ieiPriority is the IEI of the Priority IE (TS 24.008 §10.5.1.11), TV 1/2.
const ieiPriority = 0x8

// CMServiceRequest is the CM Service Request (TS 24.008 §9.2.9), MS to
// network, the first message of a mobile-originated call, SMS or SS:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| N(SD) |  message type 0x24    |  octet 2
//	|     CKSN      | service type  |  octet 3 (§10.5.1.2, §10.5.3.3)
//	| Classmark 2, LV 4             |  (§10.5.1.6)
//	| Mobile identity, LV 2–9       |  (§10.5.1.4)
//	| 0x8- Priority, TV 1/2         |  optional (§10.5.1.11)
//	| 0xC- Additional update params |  optional
//	| 0xD- Device properties        |  optional
type CMServiceRequest struct {
	NSD         uint8
	Service     ServiceType
	CKSN        uint8
	Classmark2  l3.Classmark2
	Identity    l3.MobileIdentity
	HasPriority bool
	Priority    uint8
	HasAUP      bool
	AUP         uint8
	HasDevProps bool
	DevProps    uint8
}

// MsgType implements Message.
func (*CMServiceRequest) MsgType() MsgType { return MsgCMServiceRequest }

// SetNSD implements Uplink.
func (m *CMServiceRequest) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (m *CMServiceRequest) MarshalSize() int {
	n := headerLen + 1 + 1 + l3.Classmark2Len + identityLVSize(m.Identity)
	for _, has := range [...]bool{m.HasPriority, m.HasAUP, m.HasDevProps} {
		if has {
			n++
		}
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *CMServiceRequest) MarshalTo(b []byte) (int, error) {
	if m.Service > 0xf || m.CKSN > 7 {
		return 0, fmt.Errorf("%v: %w: service %d, CKSN %d", m.MsgType(), ErrValue, m.Service, m.CKSN)
	}
	e := newEncoder(b, m.MsgType(), m.NSD)
	e.Halves(uint8(m.Service), m.CKSN)
	mark := e.BeginLV()
	m.Classmark2.MarshalTo(e.Reserve(l3.Classmark2Len))
	e.EndLV(mark)
	if err := putIdentityLV(&e, m.Identity); err != nil {
		return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	if m.HasPriority {
		e.TVHalf(ieiPriority, m.Priority)
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
func (m *CMServiceRequest) Unmarshal(b []byte) error {
	d, nsd, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	*m = CMServiceRequest{NSD: nsd}
	svc, cksn := d.Halves()
	cm := d.LV(3, 255) // longer Classmark 2 values: extra octets ignored (TS 24.007 §11.2.4)
	id := d.LV(1, 9)
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	m.Service, m.CKSN = ServiceType(svc), cksn&7
	m.Classmark2.Unmarshal(cm)
	if m.Identity, err = identity(id, m.MsgType()); err != nil {
		return err
	}
	for d.Err() == nil && d.Left() > 0 {
		switch {
		case d.IsHalf(ieiPriority):
			m.Priority, m.HasPriority = d.TVHalf(ieiPriority)
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
