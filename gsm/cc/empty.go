package cc

// Messages made of the header alone. Trailing IEs are skipped like any
// unknown optional IE (an unknown comprehension-required one is an error).

// ConnectAck is the Connect Acknowledge message (TS 24.008 §9.3.6), both
// directions: the call is active.
type ConnectAck struct{ Header }

// StatusEnquiry is the Status Enquiry message (TS 24.008 §9.3.28), both
// directions: the receiver answers with Status cause #30 (§5.5.3.1).
type StatusEnquiry struct{ Header }

// StopDTMF is the Stop DTMF message (TS 24.008 §9.3.29), MS to network.
type StopDTMF struct{ Header }

// StopDTMFAck is the Stop DTMF Acknowledge message (TS 24.008 §9.3.30),
// network to MS.
type StopDTMFAck struct{ Header }

// MsgType implements Message.
func (*ConnectAck) MsgType() MsgType { return MsgConnectAck }

// MsgType implements Message.
func (*StatusEnquiry) MsgType() MsgType { return MsgStatusEnquiry }

// MsgType implements Message.
func (*StopDTMF) MsgType() MsgType { return MsgStopDTMF }

// MsgType implements Message.
func (*StopDTMFAck) MsgType() MsgType { return MsgStopDTMFAck }

// MarshalSize returns the encoded length.
func (*ConnectAck) MarshalSize() int { return headerLen }

// MarshalSize returns the encoded length.
func (*StatusEnquiry) MarshalSize() int { return headerLen }

// MarshalSize returns the encoded length.
func (*StopDTMF) MarshalSize() int { return headerLen }

// MarshalSize returns the encoded length.
func (*StopDTMFAck) MarshalSize() int { return headerLen }

// MarshalTo writes the message into b and returns its length.
func (m *ConnectAck) MarshalTo(b []byte) (int, error) { return marshalEmpty(b, &m.Header, m.MsgType()) }

// MarshalTo writes the message into b and returns its length.
func (m *StatusEnquiry) MarshalTo(b []byte) (int, error) {
	return marshalEmpty(b, &m.Header, m.MsgType())
}

// MarshalTo writes the message into b and returns its length.
func (m *StopDTMF) MarshalTo(b []byte) (int, error) { return marshalEmpty(b, &m.Header, m.MsgType()) }

// MarshalTo writes the message into b and returns its length.
func (m *StopDTMFAck) MarshalTo(b []byte) (int, error) {
	return marshalEmpty(b, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *ConnectAck) Unmarshal(b []byte) error { return unmarshalEmpty(b, &m.Header, m.MsgType()) }

// Unmarshal parses the message.
func (m *StatusEnquiry) Unmarshal(b []byte) error { return unmarshalEmpty(b, &m.Header, m.MsgType()) }

// Unmarshal parses the message.
func (m *StopDTMF) Unmarshal(b []byte) error { return unmarshalEmpty(b, &m.Header, m.MsgType()) }

// Unmarshal parses the message.
func (m *StopDTMFAck) Unmarshal(b []byte) error { return unmarshalEmpty(b, &m.Header, m.MsgType()) }

func marshalEmpty(b []byte, h *Header, t MsgType) (int, error) {
	e := newEncoder(b, h, t)
	return finish(e, h, t)
}

func unmarshalEmpty(b []byte, h *Header, t MsgType) error {
	*h = Header{}
	d, err := newDecoder(b, h, t)
	if err != nil {
		return err
	}
	return decodeOptional(&d, t, func() (bool, error) { return false, nil })
}
