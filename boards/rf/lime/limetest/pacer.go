package limetest

import (
	"sync"

	"github.com/gsmbox/gsmbox/dsp/radio"
)

// Pacer is an RX source that holds the fake board's sample clock back:
// Read blocks until the test has allowed the samples it asks for, so a
// test decides how far the board's counter runs ahead of the host. It
// produces the same quarter-rate tone as a board without a source.
type Pacer struct {
	// Src, when set, makes the samples instead of the tone (a Fake's
	// Render, to pace a board that renders carriers).
	Src func(dst []complex64, ts radio.Timestamp)

	mu     sync.Mutex
	cond   *sync.Cond
	limit  radio.Timestamp
	closed bool
}

// NewPacer returns a pacer that allows nothing yet.
func NewPacer() *Pacer {
	p := &Pacer{}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// Allow lets the board produce samples up to (not including) ts.
func (p *Pacer) Allow(ts radio.Timestamp) {
	p.mu.Lock()
	if ts > p.limit {
		p.limit = ts
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Skip tells the pacer that the board's clock ran n samples on that no
// one will read: a Fake dropping RX packets (DropRX, as a real board's
// FIFO overflows) calls it when it jumps its counter. The limit moves n
// samples on at once, so the packet after the gap comes when the packet
// at the gap would have; later Allows take over again once the host has
// caught up. Without it a host waiting for the packet after the gap and
// a board waiting for the host's leave to send it would wait for each
// other, which a real board, whose clock is its own, never does.
func (p *Pacer) Skip(n radio.Timestamp) {
	p.mu.Lock()
	p.limit += n
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Close releases every blocked Read with radio.ErrClosed.
func (p *Pacer) Close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Read implements Reader.
func (p *Pacer) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	p.mu.Lock()
	for ts+radio.Timestamp(len(dst)) > p.limit && !p.closed {
		p.cond.Wait()
	}
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return 0, 0, radio.ErrClosed
	}
	if p.Src != nil {
		p.Src(dst, ts)
	} else {
		Tone(dst, ts)
	}
	return len(dst), 0, nil
}

// Tone writes 0.5·j^t for t = ts … ts+len(dst)−1.
func Tone(dst []complex64, ts radio.Timestamp) {
	for i := range dst {
		switch (uint64(ts) + uint64(i)) & 3 {
		case 0:
			dst[i] = complex(0.5, 0)
		case 1:
			dst[i] = complex(0, 0.5)
		case 2:
			dst[i] = complex(-0.5, 0)
		default:
			dst[i] = complex(0, -0.5)
		}
	}
}
