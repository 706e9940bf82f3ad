package discipline

import (
	"fmt"
	"math"
)

// State is the discipline state.
type State uint8

// States.
const (
	FreeRunning State = iota
	Acquiring
	Locked
	Holdover
)

var stateNames = [...]string{"free-running", "acquiring", "locked", "holdover"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Config configures a Loop. Zero fields take the defaults noted.
type Config struct {
	// NominalHz is the counter's nominal tick rate. Required.
	NominalHz float64
	// PPBPerLSB is the oscillator's frequency change per DAC code, in
	// parts per billion (negative when a higher code lowers the
	// frequency). Required.
	PPBPerLSB float64
	// DACBits is the DAC resolution. Required.
	DACBits int
	// InitialDAC is the code to start from; 0 means midscale.
	InitialDAC uint32
	// FLLSeconds is the frequency-measurement window of the acquisition
	// stage (default 8).
	FLLSeconds int
	// NaturalRad is the PLL's natural frequency in rad/s (default 0.05,
	// a time constant of about 20 s); the damping is 1/√2.
	NaturalRad float64
	// LockPPB and LockSeconds: locked once the filtered frequency error
	// stays under LockPPB (default 20) and the time error under
	// LockTimeNs (default 1000) for LockSeconds (default 30).
	LockPPB     float64
	LockTimeNs  float64
	LockSeconds int
	// UnlockPPB: a locked loop whose filtered frequency error exceeds
	// this returns to acquiring (default 100).
	UnlockPPB float64
	// HoldoverAfter is how many one-second timeouts without PPS move a
	// locked or acquiring loop to holdover (default 3).
	HoldoverAfter int
	// HoldoverTXSeconds is how long transmission stays allowed in
	// holdover (default 900); HoldoverMaxSeconds is when holdover gives
	// up and the loop is free-running (default 3600).
	HoldoverTXSeconds  int
	HoldoverMaxSeconds int
	// JitterNs is the RMS noise of the PPS timestamps the loop is fed:
	// 0 (or under 1 µs) for a hardware latch. From 1 µs up (a PPS edge
	// timestamped by the host against a USB stream's sample counter,
	// gpspps.SoftCounter) the phase loop would pass the noise straight
	// into the oscillator — its proportional gain turns a time error x
	// into a frequency step 2ζωn·x, 3.5 ppm for 50 µs — so the loop runs
	// as an averaging frequency loop instead (averaging.go).
	JitterNs float64
	// AvgTargetPPB is the averaging loop's goal for the standard error
	// of its frequency estimate: it locks once a window reaches it
	// (default 10 ppb, a fifth of the 50 ppb of TS 45.010 §5.1).
	AvgTargetPPB float64
	// AvgMaxSeconds caps an averaging window (default 3600).
	AvgMaxSeconds int
}

// averaging reports whether the loop runs as an averaging frequency loop.
func (c *Config) averaging() bool { return c.JitterNs >= 1000 }

func (c *Config) defaults() error {
	if c.NominalHz <= 0 || c.PPBPerLSB == 0 || c.DACBits <= 0 || c.DACBits > 24 {
		return fmt.Errorf("%w: nominal %g Hz, %g ppb/LSB, %d bits", ErrConfig, c.NominalHz, c.PPBPerLSB, c.DACBits)
	}
	if c.InitialDAC == 0 {
		c.InitialDAC = 1 << (c.DACBits - 1)
	}
	if c.InitialDAC >= 1<<c.DACBits {
		return fmt.Errorf("%w: initial DAC %d above %d bits", ErrConfig, c.InitialDAC, c.DACBits)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	deff := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.FLLSeconds, 8)
	deff(&c.NaturalRad, 0.05)
	deff(&c.LockPPB, 20)
	deff(&c.LockTimeNs, 1000)
	def(&c.LockSeconds, 30)
	deff(&c.UnlockPPB, 100)
	def(&c.HoldoverAfter, 3)
	def(&c.HoldoverTXSeconds, 900)
	def(&c.HoldoverMaxSeconds, 3600)
	deff(&c.AvgTargetPPB, 10)
	def(&c.AvgMaxSeconds, 3600)
	return nil
}

// Action is what the caller does after an event: write DAC when SetDAC.
type Action struct {
	SetDAC bool
	DAC    uint32
	State  State
	// Changed is true when State differs from the state before the event.
	Changed bool
}

// Status is the loop's view of the oscillator.
type Status struct {
	State State
	DAC   uint32
	// FreqPPB is the measured frequency error (oscillator minus nominal)
	// with the current correction applied: the time-error slope over the
	// last 64 s.
	FreqPPB float64
	// TimeErrNs is the accumulated time error against PPS since the
	// phase loop started.
	TimeErrNs float64
	// Pulses and Missed count PPS edges used and pulses found missing.
	Pulses, Missed, Spurious uint64
	// LockedSeconds counts seconds spent locked; HoldoverSeconds the
	// length of the current holdover.
	LockedSeconds, HoldoverSeconds uint64
	// Averaging loop only (Config.JitterNs ≥ 1 µs): JitterNs is the
	// measured RMS scatter of the PPS timestamps about the window's
	// frequency fit, StdErrPPB the standard error of FreqPPB, Window the
	// seconds in the current window, Corrections the DAC corrections
	// applied.
	JitterNs, StdErrPPB float64
	Window              int
	Corrections         uint64
}

// window is the number of PPS intervals the frequency estimate spans:
// the time-error slope over 64 s averages PPS jitter and counter
// quantisation (a 923 ns tick at 1.083 MHz) down to a few ppb.
const window = 64

// Loop is the discipline control loop. It is not safe for concurrent
// use; one service goroutine owns it.
type Loop struct {
	cfg Config

	state   State
	dac     uint32
	dacF    float64 // unquantised control, in DAC codes
	maxCode float64

	have      bool   // a previous PPS tick count exists
	last      uint64 // tick count at the previous PPS
	fllStart  uint64
	fllSecs   int
	pll       bool    // phase stage active
	phase     float64 // accumulated time error, seconds
	integ     float64 // PI integrator, fractional frequency
	base      float64 // DAC code when the phase stage started
	freqEWMA  float64 // filtered frequency: phase slope over the window
	secs      float64 // seconds since the phase stage started
	hist      [window]struct{ phase, secs float64 }
	nhist     int
	good      int // consecutive seconds meeting the lock criterion
	timeouts  int
	holdCode  float64 // running average of the DAC code while locked
	holdCount float64

	avg avgState // the averaging loop's window (Config.JitterNs ≥ 1 µs)

	st Status
}

// New returns a free-running loop at cfg.InitialDAC.
func New(cfg Config) (*Loop, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	l := &Loop{cfg: cfg, dac: cfg.InitialDAC, dacF: float64(cfg.InitialDAC), maxCode: float64(uint32(1)<<cfg.DACBits - 1)}
	if cfg.averaging() {
		l.avg.init(cfg.AvgMaxSeconds)
	}
	return l, nil
}

// Preset sets the code the loop starts from, before its first PPS edge:
// a calibration found another way (against GSM cells) is where the
// discipline begins. It fails once the loop has seen an edge.
func (l *Loop) Preset(code uint32) error {
	if l.have {
		return fmt.Errorf("%w: preset after the first PPS edge", ErrConfig)
	}
	if float64(code) > l.maxCode {
		return fmt.Errorf("%w: preset code %d above %d bits", ErrConfig, code, l.cfg.DACBits)
	}
	l.setControl(float64(code))
	return nil
}

// DAC returns the current code (write it at start-up).
func (l *Loop) DAC() uint32 { return l.dac }

// State returns the current state.
func (l *Loop) State() State { return l.state }

// TXAllowed reports whether the reference is good enough to transmit:
// locked, or in holdover for less than HoldoverTXSeconds.
func (l *Loop) TXAllowed() bool {
	return l.state == Locked || (l.state == Holdover && l.st.HoldoverSeconds < uint64(l.cfg.HoldoverTXSeconds))
}

// Status returns counters and the current estimates.
func (l *Loop) Status() Status {
	s := l.st
	s.State, s.DAC = l.state, l.dac
	s.FreqPPB = l.freqEWMA * 1e9
	s.TimeErrNs = l.phase * 1e9
	if l.cfg.averaging() {
		s.FreqPPB, s.StdErrPPB, s.JitterNs = l.avg.y*1e9, l.avg.se*1e9, l.avg.jitter*1e9
		s.TimeErrNs = 0
		s.Window = l.avg.n
	}
	return s
}

// PPS feeds the sample-clock tick count latched at a PPS edge. The
// caller calls it once per edge, in order.
func (l *Loop) PPS(ticks uint64) Action {
	prev := l.state
	l.timeouts = 0
	if !l.have {
		l.have, l.last = true, ticks
		l.startAcquire(ticks, false)
		return l.action(prev, false)
	}
	delta := float64(ticks - l.last)
	if ticks < l.last {
		// Counter went backwards: the board reset it. Start over.
		l.last = ticks
		l.startAcquire(ticks, false)
		return l.action(prev, false)
	}
	n := math.Round(delta / l.cfg.NominalHz)
	if n < 1 || math.Abs(delta-n*l.cfg.NominalHz) > 0.01*l.cfg.NominalHz {
		// An edge far from a whole second (glitch, or a spurious second
		// edge): ignore it and keep the previous reference point.
		l.st.Spurious++
		return l.action(prev, false)
	}
	l.last = ticks
	l.st.Pulses++
	if n > 1 {
		l.st.Missed += uint64(n - 1)
	}
	if l.cfg.averaging() {
		return l.ppsAveraging(prev, ticks, n)
	}
	if l.state == Holdover || l.state == FreeRunning {
		// PPS is back: measure again, from the phase stage straight away
		// when the oscillator was recently disciplined.
		l.startAcquire(ticks, l.state == Holdover)
		return l.action(prev, false)
	}
	y := delta/(n*l.cfg.NominalHz) - 1 // measured fractional frequency error
	set := false
	if !l.pll {
		l.fllSecs += int(n)
		if l.fllSecs >= l.cfg.FLLSeconds {
			yf := float64(ticks-l.fllStart)/(float64(l.fllSecs)*l.cfg.NominalHz) - 1
			l.setControl(l.dacF - yf*1e9/l.cfg.PPBPerLSB)
			set = true
			if math.Abs(yf) < 0.2e-6 {
				l.startPLL()
			} else {
				l.fllStart, l.fllSecs = ticks, 0
			}
		}
		return l.action(prev, set)
	}
	// Phase stage: x is the oscillator's time error against GPS.
	l.phase += y * n
	l.secs += n
	old := l.hist[l.nhist%window]
	if l.nhist < window {
		old = l.hist[0]
	}
	l.hist[l.nhist%window] = struct{ phase, secs float64 }{l.phase, l.secs}
	l.nhist++
	if dt := l.secs - old.secs; dt > 0 {
		l.freqEWMA = (l.phase - old.phase) / dt
	}
	wn := l.cfg.NaturalRad
	kp, ki := 2*0.7071*wn, wn*wn
	l.integ += ki * l.phase * n
	u := kp*l.phase + l.integ // correction to subtract, fractional
	l.setControl(l.base - u*1e9/l.cfg.PPBPerLSB)
	set = true

	ok := l.nhist >= 16 && math.Abs(l.freqEWMA)*1e9 < l.cfg.LockPPB && math.Abs(l.phase)*1e9 < l.cfg.LockTimeNs
	switch l.state {
	case Acquiring:
		if ok {
			l.good += int(n)
		} else {
			l.good = 0
		}
		if l.good >= l.cfg.LockSeconds {
			l.state = Locked
		}
	case Locked:
		l.st.LockedSeconds += uint64(n)
		l.holdCode += l.dacF
		l.holdCount++
		if l.nhist >= 16 && math.Abs(l.freqEWMA)*1e9 > l.cfg.UnlockPPB {
			l.startAcquire(ticks, true)
		}
	}
	return l.action(prev, set)
}

// Timeout tells the loop a second passed without a PPS edge. The caller
// calls it once per second of silence (e.g. when WaitForEdge times out
// after 1.2 s, then every second).
func (l *Loop) Timeout() Action {
	prev := l.state
	l.timeouts++
	set := false
	switch l.state {
	case Acquiring, Locked:
		if l.timeouts >= l.cfg.HoldoverAfter {
			wasLocked := l.state == Locked
			l.state = Holdover
			l.st.HoldoverSeconds = uint64(l.timeouts)
			if wasLocked && l.holdCount > 0 {
				// Freeze at the average code of the locked period: the
				// last code carries the loop's PPS jitter.
				l.setControl(l.holdCode / l.holdCount)
				set = true
			} else if !wasLocked {
				// Never locked: this is not a disciplined oscillator.
				l.state = FreeRunning
			}
		}
	case Holdover:
		l.st.HoldoverSeconds++
		if l.st.HoldoverSeconds >= uint64(l.cfg.HoldoverMaxSeconds) {
			l.state = FreeRunning
			l.have = false
		}
	}
	return l.action(prev, set)
}

func (l *Loop) startAcquire(ticks uint64, pll bool) {
	l.state = Acquiring
	l.avg.restart(ticks)
	l.have, l.last = true, ticks
	l.fllStart, l.fllSecs = ticks, 0
	l.good = 0
	l.st.HoldoverSeconds = 0
	l.pll = false
	if pll {
		l.startPLL()
	}
}

func (l *Loop) startPLL() {
	l.pll = true
	l.phase, l.integ, l.freqEWMA = 0, 0, 0
	l.secs, l.nhist = 0, 0
	l.hist[0] = struct{ phase, secs float64 }{}
	l.nhist = 1
	l.base = l.dacF
	l.holdCode, l.holdCount = 0, 0
}

// setControl sets the unquantised control, clamps it to the DAC range and
// quantises it.
func (l *Loop) setControl(code float64) {
	if code < 0 {
		code = 0
	}
	if code > l.maxCode {
		code = l.maxCode
	}
	l.dacF = code
	l.dac = uint32(math.Round(code))
}

func (l *Loop) action(prev State, set bool) Action {
	return Action{SetDAC: set, DAC: l.dac, State: l.state, Changed: l.state != prev}
}
