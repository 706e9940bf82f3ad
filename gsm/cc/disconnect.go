package cc

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Disconnect is the Disconnect message (TS 24.008 §9.3.7), both
// directions: the first message of call clearing (Tables 9.59, 9.59a).
//
//	    Cause                LV 3–31 (mandatory)
//	1C  Facility             TLV (opaque)
//	1E  Progress indicator   TLV 4 (network to MS; #8: in-band tones)
//	7E  User-user            TLV 3–131 (opaque)
//	7B  Allowed actions      TLV 3 (network to MS, opaque)
//	7F  SS version           TLV 2–3 (MS to network, opaque)
type Disconnect struct {
	Header
	Cause          Cause
	Facility       []byte
	HasProgress    bool
	Progress       ProgressIndicator
	UserUser       []byte
	AllowedActions []byte
	SSVersion      []byte
}

// MsgType implements Message.
func (*Disconnect) MsgType() MsgType { return MsgDisconnect }

// MarshalSize returns the encoded length.
func (m *Disconnect) MarshalSize() int {
	n := headerLen + m.Cause.size() + opaqueSize(m.Facility) + opaqueSize(m.UserUser) + opaqueSize(m.AllowedActions) + opaqueSize(m.SSVersion)
	if m.HasProgress {
		n += 4
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *Disconnect) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	m.Cause.putLV(e)
	putOpaque(e, ieiFacility, m.Facility, facilityMax)
	if m.HasProgress {
		m.Progress.putTLV(e)
	}
	putOpaque(e, ieiUserUser, m.UserUser, userUserMax)
	putOpaque(e, ieiAllowedAct, m.AllowedActions, 1)
	putOpaque(e, ieiSSVersion, m.SSVersion, ssVersionMax)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *Disconnect) Unmarshal(b []byte) error {
	*m = Disconnect{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	if err := mandatoryCause(&d, &m.Cause, m.MsgType()); err != nil {
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
		case ieiAllowedAct:
			m.AllowedActions = opaque(&d, iei, 0, 1)
		case ieiSSVersion:
			m.SSVersion = opaque(&d, iei, 0, ssVersionMax)
		default:
			return false, nil
		}
		return true, nil
	})
}

// mandatoryCause reads a mandatory Cause LV.
func mandatoryCause(d *l3.Decoder, c *Cause, t MsgType) error {
	v := d.LV(2, causeMaxValue)
	if err := decodeErr(d, t); err != nil {
		return err
	}
	if err := c.Unmarshal(v); err != nil {
		return fmt.Errorf("%v: %w: %w", t, ErrMandatory, err)
	}
	return nil
}
