package cc

import "fmt"

// Modify is the Modify message (TS 24.008 §9.3.13, Table 9.61), either
// direction: in-call modification of the bearer (§5.3.4). gsmbox decodes
// it so that it can refuse it; the state machines do not start one.
//
//	    Bearer capability                 LV 2–15 (mandatory)
//	7C  Low layer compatibility           TLV (opaque)
//	7D  High layer compatibility          TLV (opaque)
//	A3  Reverse call setup direction      T
type Modify struct {
	Header
	Bearer     BearerCapability
	LLC        []byte
	HLC        []byte
	ReverseDir bool
}

// MsgType implements Message.
func (*Modify) MsgType() MsgType { return MsgModify }

// MarshalSize returns the encoded length.
func (m *Modify) MarshalSize() int {
	n := headerLen + m.Bearer.size() - 1 + opaqueSize(m.LLC) + opaqueSize(m.HLC)
	if m.ReverseDir {
		n++
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *Modify) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	m.Bearer.putLV(e)
	putOpaque(e, ieiLLC, m.LLC, compatMax)
	putOpaque(e, ieiHLC, m.HLC, compatMax)
	if m.ReverseDir {
		e.T(ieiRevCallDir)
	}
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *Modify) Unmarshal(b []byte) error {
	*m = Modify{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	v := d.LV(1, bearerMax)
	if err := decodeErr(&d, m.MsgType()); err != nil {
		return err
	}
	if err := m.Bearer.Unmarshal(v); err != nil {
		return fmt.Errorf("%v: %w: %w", m.MsgType(), ErrMandatory, err)
	}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		iei, _ := d.Peek()
		switch iei {
		case ieiLLC:
			m.LLC = opaque(&d, iei, 0, compatMax)
		case ieiHLC:
			m.HLC = opaque(&d, iei, 0, compatMax)
		case ieiRevCallDir:
			m.ReverseDir = d.T(iei)
		default:
			return false, nil
		}
		return true, nil
	})
}
