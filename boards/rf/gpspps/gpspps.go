package gpspps

import (
	"context"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Counter reads the sample-clock count captured at the most recent PPS
// edge. Called once per edge, right after the GPIO edge is seen, from the
// receiver's goroutine; it must not block for long (a register read).
type Counter interface {
	PPSTicks() (uint64, error)
}

// Event is one second of PPS reception.
type Event struct {
	// Timeout is true when no edge came within the wait; Ticks is then 0.
	Timeout bool
	Ticks   uint64
}

// Receiver waits for PPS edges.
type Receiver struct {
	pin gpio.PinIn
	ctr Counter
	// FirstWait is the wait for an edge after a timeout or at start,
	// Wait the wait between edges (a second plus margin).
	FirstWait, Wait time.Duration
	seen            bool
}

// New configures pin as a rising-edge input with a pull-down (so a
// disconnected receiver reads as no pulses).
func New(pin gpio.PinIn, ctr Counter) (*Receiver, error) {
	if err := pin.In(gpio.PullDown, gpio.RisingEdge); err != nil {
		return nil, fmt.Errorf("gpspps: pin %s: %w", pin, err)
	}
	return &Receiver{pin: pin, ctr: ctr, FirstWait: 2 * time.Second, Wait: 1200 * time.Millisecond}, nil
}

// Next waits for the next edge or a timeout.
func (r *Receiver) Next() (Event, error) {
	wait := r.Wait
	if !r.seen {
		wait = r.FirstWait
	}
	if !r.pin.WaitForEdge(wait) {
		r.seen = false
		return Event{Timeout: true}, nil
	}
	t, err := r.ctr.PPSTicks()
	if err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrCounter, err)
	}
	r.seen = true
	return Event{Ticks: t}, nil
}

// Run delivers events to fn until ctx ends or fn or the counter fails.
// It checks ctx between waits, so it returns within one wait of
// cancellation.
func (r *Receiver) Run(ctx context.Context, fn func(Event) error) error {
	for ctx.Err() == nil {
		ev, err := r.Next()
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			break
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	return ctx.Err()
}
