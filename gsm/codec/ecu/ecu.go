package ecu

import (
	"errors"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/codec/fr"
)

// Codec is the speech codec of a stream.
type Codec uint8

// Codecs.
const (
	FR  Codec = iota // GSM 06.10 full rate, 33-octet RTP frames (RFC 3551 §4.5.8)
	EFR              // GSM enhanced full rate, 31-octet RTP frames (RFC 3551 §4.5.9)
)

func (c Codec) String() string {
	if c == EFR {
		return "EFR"
	}
	return "FR"
}

// FrameSize returns the RTP frame size of c.
func (c Codec) FrameSize() int {
	if c == EFR {
		return EFRFrameSize
	}
	return fr.FrameSize
}

// Kind says what Frame returned.
type Kind uint8

// Kinds.
const (
	Good       Kind = iota // the input frame, unchanged
	Repeated               // the last good frame again (first frame of a loss; EFR gains × 0.98)
	Attenuated             // the last good frame with lowered gains
	Muted                  // a frame that decodes to (near) silence
)

var kindNames = [...]string{"good", "repeated", "attenuated", "muted"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind?"
}

// ErrFrame is returned for a frame that is not a frame of the codec (wrong
// size or signature); Frame then treats it as bad.
var ErrFrame = errors.New("ecu: not a frame of the codec")

// MuteAfter is the number of consecutive substituted frames after which
// the output is muted: 16 frames, 320 ms (TS 46.011 §6, TS 46.061 §6).
const MuteAfter = 16

// ECU conceals the bad frames of one speech stream (one direction of a
// call). The zero value is not ready; use New.
type ECU struct {
	codec Codec
	frs   fr.Substitutor
	efr   efrState
	lost  int
	buf   [fr.FrameSize]byte
}

// New returns an ECU for codec; seed seeds the randomisation of the
// substituted excitation (grid positions, pulse positions).
func New(codec Codec, seed uint32) *ECU {
	e := &ECU{codec: codec, frs: *fr.NewSubstitutor(seed)}
	e.efr.rnd = seed
	return e
}

// Codec returns the ECU's codec.
func (e *ECU) Codec() Codec { return e.codec }

// Lost returns the number of consecutive frames substituted so far.
func (e *ECU) Lost() int { return e.lost }

// Frame returns the frame to use for the next 20 ms: frame itself if bad
// is false and it is a valid frame of the codec, otherwise a substitute
// held in the ECU (valid until the next call). frame may be nil for a
// frame that never arrived. err is ErrFrame (wrapped) when a frame marked
// good was not one; it was concealed.
func (e *ECU) Frame(frame []byte, bad bool) (out []byte, kind Kind, err error) {
	if !bad {
		if err = e.good(frame); err == nil {
			e.lost = 0
			return frame, Good, nil
		}
	}
	e.lost++
	n := e.codec.FrameSize()
	if e.codec == EFR {
		kind = e.efr.substitute((*[EFRFrameSize]byte)(e.buf[:EFRFrameSize]), e.lost)
		return e.buf[:n], kind, err
	}
	var p fr.Params
	silence := e.frs.Lost(&p)
	p.Pack(&e.buf)
	switch {
	case silence:
		kind = Muted
	case e.lost == 1:
		kind = Repeated
	default:
		kind = Attenuated
	}
	return e.buf[:n], kind, err
}

// good records a good frame.
func (e *ECU) good(frame []byte) error {
	if e.codec == EFR {
		if len(frame) != EFRFrameSize || frame[0]>>4 != 0xC {
			return fmt.Errorf("%w: %d octets for %v", ErrFrame, len(frame), e.codec)
		}
		e.efr.good((*[EFRFrameSize]byte)(frame))
		return nil
	}
	var p fr.Params
	if err := p.UnpackSlice(frame); err != nil {
		return fmt.Errorf("%w: %w", ErrFrame, err)
	}
	e.frs.Good(&p)
	return nil
}
