package cc

// EmergencySetup is the Emergency Setup message (TS 24.008 §9.3.8, Table
// 9.58), MS to network, an emergency call without a called number:
//
//	04  Bearer capability    TLV 3–11
//	2D  Stream identifier    TLV 3 (opaque)
//	40  Supported codecs     TLV 5–n (opaque)
//	2E  Emergency category   TLV 3 (§10.5.4.33: police, ambulance, fire, ...)
//
// Without a bearer capability the call is a full-rate speech call with FR
// version 1 (§5.2.1.1.1).
type EmergencySetup struct {
	Header
	HasBearer       bool
	Bearer          BearerCapability
	StreamID        []byte
	SupportedCodecs []byte
	HasCategory     bool
	Category        uint8 // bits 1–5: police, ambulance, fire brigade, marine guard, mountain rescue
}

const (
	ieiStreamID   = 0x2d
	ieiSuppCodecs = 0x40
)

// MsgType implements Message.
func (*EmergencySetup) MsgType() MsgType { return MsgEmergencySetup }

// MarshalSize returns the encoded length.
func (m *EmergencySetup) MarshalSize() int {
	n := headerLen + opaqueSize(m.StreamID) + opaqueSize(m.SupportedCodecs)
	if m.HasBearer {
		n += m.Bearer.size()
	}
	if m.HasCategory {
		n += 3
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *EmergencySetup) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	if m.HasBearer {
		m.Bearer.putTLV(e)
	}
	putOpaque(e, ieiStreamID, m.StreamID, 1)
	putOpaque(e, ieiSuppCodecs, m.SupportedCodecs, 250)
	if m.HasCategory {
		e.TLV(ieiEmergCat, []byte{m.Category & 0x7f})
	}
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *EmergencySetup) Unmarshal(b []byte) error {
	*m = EmergencySetup{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		iei, _ := d.Peek()
		switch iei {
		case ieiBearer:
			v, ok := d.TLV(iei, 1, bearerMax)
			if ok && !m.HasBearer {
				m.HasBearer = true
				return true, m.Bearer.Unmarshal(v)
			}
		case ieiStreamID:
			m.StreamID = opaque(&d, iei, 1, 1)
		case ieiSuppCodecs:
			m.SupportedCodecs = opaque(&d, iei, 0, 250)
		case ieiEmergCat:
			if v, ok := d.TLV(iei, 1, 1); ok {
				m.HasCategory, m.Category = true, v[0]&0x7f
			}
		default:
			return false, nil
		}
		return true, nil
	})
}
