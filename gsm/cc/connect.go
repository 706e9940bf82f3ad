package cc

// Connect is the Connect message (TS 24.008 §9.3.5), both directions: the
// call is answered (Tables 9.57, 9.57a).
//
//	1C  Facility                 TLV (opaque)
//	1E  Progress indicator       TLV 4 (network to MS)
//	4C  Connected number         TLV 3–14 (network to MS)
//	4D  Connected sub-address    TLV 2–23 (opaque)
//	7E  User-user                TLV 3–131 (opaque)
//	7F  SS version               TLV 2–3 (MS to network, opaque)
//	2D  Stream identifier        TLV 3 (MS to network, opaque)
type Connect struct {
	Header
	Facility     []byte
	HasProgress  bool
	Progress     ProgressIndicator
	HasConnected bool
	Connected    Number
	ConnectedSub []byte
	UserUser     []byte
	SSVersion    []byte
	StreamID     []byte
}

// MsgType implements Message.
func (*Connect) MsgType() MsgType { return MsgConnect }

// MarshalSize returns the encoded length.
func (m *Connect) MarshalSize() int {
	n := headerLen + opaqueSize(m.Facility) + opaqueSize(m.ConnectedSub) + opaqueSize(m.UserUser) + opaqueSize(m.SSVersion) + opaqueSize(m.StreamID)
	if m.HasProgress {
		n += 4
	}
	if m.HasConnected {
		n += m.Connected.size()
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *Connect) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	putOpaque(e, ieiFacility, m.Facility, facilityMax)
	if m.HasProgress {
		m.Progress.putTLV(e)
	}
	if m.HasConnected {
		m.Connected.putTLV(e, ieiConnected, connectedMax)
	}
	putOpaque(e, ieiConnSub, m.ConnectedSub, subaddrMax)
	putOpaque(e, ieiUserUser, m.UserUser, userUserMax)
	putOpaque(e, ieiSSVersion, m.SSVersion, ssVersionMax)
	putOpaque(e, ieiStreamID, m.StreamID, 1)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *Connect) Unmarshal(b []byte) error {
	*m = Connect{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		iei, _ := d.Peek()
		switch iei {
		case ieiFacility:
			m.Facility = opaque(&d, iei, 0, facilityMax)
		case ieiProgress:
			m.HasProgress = decodeProgress(&d, &m.Progress)
		case ieiConnected:
			ok, err := decodeNumber(&d, iei, connectedMax, true, &m.Connected)
			m.HasConnected = ok
			return true, err
		case ieiConnSub:
			m.ConnectedSub = opaque(&d, iei, 0, subaddrMax)
		case ieiUserUser:
			m.UserUser = opaque(&d, iei, 1, userUserMax)
		case ieiSSVersion:
			m.SSVersion = opaque(&d, iei, 0, ssVersionMax)
		case ieiStreamID:
			m.StreamID = opaque(&d, iei, 1, 1)
		default:
			return false, nil
		}
		return true, nil
	})
}
