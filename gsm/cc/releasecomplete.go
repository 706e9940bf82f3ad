package cc

// ReleaseComplete is the Release Complete message (TS 24.008 §9.3.19),
// both directions (Tables 9.64, 9.64a): the transaction identifier is
// free again. It also rejects a Setup (§5.2.2.3.1: cause #17 user busy, #21
// call rejected, #88 incompatible destination) and answers a message for a
// transaction that does not exist (§8.3.1: #81).
//
//	08  Cause        TLV 4–32
//	1C  Facility     TLV (opaque)
//	7E  User-user    TLV 3–131 (opaque)
//	7F  SS version   TLV 2–3 (MS to network, opaque)
type ReleaseComplete struct {
	Header
	HasCause  bool
	Cause     Cause
	Facility  []byte
	UserUser  []byte
	SSVersion []byte
}

// MsgType implements Message.
func (*ReleaseComplete) MsgType() MsgType { return MsgReleaseComplete }

// MarshalSize returns the encoded length.
func (m *ReleaseComplete) MarshalSize() int {
	n := headerLen + opaqueSize(m.Facility) + opaqueSize(m.UserUser) + opaqueSize(m.SSVersion)
	if m.HasCause {
		n += 1 + m.Cause.size()
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *ReleaseComplete) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	if m.HasCause {
		m.Cause.putTLV(e, ieiCause)
	}
	putOpaque(e, ieiFacility, m.Facility, facilityMax)
	putOpaque(e, ieiUserUser, m.UserUser, userUserMax)
	putOpaque(e, ieiSSVersion, m.SSVersion, ssVersionMax)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *ReleaseComplete) Unmarshal(b []byte) error {
	*m = ReleaseComplete{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		iei, _ := d.Peek()
		switch iei {
		case ieiCause:
			if m.HasCause {
				d.SkipIE()
				return true, nil
			}
			ok, err := decodeCauseOpt(&d, &m.Cause)
			m.HasCause = ok
			return true, err
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
