package cc

// Alerting is the Alerting message (TS 24.008 §9.3.1), both directions:
// the called user is being alerted (Tables 9.53, 9.54).
//
//	1C  Facility             TLV (opaque)
//	1E  Progress indicator   TLV 4 (network to MS)
//	7E  User-user            TLV 3–131 (opaque)
//	7F  SS version           TLV 2–3 (MS to network, opaque)
type Alerting struct {
	Header
	Facility    []byte
	HasProgress bool
	Progress    ProgressIndicator
	UserUser    []byte
	SSVersion   []byte
}

// MsgType implements Message.
func (*Alerting) MsgType() MsgType { return MsgAlerting }

// MarshalSize returns the encoded length.
func (m *Alerting) MarshalSize() int {
	n := headerLen + opaqueSize(m.Facility) + opaqueSize(m.UserUser) + opaqueSize(m.SSVersion)
	if m.HasProgress {
		n += 4
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *Alerting) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	putOpaque(e, ieiFacility, m.Facility, facilityMax)
	if m.HasProgress {
		m.Progress.putTLV(e)
	}
	putOpaque(e, ieiUserUser, m.UserUser, userUserMax)
	putOpaque(e, ieiSSVersion, m.SSVersion, ssVersionMax)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *Alerting) Unmarshal(b []byte) error {
	*m = Alerting{}
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
		case ieiUserUser:
			m.UserUser = opaque(&d, iei, 1, userUserMax)
		case ieiSSVersion:
			m.SSVersion = opaque(&d, iei, 0, ssVersionMax)
		default:
			return false, nil
		}
		return true, nil
	})
}
