package trx

import (
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Clock maps TDMA frame numbers to stream timestamps: frame fn starts at
// sample Timestamp(fn). It is anchored at one (FN, Timestamp) pair and
// re-anchors on every lookup, so it follows a stream for ever as long as
// consecutive lookups are less than half a hyperframe (about 1.7 hours)
// apart.
type Clock struct {
	frameLen int
	fn0      tdma.FN
	ts0      radio.Timestamp
}

// NewClock returns a clock for frames of frameLen samples where frame fn0
// starts at ts0.
func NewClock(frameLen int, fn0 tdma.FN, ts0 radio.Timestamp) Clock {
	return Clock{frameLen: frameLen, fn0: fn0, ts0: ts0}
}

// FrameLen returns the frame length in samples.
func (c *Clock) FrameLen() int { return c.frameLen }

// Timestamp returns the first sample of frame fn and re-anchors the clock
// there.
func (c *Clock) Timestamp(fn tdma.FN) radio.Timestamp {
	ts := c.ts0 + radio.Timestamp(fn.Sub(c.fn0))*radio.Timestamp(c.frameLen)
	c.fn0, c.ts0 = fn, ts
	return ts
}

// FN returns the frame containing timestamp ts and the sample offset of
// ts within it. It does not re-anchor.
func (c *Clock) FN(ts radio.Timestamp) (fn tdma.FN, offset int) {
	d := ts - c.ts0
	fl := radio.Timestamp(c.frameLen)
	q := d / fl
	if d%fl < 0 {
		q--
	}
	// Frames more than a hyperframe away wrap like FN does.
	return c.fn0.Add(int(q % tdma.HyperFrame)), int(d - q*fl)
}
