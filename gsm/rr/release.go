package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// ChannelRelease is the Channel Release message (TS 44.018 §9.1.7), sent
// on the main DCCH in acknowledged mode (a bare L3 message for LAPDm):
//
//	octets 1–2    RR header, message type 0x0d
//	octet 3       RR Cause (§10.5.2.31)
//	              optional IEs (BA Range 0x73, Group Channel Description
//	              0x74, Group Cipher Key Number 0x8-, GPRS Resumption 0xc-,
//	              BA List Pref 0x75, UTRAN Freq List 0x76, Cell Selection
//	              Indicator 0x62, ...): not written; skipped when decoding
type ChannelRelease struct {
	Cause Cause
}

// ChannelReleaseLen is the length of the encoded message.
const ChannelReleaseLen = 3

// MarshalTo writes the message into b and returns its length.
func (m *ChannelRelease) MarshalTo(b []byte) (int, error) {
	if len(b) < ChannelReleaseLen {
		return 0, fmt.Errorf("%w: channel release needs 3 octets", ErrBuffer)
	}
	b[0], b[1], b[2] = byte(l3.PDRR), byte(MsgChannelRelease), byte(m.Cause)
	return ChannelReleaseLen, nil
}

// Unmarshal parses the message, skipping optional IEs by the TS 24.007
// §11.2.4 IEI rules.
func (m *ChannelRelease) Unmarshal(b []byte) error {
	if err := checkRR(b, MsgChannelRelease); err != nil {
		return fmt.Errorf("channel release: %w", err)
	}
	d := l3.NewDecoder(b[2:])
	m.Cause = Cause(d.Byte())
	for d.Err() == nil && d.Left() > 0 {
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("channel release: %w", err)
	}
	return nil
}

// RRStatus is the RR Status message (TS 44.018 §9.1.29), reporting an
// error condition on a dedicated channel:
//
//	octets 1–2    RR header, message type 0x12
//	octet 3       RR Cause (§10.5.2.31)
type RRStatus struct {
	Cause Cause
}

// RRStatusLen is the length of the encoded message.
const RRStatusLen = 3

// MarshalTo writes the message into b and returns its length.
func (m *RRStatus) MarshalTo(b []byte) (int, error) {
	if len(b) < RRStatusLen {
		return 0, fmt.Errorf("%w: RR status needs 3 octets", ErrBuffer)
	}
	b[0], b[1], b[2] = byte(l3.PDRR), byte(MsgRRStatus), byte(m.Cause)
	return RRStatusLen, nil
}

// Unmarshal parses the message; octets after the cause are ignored.
func (m *RRStatus) Unmarshal(b []byte) error {
	if err := checkRR(b, MsgRRStatus); err != nil {
		return fmt.Errorf("RR status: %w", err)
	}
	if len(b) < RRStatusLen {
		return fmt.Errorf("%w: RR status of %d octets", ErrShort, len(b))
	}
	m.Cause = Cause(b[2])
	return nil
}
