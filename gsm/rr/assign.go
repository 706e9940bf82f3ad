package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ChannelMode is the Channel Mode IE (TS 44.018 §10.5.2.6).
type ChannelMode uint8

// Channel modes.
const (
	ModeSignalling ChannelMode = 0x00 // signalling only
	ModeSpeechV1   ChannelMode = 0x01 // speech full rate or half rate version 1 (FR, HR)
	ModeSpeechV2   ChannelMode = 0x21 // speech version 2 (EFR)
	ModeSpeechV3   ChannelMode = 0x41 // speech version 3 (AMR)
)

// MsgAssignmentFailure is the Assignment Failure message type.
const MsgAssignmentFailure MsgType = 0x2f

// assignmentTV gives the value length of the TV IEs of the Assignment
// Command (TS 44.018 table 9.1.2.1). RR uses TV IEs with IEIs that TS
// 24.007 §11.2.4 would read as TLV, so they must be known to be skipped.
var assignmentTV = map[byte]int{
	0x62: 16,                                                      // Cell Channel Description
	0x63: 1,                                                       // Mode of the first channel (channel set 1)
	0x11: 1, 0x13: 1, 0x14: 1, 0x15: 1, 0x16: 1, 0x17: 1, 0x18: 1, // modes of channel sets 2..8
	0x64: 3, // Description of the second channel, after time
	0x66: 1, // Mode of the second channel
	0x7c: 2, // Starting Time
	0x1c: 3, // Description of the first channel, before time
	0x1d: 3, // Description of the second channel, before time
	0x1e: 9, // Frequency channel sequence, before time
	0x6d: 1, // Extended TSC set
}

const (
	ieiChannelMode = 0x63
	ieiCipherMode  = 0x9 // half-octet IEI
)

// AssignmentCommand is the Assignment Command (TS 44.018 §9.1.2), moving
// an MS from its SDCCH to a traffic channel:
//
//	octets 1–2    RR header, message type 0x2e
//	octets 3–5    Description of the first channel, after time (Channel
//	              Description 2, §10.5.2.5a; the four basic channel types
//	              share the Channel Description codes)
//	octet 6       Power Command (§10.5.2.28): bit 6 FPC, bits 5–1 level
//	              Mode of the first channel, TV 0x63, optional
//	              Starting Time, TV 0x7c, optional
//	              Cipher Mode Setting, TV 0x9-, optional
//
// Other optional IEs (frequency lists, second channel, multi-rate
// configuration, ...) are skipped when decoding and never written.
type AssignmentCommand struct {
	Chan            ChannelDesc
	PowerLevel      uint8
	FPC             bool
	HasMode         bool
	Mode            ChannelMode
	HasStartingTime bool
	StartingTime    tdma.RFN
	HasCipher       bool
	Cipher          CipheringModeCommand // only Start and Algorithm are used
}

// MarshalTo writes the message into b and returns its length.
func (m *AssignmentCommand) MarshalTo(b []byte) (int, error) {
	if m.PowerLevel > 31 {
		return 0, fmt.Errorf("%w: power level %d", ErrRange, m.PowerLevel)
	}
	e := dcchEncoder(b, MsgAssignmentCommand)
	if _, err := m.Chan.MarshalTo(e.Reserve(ChannelDescLen)); err != nil {
		return 0, fmt.Errorf("assignment command: %w", err)
	}
	e.Byte(bit(m.FPC, 5) | m.PowerLevel)
	if m.HasMode {
		e.TV(ieiChannelMode, []byte{byte(m.Mode)})
	}
	if m.HasStartingTime {
		e.Byte(ieiStartingTime)
		if err := putRFN(e.Reserve(2), m.StartingTime); err != nil {
			return 0, fmt.Errorf("assignment command: %w", err)
		}
	}
	if m.HasCipher {
		var set uint8
		if m.Cipher.Start {
			if m.Cipher.Algorithm < 1 || m.Cipher.Algorithm > 7 {
				return 0, fmt.Errorf("%w: cipher algorithm A5/%d", ErrRange, m.Cipher.Algorithm)
			}
			set = (m.Cipher.Algorithm-1)<<1 | 1
		}
		e.TVHalf(ieiCipherMode, set)
	}
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("assignment command: %w", err)
	}
	return e.Len(), nil
}

// Unmarshal parses the message.
func (m *AssignmentCommand) Unmarshal(b []byte) error {
	d, err := dcchDecoder(b, MsgAssignmentCommand)
	if err != nil {
		return fmt.Errorf("assignment command: %w", err)
	}
	*m = AssignmentCommand{}
	cd := d.V(ChannelDescLen)
	pc := d.Byte()
	if err := d.Err(); err != nil {
		return fmt.Errorf("assignment command: %w", err)
	}
	if err := m.Chan.Unmarshal(cd); err != nil {
		return fmt.Errorf("assignment command: %w", err)
	}
	m.PowerLevel, m.FPC = pc&31, pc&0x20 != 0
	for d.Err() == nil && d.Left() > 0 {
		iei, _ := d.Peek()
		switch {
		case iei == ieiChannelMode:
			v, _ := d.TV(iei, 1)
			if v != nil {
				m.HasMode, m.Mode = true, ChannelMode(v[0])
			}
		case iei == ieiStartingTime:
			v, _ := d.TV(iei, 2)
			if v != nil {
				m.HasStartingTime, m.StartingTime = true, getRFN(v)
				if err := validRFN(m.StartingTime); err != nil {
					return fmt.Errorf("assignment command: %w", err)
				}
			}
		case iei>>4 == ieiCipherMode:
			v, _ := d.TVHalf(ieiCipherMode)
			m.HasCipher = true
			m.Cipher = CipheringModeCommand{Start: v&1 != 0}
			if m.Cipher.Start {
				m.Cipher.Algorithm = v>>1&7 + 1
				if m.Cipher.Algorithm == 8 {
					return fmt.Errorf("%w: assignment command: reserved cipher algorithm", ErrRange)
				}
			}
		default:
			if n, ok := assignmentTV[iei]; ok {
				d.TV(iei, n)
			} else {
				d.SkipIE()
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("assignment command: %w", err)
	}
	return nil
}

// AssignmentComplete is the Assignment Complete (TS 44.018 §9.1.3) and
// AssignmentFailure the Assignment Failure (§9.1.4): the RR header and an
// RR Cause.
type AssignmentComplete struct{ Cause Cause }

// AssignmentFailure is the Assignment Failure message (TS 44.018 §9.1.4).
type AssignmentFailure struct{ Cause Cause }

func marshalCause(b []byte, t MsgType, c Cause) (int, error) {
	e := dcchEncoder(b, t)
	e.Byte(byte(c))
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("RR message %#02x: %w", uint8(t), err)
	}
	return e.Len(), nil
}

func unmarshalCause(b []byte, t MsgType) (Cause, error) {
	d, err := dcchDecoder(b, t)
	if err != nil {
		return 0, err
	}
	c := d.Byte()
	if err := d.Err(); err != nil {
		return 0, fmt.Errorf("RR message %#02x: %w", uint8(t), err)
	}
	return Cause(c), nil
}

// MarshalTo writes the message into b and returns its length.
func (m *AssignmentComplete) MarshalTo(b []byte) (int, error) {
	return marshalCause(b, MsgAssignmentComplete, m.Cause)
}

// Unmarshal parses the message.
func (m *AssignmentComplete) Unmarshal(b []byte) (err error) {
	m.Cause, err = unmarshalCause(b, MsgAssignmentComplete)
	return err
}

// MarshalTo writes the message into b and returns its length.
func (m *AssignmentFailure) MarshalTo(b []byte) (int, error) {
	return marshalCause(b, MsgAssignmentFailure, m.Cause)
}

// Unmarshal parses the message.
func (m *AssignmentFailure) Unmarshal(b []byte) (err error) {
	m.Cause, err = unmarshalCause(b, MsgAssignmentFailure)
	return err
}
