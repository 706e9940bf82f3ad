package tp

import (
	"fmt"
	"time"
)

// ReassemblyConfig bounds a Reassembler.
type ReassemblyConfig struct {
	// MaxMessages is the most incomplete messages held at once; a new
	// one beyond it evicts the oldest (default 64).
	MaxMessages int
	// MaxParts is the largest part count accepted (default 16, at most
	// 255); a message announcing more is refused with ErrTooLong.
	MaxParts int
	// Timeout drops an incomplete message this long after its first
	// part arrived (default 10 minutes).
	Timeout time.Duration
}

// Reassembler joins the parts of concatenated messages (TS 23.040
// §9.2.3.24.1, .8) as they arrive, keyed by originator, reference and
// part count. A part that arrives twice is ignored. It is not safe for
// concurrent use; time comes from the caller.
type Reassembler struct {
	cfg     ReassemblyConfig
	pending map[reassemblyKey]*partial
	order   []reassemblyKey // arrival order of pending, oldest first
	dropped int
}

type reassemblyKey struct {
	originator string
	ref        uint16
	wide       bool
	total      uint8
}

type partial struct {
	first time.Time
	parts []*Content
	have  int
}

// NewReassembler returns a Reassembler with cfg's bounds (zero fields
// take the defaults).
func NewReassembler(cfg ReassemblyConfig) *Reassembler {
	if cfg.MaxMessages <= 0 {
		cfg.MaxMessages = 64
	}
	if cfg.MaxParts <= 0 {
		cfg.MaxParts = 16
	}
	cfg.MaxParts = min(cfg.MaxParts, MaxParts)
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Minute
	}
	return &Reassembler{cfg: cfg, pending: map[reassemblyKey]*partial{}}
}

// Add takes one received message from originator. A message without a
// (valid) concatenation IE comes straight back with done true. A part
// comes back as the whole message, its Text and Data joined in sequence
// order and its Header that of the first part, once every part is in;
// until then done is false.
func (r *Reassembler) Add(now time.Time, originator string, c Content) (whole Content, done bool, err error) {
	r.Expire(now)
	cc, ok := c.Header.Concat()
	if !ok {
		return c, true, nil
	}
	if int(cc.Total) > r.cfg.MaxParts {
		return Content{}, false, fmt.Errorf("%w: %d parts, at most %d accepted", ErrTooLong, cc.Total, r.cfg.MaxParts)
	}
	k := reassemblyKey{originator, cc.Ref, cc.Wide, cc.Total}
	p := r.pending[k]
	if p == nil {
		for len(r.order) >= r.cfg.MaxMessages {
			r.drop(r.order[0])
		}
		p = &partial{first: now, parts: make([]*Content, cc.Total)}
		r.pending[k] = p
		r.order = append(r.order, k)
	}
	if p.parts[cc.Seq-1] != nil {
		return Content{}, false, nil // a duplicate part
	}
	cp := c
	p.parts[cc.Seq-1] = &cp
	p.have++
	if p.have < int(cc.Total) {
		return Content{}, false, nil
	}
	r.remove(k)
	whole = Content{Header: p.parts[0].Header, Alphabet: p.parts[0].Alphabet}
	for _, part := range p.parts {
		whole.Text += part.Text
		whole.Data = append(whole.Data, part.Data...)
	}
	return whole, true, nil
}

// Expire drops incomplete messages older than the timeout and returns
// how many it dropped.
func (r *Reassembler) Expire(now time.Time) int {
	n := 0
	for len(r.order) > 0 {
		k := r.order[0]
		if now.Sub(r.pending[k].first) < r.cfg.Timeout {
			break
		}
		r.drop(k)
		n++
	}
	return n
}

// Pending returns the number of incomplete messages held.
func (r *Reassembler) Pending() int { return len(r.pending) }

// Dropped returns the number of incomplete messages dropped so far by
// timeout or eviction.
func (r *Reassembler) Dropped() int { return r.dropped }

func (r *Reassembler) drop(k reassemblyKey) {
	r.remove(k)
	r.dropped++
}

func (r *Reassembler) remove(k reassemblyKey) {
	delete(r.pending, k)
	for i, o := range r.order {
		if o == k {
			r.order = append(r.order[:i], r.order[i+1:]...)
			break
		}
	}
}
