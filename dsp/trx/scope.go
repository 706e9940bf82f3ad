package trx

import (
	"sync"
	"sync/atomic"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ScopeBursts is how many bursts' symbols a Scope keeps.
const ScopeBursts = 16

// Scope keeps copies of what the receiver saw, for an operator's pictures
// (the console's received spectrum and constellation): every Every-th
// uplink frame's samples, and the symbols of the normal bursts detected
// in those frames. The frame loop copies at that low rate
// and never waits: when a reader holds the scope it skips the capture and
// counts it (Skipped). A Scope is safe for concurrent use by one frame
// loop and any number of readers.
type Scope struct {
	every   uint32
	skipped atomic.Uint64

	mu      sync.Mutex
	rate    float64
	frame   []complex64 // the last captured uplink frame
	fn      tdma.FN
	frames  uint64 // frames captured
	syms    [ScopeBursts][tdma.BurstBits]complex64
	symsTN  [ScopeBursts]tdma.TN
	nsyms   int // how many of syms hold bursts
	nextSym int
}

// NewScope returns a scope that captures every every-th frame (13, about
// 17 times a second, when every ≤ 0).
func NewScope(every int) *Scope {
	if every <= 0 {
		every = 13
	}
	return &Scope{every: uint32(every)}
}

// Capture is a copy of a Scope's contents.
type Capture struct {
	// SampleRate of Samples, in samples per second.
	SampleRate float64
	// Samples is one uplink TDMA frame (eight timeslots) as received.
	Samples []complex64
	// FN is the frame Samples holds.
	FN tdma.FN
	// Frames counts the frames captured so far; a reader that sees it
	// unchanged has nothing new.
	Frames uint64
	// Symbols holds the last bursts' symbols as the receiver's equaliser
	// saw them (rx.Demodulator.Symbols): ±1 on the real axis plus noise.
	// Oldest first.
	Symbols [][tdma.BurstBits]complex64
	// TN is the timeslot of each of Symbols.
	TN []tdma.TN
	// Skipped counts captures the frame loop skipped because a reader
	// held the scope.
	Skipped uint64
}

// Copy writes the scope's contents to c, reusing c's slices; it returns
// false when nothing has been captured yet.
func (s *Scope) Copy(c *Capture) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Skipped = s.skipped.Load()
	if s.frames == 0 {
		return false
	}
	c.SampleRate, c.FN, c.Frames = s.rate, s.fn, s.frames
	c.Samples = append(c.Samples[:0], s.frame...)
	c.Symbols, c.TN = c.Symbols[:0], c.TN[:0]
	for i := range s.nsyms {
		j := (s.nextSym - s.nsyms + i + ScopeBursts) % ScopeBursts
		c.Symbols = append(c.Symbols, s.syms[j])
		c.TN = append(c.TN, s.symsTN[j])
	}
	return true
}

// due says whether frame fn is one the scope captures.
func (s *Scope) due(fn tdma.FN) bool { return uint32(fn)%s.every == 0 }

// capture copies frame (the uplink samples of fn) when the scope is free.
// It is called from the frame loop and does not wait.
func (s *Scope) capture(fn tdma.FN, frame []complex64, rate float64) bool {
	if !s.mu.TryLock() {
		s.skipped.Add(1)
		return false
	}
	if cap(s.frame) < len(frame) {
		s.frame = make([]complex64, len(frame)) // once: the frame length is fixed
	}
	s.frame = s.frame[:len(frame)]
	copy(s.frame, frame)
	s.fn, s.rate = fn, rate
	s.frames++
	s.mu.Unlock()
	return true
}

// burst records a detected burst's symbols, from the frame loop, without
// waiting.
func (s *Scope) burst(tn tdma.TN, sym func(dst *[tdma.BurstBits]complex64)) {
	if !s.mu.TryLock() {
		s.skipped.Add(1)
		return
	}
	sym(&s.syms[s.nextSym])
	s.symsTN[s.nextSym] = tn
	s.nextSym = (s.nextSym + 1) % ScopeBursts
	s.nsyms = min(s.nsyms+1, ScopeBursts)
	s.mu.Unlock()
}
