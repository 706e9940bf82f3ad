package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// IMSIDetachIndication is the IMSI Detach Indication (TS 24.008 §9.2.12),
// MS to network, sent at power off; the network does not answer it
// (§4.3.4):
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| N(SD) |  message type 0x01    |  octet 2
//	| Mobile station classmark 1    |  octet 3 (§10.5.1.5)
//	| Mobile identity, LV 2–9       |  TMSI if the MS has one, else IMSI
type IMSIDetachIndication struct {
	NSD        uint8
	Classmark1 l3.Classmark1
	Identity   l3.MobileIdentity
}

// MsgType implements Message.
func (*IMSIDetachIndication) MsgType() MsgType { return MsgIMSIDetachIndication }

// SetNSD implements Uplink.
func (m *IMSIDetachIndication) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (m *IMSIDetachIndication) MarshalSize() int { return headerLen + 1 + identityLVSize(m.Identity) }

// MarshalTo writes the message into b and returns its length.
func (m *IMSIDetachIndication) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), m.NSD)
	e.Byte(m.Classmark1.Byte())
	if err := putIdentityLV(&e, m.Identity); err != nil {
		return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *IMSIDetachIndication) Unmarshal(b []byte) error {
	d, nsd, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	*m = IMSIDetachIndication{NSD: nsd, Classmark1: l3.ParseClassmark1(d.Byte() & 0x7f)}
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
