package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// TMSIReallocationCommand is the TMSI Reallocation Command (TS 24.008
// §9.2.17), network to MS:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| 0   0 |  message type 0x1A    |  octet 2
//	| Location area identification  |  octets 3–7 (§10.5.1.3)
//	| Mobile identity, LV 2–9       |  the new TMSI (or the IMSI to delete it)
type TMSIReallocationCommand struct {
	LAI      l3.LAI
	Identity l3.MobileIdentity
}

// MsgType implements Message.
func (*TMSIReallocationCommand) MsgType() MsgType { return MsgTMSIReallocationCommand }

// MarshalSize returns the encoded length.
func (m *TMSIReallocationCommand) MarshalSize() int {
	return headerLen + l3.LAILen + identityLVSize(m.Identity)
}

// MarshalTo writes the message into b and returns its length.
func (m *TMSIReallocationCommand) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), 0)
	if buf := e.Reserve(l3.LAILen); buf != nil {
		if _, err := m.LAI.MarshalTo(buf); err != nil {
			return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
		}
	}
	if err := putIdentityLV(&e, m.Identity); err != nil {
		return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *TMSIReallocationCommand) Unmarshal(b []byte) error {
	d, _, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	*m = TMSIReallocationCommand{}
	lai := d.V(l3.LAILen)
	id := d.LV(1, 9)
	for d.Err() == nil && d.Left() > 0 {
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	if err := m.LAI.Unmarshal(lai); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	m.Identity, err = identity(id, m.MsgType())
	return err
}
