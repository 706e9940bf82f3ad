package rr

import "fmt"

// Channel Mode Modify message types (TS 44.018 Table 10.4.1).
const (
	MsgChannelModeModify    MsgType = 0x10
	MsgChannelModeModifyAck MsgType = 0x17
)

// ChannelModeModify is the Channel Mode Modify (TS 44.018 §9.1.5),
// network to MS, and ChannelModeModifyAck its acknowledgement (§9.1.6),
// MS to network; both carry the same two mandatory IEs:
//
//	octets 1–2    RR header, message type 0x10 (0x17 for the ack)
//	octets 3–5    Channel Description 2 (§10.5.2.5a) of the channel
//	octet 6       Channel Mode (§10.5.2.6): the new mode (the ack: the
//	              mode the MS now uses)
//
// Optional IEs (VGCS target mode, multi-rate configuration, extended
// TSC set) are skipped when decoding and never written.
type ChannelModeModify struct {
	Chan ChannelDesc
	Mode ChannelMode
}

// ChannelModeModifyAck is the Channel Mode Modify Acknowledge.
type ChannelModeModifyAck struct {
	Chan ChannelDesc
	Mode ChannelMode
}

// MsgType implements Message.
func (*ChannelModeModify) MsgType() MsgType { return MsgChannelModeModify }

// MsgType implements Message.
func (*ChannelModeModifyAck) MsgType() MsgType { return MsgChannelModeModifyAck }

func marshalModify(b []byte, t MsgType, c *ChannelDesc, mode ChannelMode) (int, error) {
	e := dcchEncoder(b, t)
	if _, err := c.MarshalTo(e.Reserve(ChannelDescLen)); err != nil {
		return 0, fmt.Errorf("RR message %#02x: %w", uint8(t), err)
	}
	e.Byte(byte(mode))
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("RR message %#02x: %w", uint8(t), err)
	}
	return e.Len(), nil
}

func unmarshalModify(b []byte, t MsgType, c *ChannelDesc, mode *ChannelMode) error {
	d, err := dcchDecoder(b, t)
	if err != nil {
		return err
	}
	desc := d.V(ChannelDescLen)
	m := d.Byte()
	if err := d.Err(); err != nil {
		return fmt.Errorf("RR message %#02x: %w", uint8(t), err)
	}
	if err := c.Unmarshal(desc); err != nil {
		return fmt.Errorf("RR message %#02x: %w", uint8(t), err)
	}
	*mode = ChannelMode(m)
	return nil
}

// MarshalTo writes the message into b and returns its length.
func (m *ChannelModeModify) MarshalTo(b []byte) (int, error) {
	return marshalModify(b, MsgChannelModeModify, &m.Chan, m.Mode)
}

// Unmarshal parses the message.
func (m *ChannelModeModify) Unmarshal(b []byte) error {
	*m = ChannelModeModify{}
	return unmarshalModify(b, MsgChannelModeModify, &m.Chan, &m.Mode)
}

// MarshalTo writes the message into b and returns its length.
func (m *ChannelModeModifyAck) MarshalTo(b []byte) (int, error) {
	return marshalModify(b, MsgChannelModeModifyAck, &m.Chan, m.Mode)
}

// Unmarshal parses the message.
func (m *ChannelModeModifyAck) Unmarshal(b []byte) error {
	*m = ChannelModeModifyAck{}
	return unmarshalModify(b, MsgChannelModeModifyAck, &m.Chan, &m.Mode)
}
