package cc

// CallConfirmed is the Call Confirmed message (TS 24.008 §9.3.2, Table
// 9.55), MS to network: the MS accepts a mobile-terminated Setup, with the
// bearer capabilities it supports (its speech versions) or a cause (#17
// user busy when it is busy but may still alert, §5.2.2.3.1).
//
//	D-  Repeat indicator       TV 1/2
//	04  Bearer capability 1    TLV 3–16
//	04  Bearer capability 2    TLV 3–16
//	08  Cause                  TLV 4–32
//	15  CC capabilities        TLV 4 (opaque)
//	2D  Stream identifier      TLV 3 (opaque)
//	40  Supported codecs       TLV 5–n (opaque)
type CallConfirmed struct {
	Header
	HasRepeat       bool
	Repeat          uint8
	HasBearer       bool
	Bearer          BearerCapability
	HasBearer2      bool
	Bearer2         BearerCapability
	HasCause        bool
	Cause           Cause
	CCCapabilities  []byte
	StreamID        []byte
	SupportedCodecs []byte
}

// MsgType implements Message.
func (*CallConfirmed) MsgType() MsgType { return MsgCallConfirmed }

// MarshalSize returns the encoded length.
func (m *CallConfirmed) MarshalSize() int {
	n := headerLen + bearersSize(m.HasRepeat, m.HasBearer, &m.Bearer, m.HasBearer2, &m.Bearer2)
	if m.HasCause {
		n += 1 + m.Cause.size()
	}
	return n + opaqueSize(m.CCCapabilities) + opaqueSize(m.StreamID) + opaqueSize(m.SupportedCodecs)
}

// MarshalTo writes the message into b and returns its length.
func (m *CallConfirmed) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	putBearers(e, m.HasRepeat, m.Repeat, m.HasBearer, &m.Bearer, m.HasBearer2, &m.Bearer2)
	if m.HasCause {
		m.Cause.putTLV(e, ieiCause)
	}
	putOpaque(e, ieiCCCap, m.CCCapabilities, ccCapMax)
	putOpaque(e, ieiStreamID, m.StreamID, 1)
	putOpaque(e, ieiSuppCodecs, m.SupportedCodecs, 250)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *CallConfirmed) Unmarshal(b []byte) error {
	*m = CallConfirmed{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	bs := bearerSlots{&m.HasRepeat, &m.Repeat, &m.HasBearer, &m.Bearer, &m.HasBearer2, &m.Bearer2}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		if ok, err := bs.decode(&d); ok {
			return true, err
		}
		iei, _ := d.Peek()
		switch iei {
		case ieiCause:
			ok, err := decodeCauseOpt(&d, &m.Cause)
			m.HasCause = ok
			return true, err
		case ieiCCCap:
			m.CCCapabilities = opaque(&d, iei, 0, ccCapMax)
		case ieiStreamID:
			m.StreamID = opaque(&d, iei, 1, 1)
		case ieiSuppCodecs:
			m.SupportedCodecs = opaque(&d, iei, 0, 250)
		default:
			return false, nil
		}
		return true, nil
	})
}
