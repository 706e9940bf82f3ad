package cc

import "fmt"

// StartDTMF is the Start DTMF message (TS 24.008 §9.3.24), MS to network:
// a key is pressed (§5.5.7.1).
//
//	2C  Keypad facility   TV 2 (mandatory; §10.5.4.17, an IA5 character)
type StartDTMF struct {
	Header
	Key byte
}

// StartDTMFAck is the Start DTMF Acknowledge message (TS 24.008 §9.3.25),
// network to MS, echoing the key.
type StartDTMFAck struct {
	Header
	Key byte
}

// StartDTMFReject is the Start DTMF Reject message (TS 24.008 §9.3.26),
// network to MS, with the cause (typically #63 service or option not
// available).
type StartDTMFReject struct {
	Header
	Cause Cause
}

// MsgType implements Message.
func (*StartDTMF) MsgType() MsgType { return MsgStartDTMF }

// MsgType implements Message.
func (*StartDTMFAck) MsgType() MsgType { return MsgStartDTMFAck }

// MsgType implements Message.
func (*StartDTMFReject) MsgType() MsgType { return MsgStartDTMFReject }

// MarshalSize returns the encoded length.
func (*StartDTMF) MarshalSize() int { return headerLen + 2 }

// MarshalSize returns the encoded length.
func (*StartDTMFAck) MarshalSize() int { return headerLen + 2 }

// MarshalSize returns the encoded length.
func (m *StartDTMFReject) MarshalSize() int { return headerLen + m.Cause.size() }

// MarshalTo writes the message into b and returns its length.
func (m *StartDTMF) MarshalTo(b []byte) (int, error) {
	return marshalKey(b, &m.Header, m.MsgType(), m.Key)
}

// MarshalTo writes the message into b and returns its length.
func (m *StartDTMFAck) MarshalTo(b []byte) (int, error) {
	return marshalKey(b, &m.Header, m.MsgType(), m.Key)
}

// MarshalTo writes the message into b and returns its length.
func (m *StartDTMFReject) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	m.Cause.putLV(e)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *StartDTMF) Unmarshal(b []byte) error {
	m.Key = 0
	return unmarshalKey(b, &m.Header, m.MsgType(), &m.Key)
}

// Unmarshal parses the message.
func (m *StartDTMFAck) Unmarshal(b []byte) error {
	m.Key = 0
	return unmarshalKey(b, &m.Header, m.MsgType(), &m.Key)
}

// Unmarshal parses the message.
func (m *StartDTMFReject) Unmarshal(b []byte) error {
	*m = StartDTMFReject{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	if err := mandatoryCause(&d, &m.Cause, m.MsgType()); err != nil {
		return err
	}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) { return false, nil })
}

func marshalKey(b []byte, h *Header, t MsgType, key byte) (int, error) {
	e := newEncoder(b, h, t)
	if key > 0x7f {
		e.bad("keypad character %#02x", key)
	}
	e.TV(ieiKeypad, []byte{key})
	return finish(e, h, t)
}

// unmarshalKey decodes a message whose one mandatory IE is the Keypad
// Facility TV (bit 8 of the character is spare and ignored).
func unmarshalKey(b []byte, h *Header, t MsgType, key *byte) error {
	*h = Header{}
	d, err := newDecoder(b, h, t)
	if err != nil {
		return err
	}
	v, ok := d.TV(ieiKeypad, 1)
	if !ok {
		if err := decodeErr(&d, t); err != nil {
			return err
		}
		return fmt.Errorf("%v: %w: no keypad facility", t, ErrMandatory)
	}
	*key = v[0] & 0x7f
	return decodeOptional(&d, t, func() (bool, error) { return false, nil })
}
