package mm

// AuthenticationReject is the Authentication Reject (TS 24.008 §9.2.1),
// network to MS: the header alone (message type 0x11). The MS that gets it
// deletes its TMSI, LAI and CKSN and considers the SIM invalid
// (§4.3.2.5).
type AuthenticationReject struct{}

// MsgType implements Message.
func (*AuthenticationReject) MsgType() MsgType { return MsgAuthenticationReject }

// MarshalSize returns the encoded length.
func (*AuthenticationReject) MarshalSize() int { return headerLen }

// MarshalTo writes the message into b and returns its length.
func (m *AuthenticationReject) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), 0)
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message; trailing optional IEs are skipped.
func (m *AuthenticationReject) Unmarshal(b []byte) error {
	_, _, err := unmarshalEmpty(b, m.MsgType())
	return err
}
