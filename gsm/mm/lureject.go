package mm

import "fmt"

// LocationUpdatingReject is the Location Updating Reject (TS 24.008
// §9.2.14), network to MS:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| 0   0 |  message type 0x04    |  octet 2
//	|   reject cause (§10.5.3.6)    |  octet 3
//
// Later optional IEs (T3246 value, Rel-12) are skipped on decode.
type LocationUpdatingReject struct {
	Cause Cause
}

// MsgType implements Message.
func (*LocationUpdatingReject) MsgType() MsgType { return MsgLocationUpdatingReject }

// MarshalSize returns the encoded length.
func (*LocationUpdatingReject) MarshalSize() int { return headerLen + 1 }

// MarshalTo writes the message into b and returns its length.
func (m *LocationUpdatingReject) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), 0)
	e.Byte(byte(m.Cause))
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *LocationUpdatingReject) Unmarshal(b []byte) error {
	c, err := unmarshalCause(b, m.MsgType())
	m.Cause = c
	return err
}

// unmarshalCause decodes the messages made of a header, a reject cause and
// optional IEs that are skipped.
func unmarshalCause(b []byte, t MsgType) (Cause, error) {
	d, _, err := newDecoder(b, t)
	if err != nil {
		return 0, err
	}
	c := Cause(d.Byte())
	for d.Err() == nil && d.Left() > 0 {
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return 0, fmt.Errorf("%v: %w", t, err)
	}
	return c, nil
}
