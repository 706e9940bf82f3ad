package gpspps

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// A software PPS latch for USB radios (the LimeNET Micro): the board has
// no register that latches its sample counter at the GPS PPS edge, so the
// host relates the counter to its own clock and reads the estimate at the
// edge's host timestamp.
//
// Each completed RX transfer of the stream carries the board's sample
// counter (the count just past its last sample) and arrives at a host
// time t = T0 + c/R + L, where L ≥ Lmin is the USB and kernel latency:
// latency only ever adds. So the relation is the lower envelope of the
// (c, t) points, not their mean: Fit splits the last FitWindow of
// arrivals into FitBins time bins, keeps the earliest-for-its-count
// point of each bin (the one closest to the floor), and fits a line
// through those by least squares. Its offset is biased late by the
// floor's constant part, which cancels in the discipline (it measures
// differences between edges); what remains is the variation of the
// per-bin minimum, microseconds when the floor is sharp.

// Fit defaults.
const (
	// FitWindow is how much of the stream's recent arrivals the fit
	// spans.
	FitWindow = 2 * time.Second
	// FitBins is the number of lower-envelope points the line is fitted
	// through.
	FitBins = 16
	fitRing = 4096 // arrivals kept: 4 s at 4 sps with 4 packets a transfer
)

type arrival struct {
	t int64 // host time, ns
	c uint64
}

// Fit relates a USB radio's RX sample counter to a host clock. The
// stream calls StreamArrival from its reaper goroutine for every RX
// transfer; the PPS receiver calls CounterAt once a second. Safe for
// concurrent use; StreamArrival does not allocate.
type Fit struct {
	mu     sync.Mutex
	now    func() int64
	tickHz float64
	rate   float64
	ring   [fitRing]arrival
	head   int // next slot
	n      int
	last   FitStats
	// scratch for CounterAt (under mu)
	bx, by [FitBins]float64
	bok    [FitBins]bool
}

// FitStats describe the last CounterAt.
type FitStats struct {
	// Points and Bins are the arrivals and envelope points used.
	Points, Bins int
	// ResidualNs is the RMS distance of the envelope points from the
	// line: the fit's own noise.
	ResidualNs float64
	// RateHz is the sample rate the line measured, in host-clock units.
	RateHz float64
}

// NewFit returns a fit whose CounterAt answers in ticks of tickHz (the
// chain's nominal sample clock, which the discipline loop counts), and
// whose host clock is now (nanoseconds; nil means the monotonic clock).
// The clock must be the one the PPS edges are timestamped on.
func NewFit(tickHz float64, now func() int64) *Fit {
	if now == nil {
		base := time.Now()
		now = func() int64 { return int64(time.Since(base)) }
	}
	return &Fit{now: now, tickHz: tickHz}
}

// Now reads the fit's host clock.
func (f *Fit) Now() int64 { return f.now() }

// StreamArrival records that the stream's samples up to (not including)
// counter have arrived now. rate is the stream's nominal sample rate.
func (f *Fit) StreamArrival(counter uint64, rate float64) {
	f.Observe(f.now(), counter, rate)
}

// Observe records an arrival at host time t. A counter that goes back
// or a new rate (the stream restarted) clears the history.
func (f *Fit) Observe(t int64, counter uint64, rate float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rate != f.rate || f.n > 0 && counter < f.ring[(f.head+fitRing-1)%fitRing].c {
		f.n, f.head, f.rate = 0, 0, rate
	}
	f.ring[f.head] = arrival{t: t, c: counter}
	f.head = (f.head + 1) % fitRing
	f.n = min(f.n+1, fitRing)
}

// Reset forgets every arrival (the stream stopped).
func (f *Fit) Reset() {
	f.mu.Lock()
	f.n, f.head = 0, 0
	f.mu.Unlock()
}

// Stats returns the last CounterAt's statistics.
func (f *Fit) Stats() FitStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// CounterAt estimates the board's sample counter at host time t, in
// ticks of the fit's tick rate. It fails with ErrNoFit when the stream
// has not delivered over the window around t.
func (f *Fit) CounterAt(t int64) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 || f.rate <= 0 {
		return 0, fmt.Errorf("%w: no RX arrivals", ErrNoFit)
	}
	lo, hi := t-int64(FitWindow), t+int64(FitWindow)/4
	// The ring is in time order: find the window.
	var first, last = -1, -1
	for i := 0; i < f.n; i++ {
		a := f.ring[(f.head-f.n+i+fitRing)%fitRing]
		if a.t < lo || a.t > hi {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
	}
	if first < 0 {
		return 0, fmt.Errorf("%w: no RX arrivals within %v of the edge", ErrNoFit, FitWindow)
	}
	at := func(i int) arrival { return f.ring[(f.head-f.n+i+fitRing)%fitRing] }
	t0, t1 := at(first).t, at(last).t
	if t1-t0 < int64(FitWindow)/4 {
		return 0, fmt.Errorf("%w: RX arrivals span only %v", ErrNoFit, time.Duration(t1-t0))
	}
	c0 := at(first).c
	// Two passes: the envelope points are the minima of the latency
	// above a line, first the nominal one, then the line fitted through
	// the first pass's minima (the host clock's own error, tens of ppm,
	// would otherwise tilt every bin's choice towards its early end).
	s, a := 1e9/f.rate, 0.0
	var n, ss float64
	for range 2 {
		var ok bool
		if s, a, n, ss, ok = f.envelope(first, last, t0, c0, s, a); !ok {
			return 0, fmt.Errorf("%w: RX arrivals in only %d of %d bins", ErrNoFit, int(n), FitBins)
		}
	}
	x := (float64(t-t0) - a) / s // samples after c0
	cnt := float64(c0) + x
	if cnt < 0 || math.IsNaN(cnt) {
		return 0, fmt.Errorf("%w: edge before the stream", ErrNoFit)
	}
	f.last = FitStats{Points: last - first + 1, Bins: int(n), ResidualNs: math.Sqrt(ss / max(n-2, 1)), RateHz: 1e9 / s}
	return uint64(math.Round(cnt * f.tickHz / f.rate)), nil
}

// envelope picks, in each time bin of arrivals first..last, the one
// least late against the line t = a + s·x (x samples after c0, t ns
// after t0), and fits a new line through those by least squares.
func (f *Fit) envelope(first, last int, t0 int64, c0 uint64, s, a float64) (s2, a2, n, ss float64, ok bool) {
	at := func(i int) arrival { return f.ring[(f.head-f.n+i+fitRing)%fitRing] }
	width := float64(at(last).t-t0+1) / FitBins
	var bd [FitBins]float64
	for b := range f.bok {
		f.bok[b] = false
	}
	for i := first; i <= last; i++ {
		r := at(i)
		x, y := float64(r.c-c0), float64(r.t-t0)
		d := y - a - s*x
		b := min(int(y/width), FitBins-1)
		if !f.bok[b] || d < bd[b] {
			f.bok[b], bd[b] = true, d
			f.bx[b], f.by[b] = x, y
		}
	}
	var mx, my float64
	for b := range FitBins {
		if f.bok[b] {
			n++
			mx += f.bx[b]
			my += f.by[b]
		}
	}
	if n < FitBins/2 {
		return 0, 0, n, 0, false
	}
	mx /= n
	my /= n
	var sxy, sxx float64
	for b := range FitBins {
		if f.bok[b] {
			sxy += (f.bx[b] - mx) * (f.by[b] - my)
			sxx += (f.bx[b] - mx) * (f.bx[b] - mx)
		}
	}
	if sxx == 0 || sxy <= 0 {
		return 0, 0, n, 0, false
	}
	s2 = sxy / sxx // ns per sample
	a2 = my - s2*mx
	for b := range FitBins {
		if f.bok[b] {
			r := f.by[b] - a2 - s2*f.bx[b]
			ss += r * r
		}
	}
	return s2, a2, n, ss, true
}

// SoftCounter is a Counter for boards without a hardware latch: the
// estimate of the sample counter at the moment PPSTicks is called, which
// the Receiver does right after the GPIO edge wakes it. The edge's
// timestamp therefore carries the GPIO interrupt's and the scheduler's
// latency (tens of microseconds, one-sided, with a tail): the discipline
// loop must average (discipline.Config.JitterNs).
type SoftCounter struct {
	Fit *Fit
}

// PPSTicks implements Counter.
func (s SoftCounter) PPSTicks() (uint64, error) {
	return s.Fit.CounterAt(s.Fit.Now())
}
