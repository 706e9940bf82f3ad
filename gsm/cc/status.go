package cc

// Status is the Status message (TS 24.008 §9.3.27, Table 9.71), both
// directions: the answer to Status Enquiry (cause #30) and the report of a
// protocol error (§8), with the sender's call state.
//
//	    Cause              LV 3–31 (mandatory)
//	    Call state         V 1 (mandatory, §10.5.4.6)
//	24  Auxiliary states   TLV 3 (opaque)
type Status struct {
	Header
	Cause     Cause
	CallState CallState
	AuxStates []byte
}

// MsgType implements Message.
func (*Status) MsgType() MsgType { return MsgStatus }

// MarshalSize returns the encoded length.
func (m *Status) MarshalSize() int { return headerLen + m.Cause.size() + 1 + opaqueSize(m.AuxStates) }

// MarshalTo writes the message into b and returns its length.
func (m *Status) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	m.Cause.putLV(e)
	if m.CallState.Coding > 3 || m.CallState.Value > 63 {
		e.bad("call state %+v", m.CallState)
	}
	e.Byte(m.CallState.Coding<<6 | uint8(m.CallState.Value)&0x3f)
	putOpaque(e, ieiAuxStates, m.AuxStates, 1)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *Status) Unmarshal(b []byte) error {
	*m = Status{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	if err := mandatoryCause(&d, &m.Cause, m.MsgType()); err != nil {
		return err
	}
	cs := d.Byte()
	if err := decodeErr(&d, m.MsgType()); err != nil {
		return err
	}
	m.CallState = CallState{Coding: cs >> 6, Value: State(cs & 0x3f)}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		if d.Is(ieiAuxStates) {
			m.AuxStates = opaque(&d, ieiAuxStates, 0, 1)
			return true, nil
		}
		return false, nil
	})
}
