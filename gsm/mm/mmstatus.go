package mm

// MMStatus is the MM Status (TS 24.008 §9.2.16), sent either way to report
// a protocol error (§8):
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| N(SD) |  message type 0x31    |  octet 2 (N(SD) from the MS only)
//	|   reject cause (§10.5.3.6)    |  octet 3
type MMStatus struct {
	NSD   uint8
	Cause Cause
}

// MsgType implements Message.
func (*MMStatus) MsgType() MsgType { return MsgMMStatus }

// SetNSD implements Uplink.
func (m *MMStatus) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (*MMStatus) MarshalSize() int { return headerLen + 1 }

// MarshalTo writes the message into b and returns its length.
func (m *MMStatus) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), m.NSD)
	e.Byte(byte(m.Cause))
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *MMStatus) Unmarshal(b []byte) error {
	_, nsd, err := Peek(b)
	if err != nil {
		return err
	}
	c, err := unmarshalCause(b, m.MsgType())
	*m = MMStatus{NSD: nsd, Cause: c}
	return err
}
