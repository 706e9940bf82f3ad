package radiotest

import (
	"sync"

	"github.com/gsmbox/gsmbox/dsp/radio"
)

// Block is one recorded Write.
type Block struct {
	TS      radio.Timestamp
	Samples []complex64
}

// Stream is the fake. Set the exported fields before use; they are read
// under the Stream's lock.
type Stream struct {
	// Rate is returned by SampleRate.
	Rate float64
	// RX, if set, fills each Read; otherwise reads return silence.
	RX func(dst []complex64, ts radio.Timestamp)
	// ReadFlags and WriteFlags are returned by every call; ReadErr and
	// WriteErr, if set, make every call fail.
	ReadFlags, WriteFlags radio.Flags
	ReadErr, WriteErr     error

	mu      sync.Mutex
	writes  []Block
	reads   []radio.Timestamp
	txEnd   radio.Timestamp
	started bool
	closed  bool
}

var _ radio.Stream = (*Stream)(nil)

// New returns a fake at the given rate.
func New(rate float64) *Stream { return &Stream{Rate: rate} }

// SampleRate implements radio.Stream.
func (s *Stream) SampleRate() float64 { return s.Rate }

// Read implements radio.Stream.
func (s *Stream) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, 0, radio.ErrClosed
	}
	if s.ReadErr != nil {
		return 0, s.ReadFlags, s.ReadErr
	}
	s.reads = append(s.reads, ts)
	if s.RX != nil {
		s.RX(dst, ts)
	} else {
		clear(dst)
	}
	return len(dst), s.ReadFlags, nil
}

// Write implements radio.Stream. A write that starts before the end of the
// previous one gets Underrun, as on a real radio, but is recorded whole.
func (s *Stream) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, 0, radio.ErrClosed
	}
	if s.WriteErr != nil {
		return 0, s.WriteFlags, s.WriteErr
	}
	f := s.WriteFlags
	if s.started && ts < s.txEnd {
		f |= radio.Underrun
	}
	s.started = true
	s.txEnd = max(s.txEnd, ts+radio.Timestamp(len(src)))
	s.writes = append(s.writes, Block{TS: ts, Samples: append([]complex64(nil), src...)})
	return len(src), f, nil
}

// Close implements radio.Stream.
func (s *Stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return radio.ErrClosed
	}
	s.closed = true
	return nil
}

// Closed reports whether Close was called.
func (s *Stream) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Writes returns the recorded writes in call order.
func (s *Stream) Writes() []Block {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Block(nil), s.writes...)
}

// Reads returns the timestamps of the reads in call order.
func (s *Stream) Reads() []radio.Timestamp {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]radio.Timestamp(nil), s.reads...)
}

// TX returns what went on air for timestamps ts … ts+n−1: the recorded
// writes laid out in time (later writes win), silence elsewhere.
func (s *Stream) TX(ts radio.Timestamp, n int) []complex64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]complex64, n)
	for _, b := range s.writes {
		for i, v := range b.Samples {
			if k := b.TS + radio.Timestamp(i) - ts; k >= 0 && k < radio.Timestamp(n) {
				out[k] = v
			}
		}
	}
	return out
}
