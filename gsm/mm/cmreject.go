package mm

// CMServiceReject is the CM Service Reject (TS 24.008 §9.2.6), network to
// MS:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| 0   0 |  message type 0x22    |  octet 2
//	|   reject cause (§10.5.3.6)    |  octet 3
//
// #4 IMSI unknown in VLR makes the MS delete its TMSI and do a normal
// location update (§4.5.1.1).
type CMServiceReject struct {
	Cause Cause
}

// MsgType implements Message.
func (*CMServiceReject) MsgType() MsgType { return MsgCMServiceReject }

// MarshalSize returns the encoded length.
func (*CMServiceReject) MarshalSize() int { return headerLen + 1 }

// MarshalTo writes the message into b and returns its length.
func (m *CMServiceReject) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), 0)
	e.Byte(byte(m.Cause))
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *CMServiceReject) Unmarshal(b []byte) error {
	c, err := unmarshalCause(b, m.MsgType())
	m.Cause = c
	return err
}
