package rtp

import (
	"encoding/binary"
	"fmt"
)

// TelephoneEventSize is the size of one telephone-event payload block.
const TelephoneEventSize = 4

// TelephoneEvent is the payload of the RTP "telephone-event" format of
// RFC 4733 §2.3, which carries the DTMF digits a phone sends (TS 24.008
// §5.5.7 START/STOP DTMF) to a SIP peer. Its payload type is dynamic
// (negotiated in SDP, often 101) and it shares the SSRC, sequence numbers
// and clock of the voice stream:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type TelephoneEvent struct {
	Event    uint8  // RFC 4733 §3.2: 0-9, 10 '*', 11 '#', 12-15 'A'-'D'
	End      bool   // E: last packet(s) of the event
	Volume   uint8  // power level in -dBm0, 0..63
	Duration uint16 // in timestamp units since the event's timestamp
}

// MarshalTo writes the event to b and returns TelephoneEventSize.
func (e *TelephoneEvent) MarshalTo(b []byte) (int, error) {
	if len(b) < TelephoneEventSize {
		return 0, errShort("telephone-event", len(b), TelephoneEventSize)
	}
	if e.Volume > 63 {
		return 0, fmt.Errorf("%w: telephone-event volume %d > 63", ErrPayload, e.Volume)
	}
	b[0] = e.Event
	b[1] = e.Volume
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], e.Duration)
	return TelephoneEventSize, nil
}

// Unmarshal decodes the first event block of b (the reserved R bit is
// ignored, as §2.3 asks of receivers).
func (e *TelephoneEvent) Unmarshal(b []byte) error {
	if len(b) < TelephoneEventSize {
		return errShort("telephone-event", len(b), TelephoneEventSize)
	}
	e.Event = b[0]
	e.End = b[1]&0x80 != 0
	e.Volume = b[1] & 0x3F
	e.Duration = binary.BigEndian.Uint16(b[2:])
	return nil
}

const dtmfDigits = "0123456789*#ABCD"

// DTMFEvent returns the RFC 4733 §3.2 event code of a DTMF digit
// ('0'-'9', '*', '#', 'A'-'D', also lower case).
func DTMFEvent(digit byte) (uint8, bool) {
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	for i := 0; i < len(dtmfDigits); i++ {
		if dtmfDigits[i] == digit {
			return uint8(i), true
		}
	}
	return 0, false
}

// Digit returns the DTMF digit of the event, if it is one.
func (e *TelephoneEvent) Digit() (byte, bool) {
	if int(e.Event) < len(dtmfDigits) {
		return dtmfDigits[e.Event], true
	}
	return 0, false
}

// PacketizeEvent writes a telephone-event packet of payload type pt (the
// negotiated dynamic type) into dst, in this stream's SSRC and sequence
// space. All packets of one event carry the timestamp of its start, ts
// (take it from Next before the event); marker marks the event's first
// packet (RFC 4733 §2.5.1). The audio timestamp does not advance.
func (p *Packetizer) PacketizeEvent(dst []byte, pt uint8, ts uint32, marker bool, ev *TelephoneEvent) (int, error) {
	var body [TelephoneEventSize]byte
	if _, err := ev.MarshalTo(body[:]); err != nil {
		return 0, err
	}
	pkt := Packet{
		Header: Header{
			Marker:         marker,
			PayloadType:    pt,
			SequenceNumber: p.seq,
			Timestamp:      ts,
			SSRC:           p.ssrc,
		},
		Payload: body[:],
	}
	n, err := pkt.MarshalTo(dst)
	if err != nil {
		return 0, err
	}
	p.seq++
	return n, nil
}
