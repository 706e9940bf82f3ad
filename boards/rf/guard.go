package rf

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Clock is the time source of the interlock; inject a fake in tests.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Synth is the TX synthesiser as the interlock sees it. Tune is called
// with the PA off; Locked is polled (cheap: a GPIO read or one register
// read); Halt mutes it.
type Synth interface {
	Tune(f physic.Frequency) error
	Locked() bool
	Halt() error
}

// PASwitch turns the PA (or the transceiver's output stage) on and off.
// Off must work even when everything else has failed.
type PASwitch interface {
	SetPA(on bool) error
}

// Attenuator sets the TX drive attenuation ahead of the PA, in dB.
type Attenuator interface {
	Set(db float64) error
}

// Path sets the antenna switch and the band filter. Optional.
type Path interface {
	SetTX(on bool) error
	SelectBand(code uint8) error
}

// CurrentSensor reads the PA supply current. Optional.
type CurrentSensor interface {
	Current() (physic.ElectricCurrent, error)
}

// TempSensor reads the PA heat-sink temperature. Optional.
type TempSensor interface {
	Temperature() (physic.Temperature, error)
}

// Hardware is the set of parts the interlock drives. LO, PA and Atten are
// required.
type Hardware struct {
	LO      Synth
	PA      PASwitch
	Atten   Attenuator
	Path    Path
	Current CurrentSensor
	Temp    TempSensor
}

// TripReason says why the interlock turned the PA off.
type TripReason uint8

// Trip reasons.
const (
	TripNone TripReason = iota
	TripPLLUnlock
	TripOverTemperature
	TripOverCurrent
	TripSensorFault
	TripClockLost
	TripShutdown
	TripHardware // a driver call failed while transmitting
	// TripStreamLost: the sample stream to a USB radio turned unhealthy
	// (lost RX packets, late TX, the board unplugged).
	TripStreamLost
	numTrips
)

var tripNames = [...]string{"none", "pll-unlock", "over-temperature", "over-current", "sensor-fault", "clock-lost", "shutdown", "hardware-fault", "stream-lost"}

func (r TripReason) String() string {
	if int(r) < len(tripNames) {
		return tripNames[r]
	}
	return fmt.Sprintf("TripReason(%d)", uint8(r))
}

// TXState is the transmitter's state.
type TXState uint8

// TX states.
const (
	TXOff     TXState = iota // PA off, may be keyed
	TXRamping                // PA on, power coming up in steps
	TXOn                     // PA on at the target power
	TXTripped                // PA off, latched until ClearTrip
)

var txNames = [...]string{"off", "ramping", "on", "tripped"}

func (s TXState) String() string {
	if int(s) < len(txNames) {
		return txNames[s]
	}
	return fmt.Sprintf("TXState(%d)", uint8(s))
}

// InterlockStatus is the interlock's state and counters, for the status
// API and `gsmbox rf probe`.
type InterlockStatus struct {
	State       TXState
	Band        tdma.Band
	FreqHz      int64 // tuned TX carrier, 0 when not tuned
	TargetDBm   float64
	PowerDBm    float64 // current step of the ramp (nominal, from the power model)
	MaxPowerDBm float64
	PLLLocked   bool
	// ClockOK: the GPS discipline loop holds the reference (SetClockOK).
	ClockOK bool
	// Calibrated: the reference was calibrated against the FCCH of
	// nearby GSM cells (SetClockCalibrated).
	Calibrated bool
	Override   bool // operator overrode the clock-discipline gate
	// ClockSource is what currently vouches for the reference (the
	// strongest of override, GPS, cells), ClockSourceNone when nothing
	// does; ClockDetail says more in words (the cells and offset of a
	// calibration, the GPS loop's state).
	ClockSource ClockSource
	ClockDetail string
	// CalDetail and GPSDetail are the last words given by
	// SetClockCalibrated and SetClockDetail.
	CalDetail, GPSDetail string
	// StreamFault is set while a USB radio's sample stream is unhealthy
	// (SetStreamOK); the PA cannot be keyed then.
	StreamFault bool
	// Trips counts trips by reason; TotalTrips is their sum.
	Trips      [numTrips]uint64
	TotalTrips uint64
	LastTrip   TripReason
	LastTripAt time.Time
	LastDetail string
	// Refused counts refused requests (out of band, over power, not ready).
	Refused uint64
}

// GuardConfig configures a Guard.
type GuardConfig struct {
	Band tdma.Band
	// BoardMaxDBm is the board descriptor's RFChain.MaxPowerDBm; the
	// effective maximum is the lower of it and the chain's own limit.
	BoardMaxDBm float64
	Chain       *Chain
	Clock       Clock
	Log         *slog.Logger
}

// Guard is the RF safety interlock. Every TX path goes through it: it
// refuses to tune outside the configured band's downlink range or to set
// power above the board's maximum, keys the PA only after PLL lock and
// clock discipline (or an explicit operator override), ramps power up in
// steps, and turns the PA off on PLL unlock, over-temperature,
// over-current, sensor failure, loss of clock discipline and shutdown.
//
// A mutex serialises every method: a safety switch must not interleave
// "PA on" with "PA off", so the hardware calls happen under the lock.
// They are short register or GPIO writes.
type Guard struct {
	mu    sync.Mutex
	hw    Hardware
	chain *Chain
	band  tdma.Band
	clk   Clock
	log   *slog.Logger

	maxDBm, minDBm float64
	lo, hi         int64 // downlink carrier range of the band, Hz
	filter         BandFilter

	st       InterlockStatus
	tuned    bool
	lastStep time.Time
}

// NewGuard puts the hardware in its safe state (PA off, maximum
// attenuation, antenna on RX) and returns the interlock.
func NewGuard(hw Hardware, cfg GuardConfig) (*Guard, error) {
	if hw.LO == nil || hw.PA == nil || hw.Atten == nil {
		return nil, fmt.Errorf("%w: interlock needs an LO, a PA switch and an attenuator", ErrChain)
	}
	if cfg.Chain == nil {
		return nil, fmt.Errorf("%w: no chain", ErrChain)
	}
	f, ok := cfg.Chain.Filter(cfg.Band)
	if !ok {
		return nil, fmt.Errorf("%w: %v on %s", ErrBand, cfg.Band, cfg.Chain.Name)
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	lim := cfg.Chain.Limits
	g := &Guard{hw: hw, chain: cfg.Chain, band: cfg.Band, clk: cfg.Clock, log: cfg.Log.With("part", "rf-interlock", "chain", cfg.Chain.Name), filter: f}
	g.maxDBm = math.Min(lim.MaxPowerDBm, cfg.BoardMaxDBm)
	g.minDBm = lim.DriveDBm + lim.PAGainDB - lim.AttenMaxDB
	g.lo, g.hi = cfg.Band.Edges(true)
	g.st.Band = cfg.Band
	g.st.MaxPowerDBm = g.maxDBm
	g.st.TargetDBm = g.minDBm
	g.st.PowerDBm = g.minDBm
	if err := g.safeLocked(); err != nil {
		return nil, err
	}
	if hw.Path != nil {
		if err := hw.Path.SelectBand(f.Code); err != nil {
			return nil, fmt.Errorf("rf: band filter %v: %w", cfg.Band, err)
		}
	}
	return g, nil
}

// Tune sets the TX carrier. It refuses a frequency outside the band's
// downlink carriers. Tuning turns the PA off first (a synthesiser
// slewing across the band must not be amplified); key up again after.
func (g *Guard) Tune(f physic.Frequency) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	hz := int64(f / physic.Hertz)
	if f%physic.Hertz != 0 || hz < g.lo || hz > g.hi {
		g.st.Refused++
		g.log.Warn("refused TX tune outside band", "freq_hz", hz, "band", g.band.String(), "lo_hz", g.lo, "hi_hz", g.hi)
		return fmt.Errorf("%w: %v not in %v downlink %d..%d Hz", ErrOutOfBand, f, g.band, g.lo, g.hi)
	}
	if g.st.State == TXOn || g.st.State == TXRamping {
		if err := g.paOff(); err != nil {
			return err
		}
		g.st.State = TXOff
	}
	g.tuned = false
	if err := g.hw.LO.Tune(f); err != nil {
		return fmt.Errorf("rf: tune TX %v: %w", f, err)
	}
	g.tuned = true
	g.st.FreqHz = hz
	return nil
}

// TuneARFCN tunes the downlink carrier of channel n of the guard's band.
func (g *Guard) TuneARFCN(n tdma.ARFCN) error {
	hz, ok := g.band.DownlinkHz(n)
	if !ok {
		g.mu.Lock()
		g.st.Refused++
		g.mu.Unlock()
		return fmt.Errorf("%w: ARFCN %d is not a %v channel", ErrOutOfBand, n, g.band)
	}
	return g.Tune(physic.Frequency(hz) * physic.Hertz)
}

// SetPower sets the target output power. It refuses anything above the
// board's maximum; values below the chain's floor are raised to it. While
// the PA is on, power moves towards the new target in ramp steps.
func (g *Guard) SetPower(dbm float64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if math.IsNaN(dbm) || dbm > g.maxDBm {
		g.st.Refused++
		g.log.Warn("refused TX power above maximum", "dbm", dbm, "max_dbm", g.maxDBm)
		return fmt.Errorf("%w: %.1f dBm > %.1f dBm", ErrPowerLimit, dbm, g.maxDBm)
	}
	g.st.TargetDBm = math.Max(dbm, g.minDBm)
	if g.st.State == TXOn && g.st.TargetDBm < g.st.PowerDBm {
		// Going down is always safe: apply at once.
		return g.applyPower(g.st.TargetDBm)
	}
	if g.st.State == TXOn && g.st.TargetDBm > g.st.PowerDBm {
		g.st.State = TXRamping
	}
	return nil
}

// SetClockOK is called by the clock-discipline service when the
// reference becomes (or stops being) good enough to transmit. Losing it
// while transmitting trips the PA unless the operator override is set.
func (g *Guard) SetClockOK(ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.st.ClockOK == ok {
		return
	}
	g.st.ClockOK = ok
	g.log.Info("reference clock", "disciplined", ok)
	if !ok && !g.st.Override && !g.st.Calibrated && (g.st.State == TXOn || g.st.State == TXRamping) {
		g.trip(TripClockLost, "clock discipline lost")
	}
}

// SetClockCalibrated is called when the reference has been calibrated
// against the FCCH of nearby GSM cells (ok, with detail naming the cells
// and the offset found) or when such a calibration no longer holds.
// Like SetClockOK, it lets KeyUp key the PA; losing it while keyed trips
// the PA unless another source (GPS, the override) still vouches.
func (g *Guard) SetClockCalibrated(ok bool, detail string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.st.CalDetail = detail
	if g.st.Calibrated == ok {
		return
	}
	g.st.Calibrated = ok
	g.log.Info("reference clock calibrated from GSM cells", "ok", ok, "detail", detail)
	if !ok && !g.st.ClockOK && !g.st.Override && (g.st.State == TXOn || g.st.State == TXRamping) {
		g.trip(TripClockLost, "cell calibration withdrawn")
	}
}

// SetClockDetail records the GPS discipline's state in words (for
// status); it does not change what KeyUp allows.
func (g *Guard) SetClockDetail(detail string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.st.GPSDetail = detail
}

// SetStreamOK is called by a USB radio's stream (lime.StreamConfig
// OnHealth) when it turns unhealthy (false) or healthy again (true). An
// unhealthy stream trips a keyed PA and refuses KeyUp, whatever the
// override: the transmitter is off while the samples are not flowing.
func (g *Guard) SetStreamOK(ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.st.StreamFault == !ok {
		return
	}
	g.st.StreamFault = !ok
	g.log.Info("sample stream", "healthy", ok)
	if !ok && (g.st.State == TXOn || g.st.State == TXRamping) {
		g.trip(TripStreamLost, "sample stream unhealthy")
	}
}

// SetOverride lets the operator transmit on an undisciplined reference
// (a lab, a site calibrated by CarrierCalibration). It is logged.
func (g *Guard) SetOverride(on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.st.Override = on
	g.log.Warn("operator override of the clock-discipline gate", "override", on)
}

// KeyUp enables the PA: it requires a tuned, locked synthesiser, a
// disciplined clock (or the override) and no latched trip. Power starts
// at the chain's floor and ramps up to the target in Poll.
func (g *Guard) KeyUp() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.st.State == TXTripped:
		g.st.Refused++
		return fmt.Errorf("%w: %v at %v (%s); clear it first", ErrTripped, g.st.LastTrip, g.st.LastTripAt.Format(time.RFC3339), g.st.LastDetail)
	case g.st.State == TXOn || g.st.State == TXRamping:
		return nil
	case !g.tuned:
		g.st.Refused++
		return fmt.Errorf("%w: TX synthesiser not tuned", ErrNotReady)
	}
	g.st.PLLLocked = g.hw.LO.Locked()
	if !g.st.PLLLocked {
		g.st.Refused++
		return fmt.Errorf("%w: TX PLL not locked", ErrNotReady)
	}
	if !g.st.ClockOK && !g.st.Calibrated && !g.st.Override {
		g.st.Refused++
		if g.st.GPSDetail != "" {
			return fmt.Errorf("%w: %w (GPS discipline: %s)", ErrNotReady, ErrNoClockReference, g.st.GPSDetail)
		}
		return fmt.Errorf("%w: %w", ErrNotReady, ErrNoClockReference)
	}
	if g.st.StreamFault {
		g.st.Refused++
		return fmt.Errorf("%w: sample stream unhealthy", ErrNotReady)
	}
	if err := g.applyPower(g.minDBm); err != nil {
		return err
	}
	if g.hw.Path != nil {
		if err := g.hw.Path.SetTX(true); err != nil {
			_ = g.paOff()
			return fmt.Errorf("rf: antenna switch: %w", err)
		}
	}
	if err := g.hw.PA.SetPA(true); err != nil {
		_ = g.paOff()
		return fmt.Errorf("rf: PA enable: %w", err)
	}
	g.st.State = TXRamping
	g.lastStep = g.clk.Now()
	g.log.Info("PA keyed", "freq_hz", g.st.FreqHz, "start_dbm", g.st.PowerDBm, "target_dbm", g.st.TargetDBm)
	return nil
}

// KeyDown turns the PA off (not a trip).
func (g *Guard) KeyDown() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.st.State == TXTripped {
		return nil
	}
	g.st.State = TXOff
	return g.paOff()
}

// Poll is the interlock's periodic check, called by the front-end
// service every 50–100 ms: it reads PLL lock, temperature and PA
// current, trips on any fault, and advances the power ramp.
func (g *Guard) Poll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	keyed := g.st.State == TXOn || g.st.State == TXRamping
	g.st.PLLLocked = g.hw.LO.Locked()
	if keyed && !g.st.PLLLocked {
		g.trip(TripPLLUnlock, "TX synthesiser lost lock")
		return
	}
	lim := g.chain.Limits
	if g.hw.Temp != nil {
		t, err := g.hw.Temp.Temperature()
		switch {
		case err != nil:
			g.trip(TripSensorFault, "temperature sensor: "+err.Error())
			return
		case lim.MaxTemperature != 0 && t > lim.MaxTemperature:
			g.trip(TripOverTemperature, fmt.Sprintf("%s > %s", t, lim.MaxTemperature))
			return
		}
	}
	if g.hw.Current != nil {
		c, err := g.hw.Current.Current()
		switch {
		case err != nil:
			g.trip(TripSensorFault, "current sensor: "+err.Error())
			return
		case lim.MaxPACurrent != 0 && c > lim.MaxPACurrent:
			g.trip(TripOverCurrent, fmt.Sprintf("%s > %s", c, lim.MaxPACurrent))
			return
		}
	}
	if g.st.State != TXRamping {
		return
	}
	now := g.clk.Now()
	if now.Sub(g.lastStep) < lim.RampStepTime {
		return
	}
	g.lastStep = now
	next := math.Min(g.st.TargetDBm, g.st.PowerDBm+lim.RampStepDB)
	if err := g.applyPower(next); err != nil {
		g.trip(TripHardware, "attenuator: "+err.Error())
		return
	}
	if g.st.PowerDBm >= g.st.TargetDBm {
		g.st.State = TXOn
		g.log.Info("PA at target power", "dbm", g.st.PowerDBm)
	}
}

// ClearTrip releases a latched trip. The next Poll re-checks every
// condition and trips again if the fault persists.
func (g *Guard) ClearTrip() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.st.State == TXTripped {
		g.st.State = TXOff
		g.log.Info("trip cleared", "last", g.st.LastTrip.String())
	}
}

// Shutdown is a trip for supervisor shutdown.
func (g *Guard) Shutdown() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.trip(TripShutdown, "supervisor shutdown")
}

// SafeState turns the PA off, sets maximum attenuation, puts the antenna
// on the receiver and mutes the synthesiser. The supervisor calls it as
// its last act, also from its crash path. It tries every step even when
// one fails and never blocks on anything but the hardware writes.
func (g *Guard) SafeState() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.st.State == TXOn || g.st.State == TXRamping {
		g.st.State = TXOff
	}
	err := g.safeLocked()
	g.tuned = false
	return err
}

func (g *Guard) safeLocked() error {
	var errs []error
	if err := g.hw.PA.SetPA(false); err != nil {
		errs = append(errs, fmt.Errorf("PA off: %w", err))
	}
	if err := g.hw.Atten.Set(g.chain.Limits.AttenMaxDB); err != nil {
		errs = append(errs, fmt.Errorf("attenuator: %w", err))
	}
	if g.hw.Path != nil {
		if err := g.hw.Path.SetTX(false); err != nil {
			errs = append(errs, fmt.Errorf("antenna switch: %w", err))
		}
	}
	if err := g.hw.LO.Halt(); err != nil {
		errs = append(errs, fmt.Errorf("synthesiser: %w", err))
	}
	g.st.PowerDBm = g.minDBm
	if len(errs) > 0 {
		g.log.Error("safe state incomplete", "err", errors.Join(errs...))
		return fmt.Errorf("rf: safe state: %w", errors.Join(errs...))
	}
	return nil
}

// Status returns a snapshot of the interlock.
func (g *Guard) Status() InterlockStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.st
	switch {
	case s.Override:
		s.ClockSource, s.ClockDetail = ClockSourceOverride, "[radio] clock_override = true"
	case s.ClockOK:
		s.ClockSource, s.ClockDetail = ClockSourceGPS, s.GPSDetail
	case s.Calibrated:
		s.ClockSource, s.ClockDetail = ClockSourceCells, s.CalDetail
	default:
		s.ClockSource, s.ClockDetail = ClockSourceNone, NoClockReference
		if s.GPSDetail != "" {
			s.ClockDetail += " (GPS discipline: " + s.GPSDetail + ")"
		}
	}
	return s
}

// ClockSource says what vouches for the reference oscillator, in the
// order KeyUp consults them: the operator override, the GPS discipline
// loop (locked or in bounded holdover), a calibration against nearby GSM
// cells' FCCH; none of them refuses keying.
type ClockSource uint8

// Clock sources.
const (
	ClockSourceNone ClockSource = iota
	ClockSourceGPS
	ClockSourceCells
	ClockSourceOverride
)

var clockSourceNames = [...]string{"none", "gps-disciplined", "calibrated-from-cells", "override"}

func (c ClockSource) String() string {
	if int(c) < len(clockSourceNames) {
		return clockSourceNames[c]
	}
	return fmt.Sprintf("ClockSource(%d)", uint8(c))
}

// NoClockReference is the operator's explanation when nothing vouches
// for the reference: the status file, the console, the USB report and
// KeyUp's refusal all use these words.
const NoClockReference = "no clock reference: connect GPS, or put the box in range of a GSM cell, or set [radio] clock_override = true"

// trip turns the PA off and latches reason. Caller holds g.mu.
func (g *Guard) trip(r TripReason, detail string) {
	wasKeyed := g.st.State == TXOn || g.st.State == TXRamping
	err := g.paOff()
	if g.st.State == TXTripped && g.st.LastTrip == r {
		return // already latched for this reason: count once
	}
	g.st.State = TXTripped
	g.st.Trips[r]++
	g.st.TotalTrips++
	g.st.LastTrip = r
	g.st.LastTripAt = g.clk.Now()
	g.st.LastDetail = detail
	g.log.Warn("RF interlock trip", "reason", r.String(), "detail", detail, "was_keyed", wasKeyed, "pa_off_err", err)
}

// paOff: PA switch first (the fast, independent path), then attenuation
// and the antenna switch.
func (g *Guard) paOff() error {
	var errs []error
	if err := g.hw.PA.SetPA(false); err != nil {
		errs = append(errs, err)
	}
	if err := g.hw.Atten.Set(g.chain.Limits.AttenMaxDB); err != nil {
		errs = append(errs, err)
	}
	if g.hw.Path != nil {
		if err := g.hw.Path.SetTX(false); err != nil {
			errs = append(errs, err)
		}
	}
	g.st.PowerDBm = g.minDBm
	return errors.Join(errs...)
}

// applyPower sets the attenuator for output power p (never more: the
// attenuation is rounded up to the 0.5 dB grid).
func (g *Guard) applyPower(p float64) error {
	lim := g.chain.Limits
	if p > g.maxDBm {
		p = g.maxDBm
	}
	att := lim.DriveDBm + lim.PAGainDB - p
	att = math.Ceil(att*2-1e-9) / 2
	att = math.Max(0, math.Min(att, lim.AttenMaxDB))
	if err := g.hw.Atten.Set(att); err != nil {
		return fmt.Errorf("rf: attenuator %.1f dB: %w", att, err)
	}
	g.st.PowerDBm = lim.DriveDBm + lim.PAGainDB - att
	return nil
}
