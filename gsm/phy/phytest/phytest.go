// Package phytest is a fake burst PHY (phy.Carrier) for tests of what
// runs above it: it counts frames from 0, records the downlink it is
// given, and hands up the uplink bursts a test queued, filtered by the
// receive plan as a real transceiver would.
package phytest

import (
	"context"
	"sync"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Carrier is a fake phy.Carrier. The zero value runs for ever; set Limit
// to stop after that many frames (Next then returns phy.ErrClosed).
// Queue and the accessors may be called from any goroutine.
type Carrier struct {
	// Limit is how many frames Next hands out before phy.ErrClosed (0: no
	// limit).
	Limit int64

	mu      sync.Mutex
	next    tdma.FN
	frames  int64
	sent    map[tdma.FN][tdma.Slots]tdma.TxBurst
	queued  []tdma.RxBurst
	dropped int // queued bursts on slots the plan did not listen to
	plan    phy.Plan
}

var _ phy.Carrier = (*Carrier)(nil)

// Next implements phy.Carrier: it never blocks.
func (c *Carrier) Next(ctx context.Context) (tdma.FN, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Limit > 0 && c.frames >= c.Limit {
		return 0, phy.ErrClosed
	}
	fn := c.next
	c.next = c.next.Add(1)
	c.frames++
	return fn, nil
}

// Transmit implements phy.Carrier: it keeps the last 64 frames' bursts.
func (c *Carrier) Transmit(fn tdma.FN, b *[tdma.Slots]tdma.TxBurst) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sent == nil {
		c.sent = map[tdma.FN][tdma.Slots]tdma.TxBurst{}
	}
	c.sent[fn] = *b
	delete(c.sent, fn.Add(-64))
	return nil
}

// Receive implements phy.Carrier: every queued burst whose slot the plan
// listens to in its frame is handed to emit (the others are counted in
// Ignored), with Kind KindAccess turned to KindNormal where the plan
// expects only normal bursts.
func (c *Carrier) Receive(plan phy.Planner, emit func(b *tdma.RxBurst)) error {
	c.mu.Lock()
	q := c.queued
	c.queued = nil
	c.mu.Unlock()
	for i := range q {
		b := &q[i]
		var p phy.Plan
		plan.Plan(b.FN, &p)
		m := p.Slots[b.TN&7]
		if m == phy.RxOff {
			c.mu.Lock()
			c.dropped++
			c.mu.Unlock()
			continue
		}
		if b.Kind == tdma.KindAccess && m != phy.RxAccess {
			b.Kind = tdma.KindNone
		}
		c.mu.Lock()
		c.plan = p
		c.mu.Unlock()
		emit(b)
	}
	return nil
}

// Queue adds uplink bursts for the next Receive.
func (c *Carrier) Queue(b ...tdma.RxBurst) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queued = append(c.queued, b...)
}

// Sent returns the downlink bursts of frame fn, if it is among the last
// 64 transmitted.
func (c *Carrier) Sent(fn tdma.FN) ([tdma.Slots]tdma.TxBurst, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.sent[fn]
	return b, ok
}

// Frames returns how many frames Next has handed out.
func (c *Carrier) Frames() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames
}

// Ignored returns how many queued bursts fell on slots the plan did not
// listen to.
func (c *Carrier) Ignored() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}
