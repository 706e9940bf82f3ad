package trxclient

import (
	"time"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Clock-following limits. The transceiver's IND CLOCK comes every half
// second or so (osmo-trx: about once a second); between two of them, a
// real clock drifts from the host's by far less than a frame.
const (
	// clockTolerance is how far, in frames, an indication may differ
	// from the clock the follower predicts and still be followed (about
	// 37 ms: a busy host delays indications by some milliseconds).
	clockTolerance = 8
	// slewPerSecond bounds how fast, in frames per second, indications
	// within the tolerance move the anchor: far more than two clocks
	// drift apart (1 frame a second is 4600 ppm), far less than a flood
	// of spoofed indications would move it. A transceiver much slower
	// than real time (gsmbox trx on an overloaded host) is followed by
	// small jumps instead (clockRateSlack).
	slewPerSecond = 4
	// clockAgree is how many outlying indications that agree among
	// themselves, but not with the followed clock, it takes to move to
	// them (a transceiver that restarted with a new clock).
	clockAgree = 3
	// clockRateSlack lets outliers agree with each other when their
	// clock runs up to 1/clockRateSlack (25 %) slower or faster than
	// real time: a transceiver that cannot keep real time still has a
	// clock the follower moves to.
	clockRateSlack = 4
	// clockRecent is how many outliers the follower remembers.
	clockRecent = 32
	// clockAgreeSpan is the least time those indications must span,
	// without one that agrees with the followed clock in between: a
	// burst of spoofed indications between two real ones does not move
	// the clock, since the real ones keep coming.
	clockAgreeSpan = time.Second
	// clockStale is how long the follower keeps a clock that no
	// indication has agreed with while outliers keep coming: then two
	// outliers that agree are enough to move to (the transceiver's clock
	// is erratic rather than spoofed: a spoofer cannot silence the real
	// indications).
	clockStale = 2 * time.Second
)

// follower tracks the transceiver's frame clock from IND CLOCK without
// jumping on one outlier (a spoofed or corrupted indication would throw
// the downlink early or late): an indication within clockTolerance of
// the predicted frame moves the anchor towards it, by at most
// slewPerSecond frames a second (a bounded slew); one that is not is
// an outlier, counted and remembered (the last clockRecent of them). It
// moves to an outlier's clock only when clockAgree of the remembered
// outliers agree with it (allowing for a clock clockRateSlack off real
// time), spanning clockAgreeSpan, with no indication agreeing with the
// followed clock since the first of them (those clear the memory: a
// spoofer cannot outvote a transceiver that is still there); or, when
// no indication has agreed for clockStale, when two of them agree.
// Random garbage between real indications does not break their
// agreement, since the memory holds several.
type follower struct {
	ok     bool
	fn     tdma.FN   // the anchor: frame fn began at at
	at     time.Time // (receipt time of an indication)
	seen   time.Time // the last indication followed
	budget float64   // frames the anchor may still move (slew)
	recent [clockRecent]clockObs
	n      int // outliers remembered (at most clockRecent)
	next   int // where the next one goes

	outliers uint64
	jumps    uint64
}

// clockObs is one outlying indication: frame fn seen at t.
type clockObs struct {
	fn tdma.FN
	t  time.Time
}

// predict returns the frame the anchor puts at time t.
func predict(fn tdma.FN, at, t time.Time) tdma.FN {
	return fn.Add(int(t.Sub(at) / phy.FrameDuration))
}

// near reports whether a and b are within clockTolerance frames.
func near(a, b tdma.FN) bool {
	d := a.Sub(b)
	return d >= -clockTolerance && d <= clockTolerance
}

// agrees reports whether indication fn at t agrees with an earlier one
// (o), allowing clockRateSlack of rate difference.
func agrees(fn tdma.FN, t time.Time, o clockObs) bool {
	d := fn.Sub(predict(o.fn, o.t, t))
	el := t.Sub(o.t)
	slack := clockTolerance + int(max(el, -el)/phy.FrameDuration)/clockRateSlack
	return d >= -slack && d <= slack
}

// observe takes one indication (frame fn seen at t) and reports whether
// the anchor moved by more than the tolerance (a jump to a new clock).
func (f *follower) observe(fn tdma.FN, t time.Time) (jumped bool) {
	if !f.ok {
		*f = follower{ok: true, fn: fn, at: t, seen: t, budget: clockTolerance, outliers: f.outliers, jumps: f.jumps}
		return false
	}
	if p := predict(f.fn, f.at, t); near(fn, p) {
		f.budget = min(clockTolerance, f.budget+t.Sub(f.seen).Seconds()*slewPerSecond)
		d := fn.Sub(p)
		step := max(-int(f.budget), min(int(f.budget), d))
		f.budget -= float64(max(step, -step))
		f.fn, f.seen, f.n, f.next = f.fn.Add(step), t, 0, 0
		return false
	}
	f.outliers++
	agree, first := 1, t
	for i := range f.n { // the first n slots, whichever order
		if o := f.recent[i]; agrees(fn, t, o) {
			agree++
			if o.t.Before(first) {
				first = o.t
			}
		}
	}
	f.recent[f.next] = clockObs{fn, t}
	f.next = (f.next + 1) % clockRecent
	f.n = min(f.n+1, clockRecent)
	if agree >= clockAgree && t.Sub(first) >= clockAgreeSpan || agree >= 2 && t.Sub(f.seen) >= clockStale {
		f.fn, f.at, f.seen, f.n, f.next, f.budget = fn, t, t, 0, 0, clockTolerance
		f.jumps++
		return true
	}
	return false
}

// now returns the frame the followed clock is at, at t.
func (f *follower) now(t time.Time) tdma.FN { return predict(f.fn, f.at, t) }
