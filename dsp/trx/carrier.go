package trx

import (
	"context"
	"errors"
	"fmt"

	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ULLag is how many frames behind the downlink a StreamCarrier reads the
// uplink, so that every other endpoint on a shared stream (the virtual
// phones on the simulated air, one frame behind the cell at most, writing
// their uplink two frames ahead of their downlink) has written it.
const ULLag = 2

// StreamCarrier is the in-process burst PHY (phy.Carrier) of one carrier
// on a radio.Stream: the simulated air or a board's front end. Transmit
// modulates the cell's bursts straight onto the stream (the cell fills
// every slot of C0 itself); Receive reads the uplink ULLag frames behind
// and demodulates it with a Transceiver's receiver. Time is the stream's:
// Next never blocks, and whoever runs the loop paces it (or not, in
// virtual time). Not safe for concurrent use: the cell loop owns it.
// The per-frame calls do not allocate.
type StreamCarrier struct {
	t      *Transceiver
	s      radio.Stream
	next   tdma.FN
	cur    tdma.FN
	frames int64
}

var _ phy.Carrier = (*StreamCarrier)(nil)

// NewStreamCarrier builds the PHY on s. cfg.FillC0 and cfg.Queue are not
// used: bursts go out in the frame they are given for.
func NewStreamCarrier(s radio.Stream, cfg TransceiverConfig) (*StreamCarrier, error) {
	t, err := NewTransceiver(cfg)
	if err != nil {
		return nil, err
	}
	return &StreamCarrier{t: t, s: s}, nil
}

// Transceiver returns the transceiver (its transmitter's sample rate and
// frame length, its receive counters).
func (c *StreamCarrier) Transceiver() *Transceiver { return c.t }

// Next implements phy.Carrier: frames count from 0, one per call.
func (c *StreamCarrier) Next(ctx context.Context) (tdma.FN, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	c.cur = c.next
	c.next = c.next.Add(1)
	c.frames++
	return c.cur, nil
}

// Transmit implements phy.Carrier: frame fn is modulated and written.
func (c *StreamCarrier) Transmit(fn tdma.FN, b *[tdma.Slots]tdma.TxBurst) error {
	if _, err := c.t.tx.WriteFrame(c.s, fn, b); err != nil {
		return closed(err)
	}
	return nil
}

// Receive implements phy.Carrier: uplink frame cur−ULLag is read and the
// frame before it demodulated (see Transceiver.ReadFrame).
func (c *StreamCarrier) Receive(plan phy.Planner, emit func(b *tdma.RxBurst)) error {
	if c.frames <= ULLag {
		return nil
	}
	if _, err := c.t.ReadFrame(c.s, c.cur.Add(-ULLag), plan, emit); err != nil {
		return closed(err)
	}
	return nil
}

// closed maps a closed stream to phy.ErrClosed.
func closed(err error) error {
	if errors.Is(err, radio.ErrClosed) {
		return fmt.Errorf("%w: %w", phy.ErrClosed, err)
	}
	return err
}
