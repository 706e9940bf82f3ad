package discipline

import (
	"math"
	"slices"
)

// The averaging frequency loop, for PPS timestamps with microseconds of
// noise (Config.JitterNs ≥ 1 µs: a host-timestamped PPS edge related to a
// USB stream's sample counter, gpspps.SoftCounter).
//
// GSM needs the carrier, not the time: every carrier within ±0.05 ppm
// (3GPP TS 45.010 §5.1); nothing in the air interface needs the BTS's
// TDMA frames aligned to GPS time. So the loop only measures frequency,
// and measures it over long enough a window to beat the timestamp noise
// down. With white timestamp noise σ on N one-second points, the slope
// of a least-squares line has a standard error
//
//	se(y) = σ·√(12 / (N·(N²−1))) ≈ 3.46·σ / N^1.5
//
// so 50 µs of noise needs N ≈ 670 s for 10 ppb, 5 µs (a kernel PPS
// timestamp) N ≈ 145 s. The loop fits a line through the tick counts of
// the current window (rejecting outliers beyond five scaled MADs from the
// fit: a scheduler delay is one-sided and heavy-tailed), and
//
//   - corrects at once when the error is significant (above 5 se and twice
//     the target) and restarts the window: the bulk ppm-level offset goes
//     in a few short windows;
//   - once se is at the target (Config.AvgTargetPPB, 10 ppb) corrects by
//     the estimate and locks, if the estimate was within UnlockPPB (so a
//     DAC slope that is off by 10–15 % leaves at most 15 ppb);
//   - while locked, corrects at the end of each window and returns to
//     acquiring when a significant error above UnlockPPB appears;
//   - gives up on a window at Config.AvgMaxSeconds, correcting what is
//     significant.
//
// It allocates nothing per pulse: the window's arrays are sized at New.

// avgState is the current window: N one-second points.
type avgState struct {
	s, e    []float64 // seconds since the window start, tick error (ticks − nominal)
	scratch []float64 // residuals, for the median
	keep    []bool
	n       int
	t0      uint64
	secs    float64
	y       float64 // last frequency estimate, fractional
	se      float64 // its standard error
	jitter  float64 // RMS residual, seconds
}

func (a *avgState) init(max int) {
	a.s = make([]float64, max+1)
	a.e = make([]float64, max+1)
	a.scratch = make([]float64, max+1)
	a.keep = make([]bool, max+1)
}

// restart begins a new window at tick count t0.
func (a *avgState) restart(t0 uint64) {
	if a.s == nil {
		return
	}
	a.t0, a.secs = t0, 0
	a.s[0], a.e[0] = 0, 0
	a.n = 1
}

// add appends the point n seconds after the previous one.
func (a *avgState) add(ticks uint64, n, nominal float64) bool {
	if a.n >= len(a.s) {
		return false
	}
	a.secs += n
	a.s[a.n] = a.secs
	a.e[a.n] = float64(int64(ticks-a.t0)) - a.secs*nominal
	a.n++
	return true
}

// fit estimates the fractional frequency error y and its standard error
// over the window, with one round of outlier rejection.
func (a *avgState) fit(nominal float64) {
	for i := range a.n {
		a.keep[i] = true
	}
	slope, icpt, _ := a.line()
	r := a.scratch[:a.n]
	for i := range a.n {
		r[i] = math.Abs(a.e[i] - icpt - slope*a.s[i])
	}
	slices.Sort(r)
	mad := 1.4826 * r[a.n/2]
	lim := 5 * mad
	for i := range a.n {
		a.keep[i] = math.Abs(a.e[i]-icpt-slope*a.s[i]) <= lim || mad == 0
	}
	slope, _, sd := a.line()
	sxx := a.sxx()
	a.y = slope / nominal
	a.jitter = sd / nominal
	if sxx > 0 {
		a.se = sd / math.Sqrt(sxx) / nominal
	} else {
		a.se = math.Inf(1)
	}
}

// line is the least-squares line through the kept points: slope (ticks
// per second), intercept and the residuals' standard deviation.
func (a *avgState) line() (slope, icpt, sd float64) {
	var n, ms, me float64
	for i := range a.n {
		if a.keep[i] {
			n++
			ms += a.s[i]
			me += a.e[i]
		}
	}
	if n < 3 {
		return 0, 0, math.Inf(1)
	}
	ms /= n
	me /= n
	var sxy, sxx float64
	for i := range a.n {
		if a.keep[i] {
			dx := a.s[i] - ms
			sxy += dx * (a.e[i] - me)
			sxx += dx * dx
		}
	}
	if sxx == 0 {
		return 0, me, math.Inf(1)
	}
	slope = sxy / sxx
	icpt = me - slope*ms
	var ss float64
	for i := range a.n {
		if a.keep[i] {
			d := a.e[i] - icpt - slope*a.s[i]
			ss += d * d
		}
	}
	return slope, icpt, math.Sqrt(ss / (n - 2))
}

func (a *avgState) sxx() float64 {
	var n, ms float64
	for i := range a.n {
		if a.keep[i] {
			n++
			ms += a.s[i]
		}
	}
	ms /= n
	var sxx float64
	for i := range a.n {
		if a.keep[i] {
			sxx += (a.s[i] - ms) * (a.s[i] - ms)
		}
	}
	return sxx
}

// avgMinPoints is the fewest points a window is judged on.
const avgMinPoints = 8

// ppsAveraging is PPS for the averaging loop: ticks arrived n seconds
// after the previous accepted edge.
func (l *Loop) ppsAveraging(prev State, ticks uint64, n float64) Action {
	a := &l.avg
	switch l.state {
	case FreeRunning:
		l.startAcquire(ticks, false)
		return l.action(prev, false)
	case Holdover:
		// PPS is back. The oscillator was disciplined: transmission stays
		// allowed for what is left of the holdover allowance while a new
		// window goes on (the DAC has not moved; the missing seconds are
		// counted in n), and the loop locks again when it qualifies.
		l.st.HoldoverSeconds += uint64(n)
		if l.st.HoldoverSeconds >= uint64(l.cfg.HoldoverTXSeconds) {
			l.startAcquire(ticks, false)
			return l.action(prev, false)
		}
	}
	if !a.add(ticks, n, l.cfg.NominalHz) {
		a.restart(ticks)
		return l.action(prev, false)
	}
	if l.state == Locked {
		l.st.LockedSeconds += uint64(n)
	}
	if a.n < avgMinPoints {
		return l.action(prev, false)
	}
	a.fit(l.cfg.NominalHz)
	target := l.cfg.AvgTargetPPB * 1e-9
	unlock := l.cfg.UnlockPPB * 1e-9
	y, se := a.y, a.se
	// Five standard errors, and not before 16 points: a standard error
	// estimated from a handful of residuals is itself unsure.
	significant := a.n >= 16 && math.Abs(y) > 5*se
	full := a.n > l.cfg.AvgMaxSeconds
	set := false
	switch {
	case se <= target:
		// The window has measured the frequency to the target.
		l.correct(y)
		set = true
		if math.Abs(y) <= unlock {
			l.state = Locked
			l.st.HoldoverSeconds = 0
		} else {
			l.state = Acquiring
		}
		a.restart(ticks)
	case significant && math.Abs(y) > 2*target && (l.state != Locked || math.Abs(y) > unlock):
		// A large error, already certain: correct now, measure again.
		l.correct(y)
		set = true
		l.state = Acquiring
		a.restart(ticks)
	case full:
		if significant {
			l.correct(y)
			set = true
		}
		if l.state != Acquiring && se > 2*target {
			l.state = Acquiring
		}
		a.restart(ticks)
	}
	return l.action(prev, set)
}

// correct moves the control by the code that cancels frequency error y.
func (l *Loop) correct(y float64) {
	l.setControl(l.dacF - y*1e9/l.cfg.PPBPerLSB)
	l.st.Corrections++
}
