package rtp

import "fmt"

// Static audio payload types of RFC 3551 §6 Table 4 used by gsmbox.
const (
	PTPCMU uint8 = 0 // G.711 µ-law, RFC 3551 §4.5.14
	PTGSM  uint8 = 3 // GSM 06.10 full rate, RFC 3551 §4.5.8
	PTPCMA uint8 = 8 // G.711 A-law, RFC 3551 §4.5.14
)

// ClockRate is the RTP timestamp rate of all three payload types.
const ClockRate = 8000

// Format describes how a payload type is framed.
type Format struct {
	PayloadType  uint8
	Name         string // encoding name as in SDP (RFC 3551 Table 4)
	ClockRate    uint32 // timestamp units per second
	FrameBytes   int    // octets per codec frame
	FrameSamples int    // timestamp units per codec frame
}

// Formats of the supported payload types. G.711 is sample-based: a
// "frame" is one octet; GSM frames are 33 octets for 160 samples (20 ms).
var (
	FormatPCMU = Format{PTPCMU, "PCMU", ClockRate, 1, 1}
	FormatGSM  = Format{PTGSM, "GSM", ClockRate, 33, 160}
	FormatPCMA = Format{PTPCMA, "PCMA", ClockRate, 1, 1}
)

// FormatOf returns the format of a payload type.
func FormatOf(pt uint8) (Format, error) {
	switch pt {
	case PTPCMU:
		return FormatPCMU, nil
	case PTGSM:
		return FormatGSM, nil
	case PTPCMA:
		return FormatPCMA, nil
	}
	return Format{}, fmt.Errorf("%w: %d", ErrPayloadType, pt)
}

// Samples returns the timestamp units (samples) carried by a payload of
// this format, or ErrPayload if its size is not a whole number of frames.
func (f Format) Samples(payload []byte) (uint32, error) {
	if f.FrameBytes <= 0 || len(payload)%f.FrameBytes != 0 {
		return 0, fmt.Errorf("%w: %d octets of %s (frames of %d)", ErrPayload, len(payload), f.Name, f.FrameBytes)
	}
	return uint32(len(payload) / f.FrameBytes * f.FrameSamples), nil
}
