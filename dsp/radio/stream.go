package radio

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// SampleRate4 is the stream rate at 4 samples per symbol, 1625000/6×4 ≈
// 1083333.33 samples per second: a timeslot is 625 samples, a frame 5000.
const SampleRate4 = 4 * float64(tdma.SymbolRateNum) / tdma.SymbolRateDen

// Timestamp is a sample count at a stream's sample rate since the stream's
// epoch (sample 0).
type Timestamp int64

// Flags report sample-flow trouble on a Read or Write. They are conditions,
// not errors: the stream keeps running, and the transceiver counts them.
type Flags uint8

const (
	// Underrun on Write: part of the block was late (its timestamp had
	// already gone out, or the transmitter had run dry before it) and was
	// dropped or replaced with silence on air.
	Underrun Flags = 1 << iota
	// Overrun on Read: some of the requested samples were no longer held
	// (the reader fell behind); they are returned as zeros.
	Overrun
)

func (f Flags) String() string {
	var s []string
	if f&Underrun != 0 {
		s = append(s, "underrun")
	}
	if f&Overrun != 0 {
		s = append(s, "overrun")
	}
	if len(s) == 0 {
		return "ok"
	}
	return strings.Join(s, "|")
}

// Stream is one radio channel's sample seam: receive samples come out of
// Read and transmit samples go into Write, both addressed by Timestamp.
//
// One goroutine (the transceiver's RX loop) calls Read and one (its TX
// loop) calls Write; they may be the same goroutine. Close may be called
// from any goroutine, once.
type Stream interface {
	// SampleRate returns the sample rate in samples per second. It is
	// constant for the life of the stream.
	SampleRate() float64

	// Read fills dst with the received samples for timestamps ts …
	// ts+len(dst)−1 and returns how many it wrote (len(dst) unless err is
	// set). The RX loop calls it once per block (typically a TDMA frame)
	// with consecutive timestamps. It blocks until the samples exist: in
	// real time on hardware, in virtual time on the simulated air (until
	// every transmitter the receiver hears has written that far). Samples
	// the stream no longer holds are returned as zeros with Overrun.
	// After Close it returns ErrClosed; any other error means the stream
	// is broken and the caller should stop.
	Read(dst []complex64, ts Timestamp) (n int, f Flags, err error)

	// Write queues src for transmission at timestamps ts … ts+len(src)−1
	// and returns how many samples it consumed (len(src) unless err is
	// set). The TX loop calls it once per block, ahead of time: a
	// transmitter must write before the receive side reaches ts (real
	// radios need a few frames of lead; the simulated air needs at least
	// a block). The part of src whose time has already passed is dropped
	// with Underrun; gaps between writes go out as silence. Write may
	// block while the stream's transmit queue is full, to pace the writer.
	// After Close it returns ErrClosed.
	Write(src []complex64, ts Timestamp) (n int, f Flags, err error)

	// Close stops the stream and unblocks pending Read and Write calls.
	Close() error
}

// Pump copies blocks of block samples from src's receive side to dst's
// transmit side with the same timestamps, from timestamp start until ctx
// ends, an error occurs, or either stream is closed (which ends Pump with
// nil). It is how a listener on the simulated air is recorded into an
// iqfile.Sink.
func Pump(ctx context.Context, dst, src Stream, start Timestamp, block int) error {
	if block <= 0 {
		return fmt.Errorf("%w: block %d", ErrConfig, block)
	}
	buf := make([]complex64, block)
	for ts := start; ; ts += Timestamp(block) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, _, err := src.Read(buf, ts); err != nil {
			if errors.Is(err, ErrClosed) {
				return nil
			}
			return fmt.Errorf("radio: pump read at %d: %w", ts, err)
		}
		if _, _, err := dst.Write(buf, ts); err != nil {
			if errors.Is(err, ErrClosed) {
				return nil
			}
			return fmt.Errorf("radio: pump write at %d: %w", ts, err)
		}
	}
}
