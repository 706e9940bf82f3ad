package iqfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/filter"
	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

// Config configures a Sink.
type Config struct {
	// SampleRate is the stream's rate (default radio.SampleRate4).
	SampleRate float64
	// FileRate is the rate written to the file (default SampleRate); any
	// rate that is a ratio of integers up to 4096 with SampleRate, such as
	// 1e6 and 2e6 samples/s.
	FileRate float64
	// Channel, if not nil, applies link impairments (noise, frequency
	// offset, delay, multipath) before resampling. Its SampleRate is set
	// to the stream's.
	Channel *channel.Config
}

// Sink is a transmit-only radio.Stream that writes what is transmitted to an
// IQ file (complex float32 little-endian, the format of grgsm_decode -c),
// optionally through a channel and a resampler. The file's first sample
// is the first written timestamp; gaps between writes become silence.
// Read returns silence at once: there is no receiver, and nothing paces
// the stream, so the caller decides how many frames to write.
//
// The channel's interpolator and the resampler delay the signal in the
// file by a few samples (FileDelay); the last few samples written before
// Close stay in their pipelines.
type Sink struct {
	mu      sync.Mutex
	cfg     Config
	w       *iq.Writer
	bw      *bufio.Writer
	closer  io.Closer
	ch      *channel.Stream
	rs      *filter.Resampler
	next    radio.Timestamp // next timestamp to write
	started bool
	closed  bool
	tmp     []complex64
	out     []complex64
	zeros   []complex64
}

// NewSink returns a Sink writing to w. Close flushes but does not close
// w.
func NewSink(w io.Writer, cfg Config) (*Sink, error) {
	if cfg.SampleRate == 0 {
		cfg.SampleRate = radio.SampleRate4
	}
	if !(cfg.SampleRate > 0) {
		return nil, fmt.Errorf("%w: sample rate %g", radio.ErrConfig, cfg.SampleRate)
	}
	if cfg.FileRate == 0 {
		cfg.FileRate = cfg.SampleRate
	}
	s := &Sink{cfg: cfg}
	s.bw = bufio.NewWriterSize(w, 1<<16)
	s.w = iq.NewWriter(s.bw)
	if cfg.Channel != nil {
		cc := *cfg.Channel
		cc.SampleRate = cfg.SampleRate
		c, err := channel.New(cc)
		if err != nil {
			return nil, fmt.Errorf("iqfile: sink channel: %w", err)
		}
		s.ch = channel.NewStream(c)
	}
	if cfg.FileRate != cfg.SampleRate {
		rs, err := filter.NewRational(cfg.SampleRate, cfg.FileRate, filter.ResamplerConfig{})
		if err != nil {
			return nil, fmt.Errorf("iqfile: sink: %w", err)
		}
		s.rs = rs
	}
	return s, nil
}

// Create creates (or truncates) the file at path and returns a Sink that
// closes it on Close.
func Create(path string, cfg Config) (*Sink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("iqfile: %w", err)
	}
	s, err := NewSink(f, cfg)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.closer = f
	return s, nil
}

// SampleRate implements radio.Stream.
func (s *Sink) SampleRate() float64 { return s.cfg.SampleRate }

// FileDelay returns how many stream samples the signal in the file lags
// the timestamps written (channel lookahead plus resampler group delay).
func (s *Sink) FileDelay() float64 {
	var d float64
	if s.ch != nil {
		d += float64(s.ch.Latency())
	}
	if s.rs != nil {
		d += s.rs.Delay()
	}
	return d
}

// Read implements radio.Stream: silence, at once.
func (s *Sink) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return 0, 0, radio.ErrClosed
	}
	clear(dst)
	return len(dst), 0, nil
}

// Write implements radio.Stream.
func (s *Sink) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, 0, radio.ErrClosed
	}
	n := len(src)
	var f radio.Flags
	if !s.started {
		s.started, s.next = true, ts
	}
	if ts < s.next {
		late := int(min(radio.Timestamp(len(src)), s.next-ts))
		src, ts, f = src[late:], ts+radio.Timestamp(late), radio.Underrun
	}
	for gap := ts - s.next; gap > 0; {
		if len(s.zeros) == 0 {
			s.zeros = make([]complex64, 4096)
		}
		k := int(min(gap, radio.Timestamp(len(s.zeros))))
		if err := s.emit(s.zeros[:k]); err != nil {
			return 0, f, err
		}
		gap -= radio.Timestamp(k)
	}
	if len(src) > 0 {
		if err := s.emit(src); err != nil {
			return 0, f, err
		}
	}
	return n, f, nil
}

// emit pushes consecutive samples through channel and resampler to the
// file.
func (s *Sink) emit(x []complex64) error {
	s.next += radio.Timestamp(len(x))
	if s.ch != nil {
		if cap(s.tmp) < len(x) {
			s.tmp = make([]complex64, len(x))
		}
		y := s.tmp[:len(x)]
		s.ch.Process(y, x)
		x = y
	}
	if s.rs != nil {
		if need := s.rs.MaxOut(len(x)); cap(s.out) < need {
			s.out = make([]complex64, need)
		}
		k := s.rs.Process(s.out[:cap(s.out)], x)
		x = s.out[:k]
	}
	if err := s.w.WriteSamples(x); err != nil {
		return fmt.Errorf("iqfile: sink: %w", err)
	}
	return nil
}

// Samples returns the number of samples written to the file so far
// (including what is still buffered), at the file rate.
func (s *Sink) Samples() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Count()
}

// Close implements radio.Stream: it flushes the file and, for Create,
// closes it.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return radio.ErrClosed
	}
	s.closed = true
	err := s.bw.Flush()
	if s.closer != nil {
		if cerr := s.closer.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("iqfile: sink close: %w", err)
	}
	return nil
}

var _ radio.Stream = (*Sink)(nil)
