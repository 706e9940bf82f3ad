package mm

// TMSIReallocationComplete is the TMSI Reallocation Complete (TS 24.008
// §9.2.18), MS to network: the header alone (message type 0x1B). It
// confirms a TMSI sent in a Location Updating Accept or a TMSI
// Reallocation Command.
type TMSIReallocationComplete struct {
	NSD uint8
}

// MsgType implements Message.
func (*TMSIReallocationComplete) MsgType() MsgType { return MsgTMSIReallocationComplete }

// SetNSD implements Uplink.
func (m *TMSIReallocationComplete) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (*TMSIReallocationComplete) MarshalSize() int { return headerLen }

// MarshalTo writes the message into b and returns its length.
func (m *TMSIReallocationComplete) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), m.NSD)
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *TMSIReallocationComplete) Unmarshal(b []byte) error {
	_, nsd, err := unmarshalEmpty(b, m.MsgType())
	*m = TMSIReallocationComplete{NSD: nsd}
	return err
}
