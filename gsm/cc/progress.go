package cc

// Progress is the Progress message (TS 24.008 §9.3.17, Table 9.62),
// network to MS: interworking or in-band information.
//
//	    Progress indicator   LV 3 (mandatory)
//	7E  User-user            TLV 3–131 (opaque)
type Progress struct {
	Header
	Progress ProgressIndicator
	UserUser []byte
}

// MsgType implements Message.
func (*Progress) MsgType() MsgType { return MsgProgress }

// MarshalSize returns the encoded length.
func (m *Progress) MarshalSize() int { return headerLen + 3 + opaqueSize(m.UserUser) }

// MarshalTo writes the message into b and returns its length.
func (m *Progress) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	e.Byte(2)
	m.Progress.putValue(e)
	putOpaque(e, ieiUserUser, m.UserUser, userUserMax)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *Progress) Unmarshal(b []byte) error {
	*m = Progress{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	v := d.LV(2, 2)
	if err := decodeErr(&d, m.MsgType()); err != nil {
		return err
	}
	m.Progress.unmarshal(v)
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		if d.Is(ieiUserUser) {
			m.UserUser = opaque(&d, ieiUserUser, 1, userUserMax)
			return true, nil
		}
		return false, nil
	})
}
