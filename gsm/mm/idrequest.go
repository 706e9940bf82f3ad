package mm

import "fmt"

// IdentityRequest is the Identity Request (TS 24.008 §9.2.10), network to
// MS:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| 0   0 |  message type 0x18    |  octet 2
//	| spare 0 0 0 0 | 0 | id type 2 |  octet 3 (§10.5.3.4)
type IdentityRequest struct {
	Type IdentityType
}

// MsgType implements Message.
func (*IdentityRequest) MsgType() MsgType { return MsgIdentityRequest }

// MarshalSize returns the encoded length.
func (*IdentityRequest) MarshalSize() int { return headerLen + 1 }

// MarshalTo writes the message into b and returns its length.
func (m *IdentityRequest) MarshalTo(b []byte) (int, error) {
	if m.Type < IdentityIMSI || m.Type > IdentityTMSI {
		return 0, fmt.Errorf("%v: %w: identity type %d", m.MsgType(), ErrValue, m.Type)
	}
	e := newEncoder(b, m.MsgType(), 0)
	e.Halves(uint8(m.Type), 0)
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message. Identity types other than IMSI, IMEI,
// IMEISV and TMSI are an error (TS 24.008 §10.5.3.4: "all other values are
// reserved").
func (m *IdentityRequest) Unmarshal(b []byte) error {
	d, _, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	t, _ := d.Halves()
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	m.Type = IdentityType(t & 7)
	if m.Type < IdentityIMSI || m.Type > IdentityTMSI {
		return fmt.Errorf("%v: %w: identity type %d", m.MsgType(), ErrValue, m.Type)
	}
	return nil
}
