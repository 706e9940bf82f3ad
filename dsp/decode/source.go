package decode

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/gsmbox/gsmbox/dsp/filter"
	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

// Source is a receive-only radio.Stream over an IQ file: Read serves the
// file's samples, converted to radio.SampleRate4, by timestamp (sample 0
// of the file is timestamp 0; before it and past its end, Read gives
// zeros until the end is reached, then io.EOF); Write discards. Reads
// must move forward: a window may start up to History samples before
// the end of the previous one.
type Source struct {
	rd   *iq.Reader
	rs   *filter.Resampler // nil at 4 sps already
	in   []complex64
	buf  []complex64 // samples from timestamp base on
	base radio.Timestamp
	eof  bool
	// History is how far back from the furthest sample read a later
	// window may start (default two frames).
	History int
}

var _ radio.Stream = (*Source)(nil)

// NewSource returns a Source reading r, sampled at rate samples per
// second (0 means radio.SampleRate4).
func NewSource(r io.Reader, rate float64) (*Source, error) {
	s := &Source{rd: iq.NewReader(r), History: 2 * 5000}
	if rate == 0 || math.Abs(rate-radio.SampleRate4) < 1e-3 {
		return s, nil
	}
	if !(rate > 0) || math.IsInf(rate, 0) {
		return nil, fmt.Errorf("%w: %g samples/s", ErrRate, rate)
	}
	rs, err := filter.NewRational(rate, radio.SampleRate4, filter.ResamplerConfig{})
	if err != nil {
		return nil, fmt.Errorf("%w: %g samples/s to %g: %w", ErrRate, rate, radio.SampleRate4, err)
	}
	s.rs = rs
	return s, nil
}

// SampleRate implements radio.Stream: the rate Read delivers.
func (s *Source) SampleRate() float64 { return radio.SampleRate4 }

// Write implements radio.Stream: a file has no transmitter.
func (s *Source) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	return len(src), 0, nil
}

// Close implements radio.Stream.
func (s *Source) Close() error { return nil }

// fill reads more of the file into buf; false at its end.
func (s *Source) fill() (bool, error) {
	if s.eof {
		return false, nil
	}
	const chunk = 8192
	if cap(s.in) < chunk {
		s.in = make([]complex64, chunk)
	}
	n, err := s.rd.ReadSamples(s.in[:chunk])
	if errors.Is(err, io.EOF) {
		s.eof = true
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("decode: %w", err)
	}
	x := s.in[:n]
	if s.rs != nil {
		out := make([]complex64, s.rs.MaxOut(n))
		x = out[:s.rs.Process(out, x)]
	}
	s.buf = append(s.buf, x...)
	return true, nil
}

// Read implements radio.Stream. It returns io.EOF once ts is past the
// end of the file.
func (s *Source) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	end := ts + radio.Timestamp(len(dst))
	for s.base+radio.Timestamp(len(s.buf)) < end {
		more, err := s.fill()
		if err != nil {
			return 0, 0, err
		}
		if !more {
			break
		}
	}
	have := s.base + radio.Timestamp(len(s.buf))
	if ts >= have && s.eof {
		return 0, 0, io.EOF
	}
	var f radio.Flags
	for i := range dst {
		t := ts + radio.Timestamp(i)
		switch {
		case t >= s.base && t < have:
			dst[i] = s.buf[t-s.base]
		default:
			if t < s.base && t >= 0 {
				f |= radio.Overrun // dropped from the history
			}
			dst[i] = 0
		}
	}
	// Drop what no later window can need.
	if keep := end - radio.Timestamp(s.History); keep > s.base {
		k := min(int(keep-s.base), len(s.buf))
		n := copy(s.buf, s.buf[k:])
		s.buf = s.buf[:n]
		s.base += radio.Timestamp(k)
	}
	return len(dst), f, nil
}
