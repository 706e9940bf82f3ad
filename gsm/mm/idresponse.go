package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// IdentityResponse is the Identity Response (TS 24.008 §9.2.11), MS to
// network:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| N(SD) |  message type 0x19    |  octet 2
//	| Mobile identity, LV 2–10      |  (§10.5.1.4)
//
// The GPRS-only optional IEs (P-TMSI type, RAI, P-TMSI signature) are
// skipped on decode.
type IdentityResponse struct {
	NSD      uint8
	Identity l3.MobileIdentity
}

// MsgType implements Message.
func (*IdentityResponse) MsgType() MsgType { return MsgIdentityResponse }

// SetNSD implements Uplink.
func (m *IdentityResponse) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (m *IdentityResponse) MarshalSize() int { return headerLen + identityLVSize(m.Identity) }

// MarshalTo writes the message into b and returns its length.
func (m *IdentityResponse) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), m.NSD)
	if err := putIdentityLV(&e, m.Identity); err != nil {
		return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *IdentityResponse) Unmarshal(b []byte) error {
	d, nsd, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	*m = IdentityResponse{NSD: nsd}
	id := d.LV(1, 9)
	for d.Err() == nil && d.Left() > 0 {
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	m.Identity, err = identity(id, m.MsgType())
	return err
}
