package cc

// Release is the Release message (TS 24.008 §9.3.18), both directions
// (Tables 9.63, 9.63a). The cause is mandatory when Release is the first
// clearing message and absent when it answers a Disconnect (§5.4.3.3);
// after T305 expiry the network and the MS repeat the Disconnect's cause
// and may add #102 as the second cause.
//
//	08  Cause          TLV 4–32
//	08  Second cause   TLV 4–32
//	1C  Facility       TLV (opaque)
//	7E  User-user      TLV 3–131 (opaque)
//	7F  SS version     TLV 2–3 (MS to network, opaque)
type Release struct {
	Header
	HasCause  bool
	Cause     Cause
	HasCause2 bool
	Cause2    Cause
	Facility  []byte
	UserUser  []byte
	SSVersion []byte
}

// MsgType implements Message.
func (*Release) MsgType() MsgType { return MsgRelease }

// MarshalSize returns the encoded length.
func (m *Release) MarshalSize() int {
	n := headerLen + opaqueSize(m.Facility) + opaqueSize(m.UserUser) + opaqueSize(m.SSVersion)
	if m.HasCause {
		n += 1 + m.Cause.size()
	}
	if m.HasCause2 {
		n += 1 + m.Cause2.size()
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *Release) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	if m.HasCause2 && !m.HasCause {
		e.bad("second cause without a cause")
	}
	if m.HasCause {
		m.Cause.putTLV(e, ieiCause)
	}
	if m.HasCause2 {
		m.Cause2.putTLV(e, ieiCause)
	}
	putOpaque(e, ieiFacility, m.Facility, facilityMax)
	putOpaque(e, ieiUserUser, m.UserUser, userUserMax)
	putOpaque(e, ieiSSVersion, m.SSVersion, ssVersionMax)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message. A third Cause IE is ignored.
func (m *Release) Unmarshal(b []byte) error {
	*m = Release{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		iei, _ := d.Peek()
		switch iei {
		case ieiCause:
			var c Cause
			ok, err := decodeCauseOpt(&d, &c)
			switch {
			case !ok || err != nil:
				return true, err
			case !m.HasCause:
				m.HasCause, m.Cause = true, c
			case !m.HasCause2:
				m.HasCause2, m.Cause2 = true, c
			}
		case ieiFacility:
			m.Facility = opaque(&d, iei, 0, facilityMax)
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
