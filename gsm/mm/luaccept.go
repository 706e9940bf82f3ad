package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// IEIs of the Location Updating Accept.
const (
	ieiMobileIdentity = 0x17 // Mobile identity, TLV
	ieiFollowOn       = 0xa1 // Follow on proceed, T
	ieiCTSPermission  = 0xa2 // CTS permission, T
)

// LocationUpdatingAccept is the Location Updating Accept (TS 24.008
// §9.2.13), network to MS:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| 0   0 |  message type 0x02    |  octet 2
//	| Location area identification  |  octets 3–7 (§10.5.1.3)
//	| 0x17 Mobile identity, TLV 3–10|  optional: the new TMSI, or the IMSI
//	|                               |  to make the MS delete its TMSI
//	| 0xA1 Follow on proceed, T     |  optional
//	| 0xA2 CTS permission, T        |  optional
type LocationUpdatingAccept struct {
	LAI           l3.LAI
	HasIdentity   bool
	Identity      l3.MobileIdentity
	FollowOn      bool // follow-on proceed
	CTSPermission bool
}

// MsgType implements Message.
func (*LocationUpdatingAccept) MsgType() MsgType { return MsgLocationUpdatingAccept }

// MarshalSize returns the encoded length.
func (m *LocationUpdatingAccept) MarshalSize() int {
	n := headerLen + l3.LAILen
	if m.HasIdentity {
		n += 1 + identityLVSize(m.Identity)
	}
	if m.FollowOn {
		n++
	}
	if m.CTSPermission {
		n++
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *LocationUpdatingAccept) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, MsgLocationUpdatingAccept, 0)
	if buf := e.Reserve(l3.LAILen); buf != nil {
		if _, err := m.LAI.MarshalTo(buf); err != nil {
			return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
		}
	}
	if m.HasIdentity {
		e.Byte(ieiMobileIdentity)
		if err := putIdentityLV(&e, m.Identity); err != nil {
			return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
		}
	}
	if m.FollowOn {
		e.T(ieiFollowOn)
	}
	if m.CTSPermission {
		e.T(ieiCTSPermission)
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *LocationUpdatingAccept) Unmarshal(b []byte) error {
	d, _, err := newDecoder(b, MsgLocationUpdatingAccept)
	if err != nil {
		return err
	}
	*m = LocationUpdatingAccept{}
	lai := d.V(l3.LAILen)
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	if err := m.LAI.Unmarshal(lai); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	for d.Err() == nil && d.Left() > 0 {
		switch {
		case d.Is(ieiMobileIdentity):
			v, _ := d.TLV(ieiMobileIdentity, 1, 9)
			if v == nil {
				break
			}
			if m.Identity, err = identity(v, m.MsgType()); err != nil {
				return err
			}
			m.HasIdentity = true
		case d.T(ieiFollowOn):
			m.FollowOn = true
		case d.T(ieiCTSPermission):
			m.CTSPermission = true
		default:
			d.SkipIE()
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return nil
}
