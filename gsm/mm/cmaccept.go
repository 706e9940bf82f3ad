package mm

// CMServiceAccept is the CM Service Accept (TS 24.008 §9.2.5), network to
// MS: the header alone (message type 0x21).
type CMServiceAccept struct{}

// MsgType implements Message.
func (*CMServiceAccept) MsgType() MsgType { return MsgCMServiceAccept }

// MarshalSize returns the encoded length.
func (*CMServiceAccept) MarshalSize() int { return headerLen }

// MarshalTo writes the message into b and returns its length.
func (m *CMServiceAccept) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), 0)
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *CMServiceAccept) Unmarshal(b []byte) error {
	_, _, err := unmarshalEmpty(b, m.MsgType())
	return err
}
