package phy

import (
	"context"
	"time"
)

// FrameDuration is one TDMA frame, 120/26 ms (3GPP TS 45.002 §4.3.1).
const FrameDuration = 120 * time.Millisecond / 26

// Clock is what pacing needs of a clock; firmware/clock.Clock (the
// injected clock, real or fake) satisfies it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Pacer holds a frame loop to real time: frame n is not produced before
// the start plus n frames. It looks at the clock every eight frames, so
// it costs little, and never tries to catch up more than a second of
// lag (a slow host or emulator slips instead of bursting).
type Pacer struct {
	clock Clock
	start time.Time
}

// NewPacer starts pacing on c from now.
func NewPacer(c Clock) *Pacer { return &Pacer{clock: c, start: c.Now()} }

// Wait blocks until frame n (counted from the start) is due; it returns
// ctx.Err() if ctx ends first. The frame loop calls it after each frame.
func (p *Pacer) Wait(ctx context.Context, n int64) error {
	if n%8 != 0 {
		return nil
	}
	due := p.start.Add(time.Duration(n) * FrameDuration)
	now := p.clock.Now()
	if lag := now.Sub(due); lag > time.Second {
		p.start = p.start.Add(lag)
		return nil
	}
	if d := due.Sub(now); d > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.clock.After(d):
		}
	}
	return nil
}
