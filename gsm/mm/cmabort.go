package mm

// CMServiceAbort is the CM Service Abort (TS 24.008 §9.2.7), MS to network:
// the header alone (message type 0x23). The MS abandons the MM connection
// it asked for; the network releases the channel (§4.5.1.7).
type CMServiceAbort struct {
	NSD uint8
}

// MsgType implements Message.
func (*CMServiceAbort) MsgType() MsgType { return MsgCMServiceAbort }

// SetNSD implements Uplink.
func (m *CMServiceAbort) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (*CMServiceAbort) MarshalSize() int { return headerLen }

// MarshalTo writes the message into b and returns its length.
func (m *CMServiceAbort) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), m.NSD)
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *CMServiceAbort) Unmarshal(b []byte) error {
	_, nsd, err := unmarshalEmpty(b, m.MsgType())
	*m = CMServiceAbort{NSD: nsd}
	return err
}
