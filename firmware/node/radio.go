package node

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/usbfs"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/rx"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
)

// FrontendLime is the board front end of a LimeSDR Mini or LimeNET Micro
// on USB (boards.RFChain.Frontend).
const FrontendLime = "lime-usb"

// RadioOpener brings up the board's hardware front end for configuration
// c (rf.Open of the board's chain through the board's opener: USB claim,
// LMS7002M reset, tune, interlock armed, PA off). The firmware gives it
// to the cell service (Service.UseRadio); the service owns what it
// returns and closes it when it stops.
type RadioOpener func(c *config.Config) (*rf.Frontend, error)

// UseRadio sets how the service opens the board's hardware front end.
// Call it before Serve.
func (s *Service) UseRadio(open RadioOpener) { s.cfg.Radio = open }

// RadioSnapshot is the hardware front end's state: for status, the
// console and metrics. Counters are totals over every start of the cell.
type RadioSnapshot struct {
	// Frontend is the board's front end ("lime-usb"), Chain its RF chain.
	Frontend, Chain string
	// Board is what the USB board said it is at its last bring-up
	// (GET_INFO, gateware), "" before.
	Board string
	// Up says a sample stream is running now.
	Up bool
	// Starts counts front ends brought up; OpenFailures bring-ups that
	// failed (a missing, busy or unplugged board); LastError is the
	// latest failure, "" when none.
	Starts, OpenFailures uint64
	LastError            string
	// Stream is the sample stream's counters summed over every stream
	// since boot; Healthy and Counter are the running stream's.
	Stream lime.Stats
	// RXBytesPerSec and TXBytesPerSec are the USB stream throughput over
	// the last second.
	RXBytesPerSec, TXBytesPerSec float64
	// Interlock is the running front end's interlock (zero when none).
	Interlock rf.InterlockStatus
	// Scan is the boot-time channel scan, when [cell] arfcn = "auto".
	Scan *ChannelChoice
	// Cal is the latest TX calibration (LO leakage and image) run at
	// bring-up; nil before the first.
	Cal *TXCalStatus
	// Scanning says the boot-time channel scan runs now: the front end
	// is up for receiving only, and nothing is transmitted.
	Scanning bool
	// NotKeyed is why the keyer last failed to key the PA (the Guard's
	// refusal), "" once it keyed or before it tried.
	NotKeyed string
	// ClockCal is the calibration of the reference against nearby GSM
	// cells at the cell's start (nil when not attempted: the override).
	ClockCal *ClockCalibration
}

// TXCalStatus is a bring-up's TX calibration on the LMS7002M's internal
// loopback (lime.CalibrateTX): the LO leakage and the image of a test
// tone, relative to the tone, before (neutral correctors) and after.
// A failed calibration leaves the neutral correctors loaded and the
// cell on air: OK is false and Error says why.
type TXCalStatus struct {
	OK             bool    `json:"ok"`
	Error          string  `json:"error,omitempty"`
	ARFCN          int     `json:"arfcn"`
	LeakBeforeDBc  float64 `json:"leak_before_dbc"`
	LeakAfterDBc   float64 `json:"leak_after_dbc"`
	ImageBeforeDBc float64 `json:"image_before_dbc"`
	ImageAfterDBc  float64 `json:"image_after_dbc"`
	// DCI, DCQ, GainI, GainQ and PhaseRad are the correctors loaded.
	DCI       int     `json:"dc_i"`
	DCQ       int     `json:"dc_q"`
	GainI     float64 `json:"gain_i"`
	GainQ     float64 `json:"gain_q"`
	PhaseRad  float64 `json:"phase_rad"`
	Exchanges int     `json:"exchanges"`
	TookMS    float64 `json:"took_ms"`
}

// Summary is the one-line form for the status file and the console.
func (c *TXCalStatus) Summary() string {
	if c == nil {
		return "not run"
	}
	if !c.OK {
		s := "FAILED, neutral correctors loaded: " + c.Error
		if c.Exchanges >= 2 { // the first exchange only finds the loop gain
			s += fmt.Sprintf(" (measured leakage %.1f dBc, image %.1f dBc)", c.LeakBeforeDBc, c.ImageBeforeDBc)
		}
		return s
	}
	return fmt.Sprintf("ARFCN %d: TX leakage %s → %s dBc, image %s → %s dBc (DC %d/%d, %d exchanges, %.0f ms)",
		c.ARFCN, dbcText(c.LeakBeforeDBc), dbcText(c.LeakAfterDBc), dbcText(c.ImageBeforeDBc), dbcText(c.ImageAfterDBc),
		c.DCI, c.DCQ, c.Exchanges, c.TookMS)
}

// dbcText renders a level, with "<-120" for the nothing an ideal chain
// (a simulated one) measures.
func dbcText(x float64) string {
	if x < -120 {
		return "<-120"
	}
	return fmt.Sprintf("%.1f", x)
}

// Transmitter is one line on the transmitter as it is now: keyed (the
// interlock's state, power and carrier) or off, and why. It is the
// status file's and `gsmbox status`'s "transmitter" line on a board with
// a USB radio.
func (s *RadioSnapshot) Transmitter() string {
	switch {
	case s.Scanning:
		return "OFF: scanning the band for a channel (nothing is transmitted during the scan)"
	case !s.Up && s.LastError != "":
		return "OFF: cell off the air: " + s.LastError
	case !s.Up:
		return "OFF: radio not started"
	}
	is := s.Interlock
	if is.State == rf.TXOff {
		switch {
		case !s.Stream.Healthy:
			return "OFF: sample stream unhealthy"
		case s.NotKeyed != "":
			return "OFF: not keyed: " + s.NotKeyed
		default:
			return "OFF: not keyed yet (waiting for the sample stream)"
		}
	}
	l := TransmitterLine(is)
	if is.State == rf.TXTripped && is.LastTrip == rf.TripStreamLost {
		l += "; keyed again once the sample stream is healthy"
	}
	return l
}

// TransmitterLine renders an RF interlock's state as the status file's
// "transmitter" line: "keyed" with the PA's power and carrier, or "OFF"
// and why.
func TransmitterLine(is rf.InterlockStatus) string {
	where := fmt.Sprintf("%.1f MHz (%v)", float64(is.FreqHz)/1e6, is.Band)
	switch is.State {
	case rf.TXOn:
		return fmt.Sprintf("keyed: PA on at %.1f dBm, %s", is.PowerDBm, where)
	case rf.TXRamping:
		return fmt.Sprintf("keyed: PA ramping to %.1f dBm (now %.1f dBm), %s", is.TargetDBm, is.PowerDBm, where)
	case rf.TXTripped:
		l := "OFF: interlock tripped (" + is.LastTrip.String()
		if is.LastDetail != "" {
			l += ": " + is.LastDetail
		}
		return l + ")"
	}
	switch {
	case !is.PLLLocked:
		return "OFF: not keyed (TX PLL not locked)"
	case !is.ClockOK && !is.Override:
		return "OFF: not keyed (reference clock not disciplined)"
	case is.StreamFault:
		return "OFF: not keyed (sample stream unhealthy)"
	}
	return "OFF: not keyed"
}

// Add adds the counters of an earlier incarnation of the cell (prev may
// be nil): the firmware's cell slot makes a new Service at each start and
// reports totals since boot. The running state (Up, Stream.Healthy,
// Stream.Counter, throughput, interlock, scan) stays s's.
func (s *RadioSnapshot) Add(prev *RadioSnapshot) {
	if prev == nil {
		return
	}
	healthy, counter := s.Stream.Healthy, s.Stream.Counter
	s.Stream = addStats(s.Stream, prev.Stream)
	s.Stream.Healthy, s.Stream.Counter = healthy, counter
	s.Starts += prev.Starts
	s.OpenFailures += prev.OpenFailures
	if s.LastError == "" {
		s.LastError = prev.LastError
	}
	if s.Scan == nil {
		s.Scan = prev.Scan
	}
	if s.Cal == nil {
		s.Cal = prev.Cal
	}
	if s.ClockCal == nil {
		s.ClockCal = prev.ClockCal
	}
}

// radioState is the Service's record of its front ends.
type radioState struct {
	mu        sync.Mutex
	fe        *rf.Frontend
	st        *lime.Stream
	base      lime.Stats // counters of earlier streams
	starts    uint64
	failures  uint64
	lastErr   string
	rxBps     float64
	txBps     float64
	scan      *ChannelChoice
	cal       *TXCalStatus
	scanning  bool
	notKeyed  string
	clockCal  *ClockCalibration
	frontend  string
	chainName string
	board     string // the last bring-up's Frontend.USBBoard
}

func addStats(a, b lime.Stats) lime.Stats {
	a.RXPackets += b.RXPackets
	a.TXPackets += b.TXPackets
	a.RXLost += b.RXLost
	a.Overruns += b.Overruns
	a.Underruns += b.Underruns
	a.Late += b.Late
	a.Suppressed += b.Suppressed
	a.Unplugs += b.Unplugs
	a.Stalls += b.Stalls
	a.Faults += b.Faults
	return a
}

func (r *radioState) snapshot() *RadioSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.frontend == "" {
		return nil
	}
	s := &RadioSnapshot{Frontend: r.frontend, Chain: r.chainName, Starts: r.starts, OpenFailures: r.failures,
		LastError: r.lastErr, Stream: r.base, RXBytesPerSec: r.rxBps, TXBytesPerSec: r.txBps, Scan: r.scan, Cal: r.cal,
		Scanning: r.scanning, NotKeyed: r.notKeyed, ClockCal: r.clockCal}
	if r.st != nil {
		cur := r.st.Stats()
		s.Stream = addStats(s.Stream, cur)
		s.Stream.Healthy, s.Stream.Counter = cur.Healthy, cur.Counter
		s.Up = true
	}
	s.Board = r.board
	if r.fe != nil && r.fe.Guard != nil {
		s.Interlock = r.fe.Guard.Status()
	}
	return s
}

// serveRadio runs node n on the board's hardware front end: bring-up
// (rf.Open through cfg.Radio), the LMS7002M's stream clocks, the Lime
// sample stream and the in-process transceiver on it. The RF interlock
// holds as on every path: the band and the board's maximum power are
// the Guard's, the PA is keyed only while the synthesisers are locked
// and the stream is healthy (the stream's health drives
// Guard.SetStreamOK, which trips a keyed PA), and the front end is left
// in its safe state when the cell stops. A board that is missing, busy
// or unplugged is an ordinary error: the supervisor restarts the cell
// with back-off and the bring-up is tried again.
func (s *Service) serveRadio(ctx context.Context, c *config.Config, n *Node) error {
	log := s.cfg.Log
	fe := s.cfg.Board.RF.Frontend
	if fe != FrontendLime {
		return fmt.Errorf("%w: board %s: front end %q is not supported by this build", supervisor.ErrDoNotRestart, s.cfg.Board.Name, fe)
	}
	if s.cfg.Radio == nil {
		return fmt.Errorf("%w: board %s: front end %s and no way to open it", supervisor.ErrDoNotRestart, s.cfg.Board.Name, fe)
	}
	r := &s.radio
	r.mu.Lock()
	r.frontend = fe
	if ch := s.cfg.Board.RF.Chain; ch != nil {
		r.chainName = ch.Name
	}
	r.mu.Unlock()

	front, err := s.openFront(c)
	if err != nil {
		if errors.Is(err, usbfs.ErrBusy) || errors.Is(err, usbfs.ErrNotFound) || errors.Is(err, usbfs.ErrUnplugged) {
			log.Error("radio front end unavailable; the cell retries with back-off", "err", err)
		}
		return fmt.Errorf("cell: front end %s: %w", fe, err)
	}
	defer func() {
		if err := front.Close(); err != nil {
			log.Debug("radio front end closed", "err", err)
		}
		r.mu.Lock()
		r.fe = nil
		r.mu.Unlock()
	}()
	if front.Lime == nil || front.LMS == nil {
		return fmt.Errorf("%w: board %s: chain %s has no USB transceiver", supervisor.ErrDoNotRestart, s.cfg.Board.Name, front.Chain.Name)
	}
	g := front.Guard
	if c.Radio.ClockOverride {
		g.SetOverride(true)
	}
	s.applyClockCalibration(front) // clockcal.go
	if err := g.SetPower(min(c.Cell.TxPowerDBm, g.Status().MaxPowerDBm)); err != nil {
		return fmt.Errorf("%w: %w", supervisor.ErrDoNotRestart, err)
	}
	sps := c.Radio.SamplesPerSymbol
	plan, err := lms7002m.PlanStream(front.Chain.RefClock, sps, 0)
	if err != nil {
		return fmt.Errorf("%w: %w", supervisor.ErrDoNotRestart, err)
	}
	if err := front.LMS.ConfigureStream(plan); err != nil {
		return fmt.Errorf("cell: stream clocks: %w", err)
	}
	sc := s.cfg.Stream
	sc.SampleRate = plan.RateHz
	if sc.DeviceDelay == 0 {
		sc.DeviceDelay = front.Chain.DeviceDelaySamples(plan.RateHz)
	}
	if sc.Log == nil {
		sc.Log = log
	}
	if sc.Clock == nil {
		sc.Clock = s.cfg.Clock
	}
	// The TX calibration, before the transmitter is ever keyed: the PA
	// stays off (the keyer has not started) and the TX pad powered down
	// throughout; a failure leaves neutral correctors and the cell goes
	// on air without them.
	if err := s.calibrateTX(front, sc, c); err != nil {
		return err
	}
	if front.Arrivals != nil {
		sc.Arrivals = front.Arrivals // the software PPS latch (LimeNET Micro)
	}
	onHealth := sc.OnHealth
	sc.OnHealth = func(ok bool) {
		g.SetStreamOK(ok)
		if onHealth != nil {
			onHealth(ok)
		}
	}
	st, err := lime.NewStream(front.Lime, sc)
	if err != nil {
		return fmt.Errorf("cell: stream start: %w", err)
	}
	r.mu.Lock()
	r.fe, r.st, r.board = front, st, front.USBBoard
	r.starts++
	r.lastErr, r.notKeyed = "", ""
	r.mu.Unlock()
	defer func() {
		_ = st.Close()
		r.mu.Lock()
		r.base = addStats(r.base, st.Stats())
		r.st = nil
		r.rxBps, r.txBps = 0, 0
		r.mu.Unlock()
	}()
	car, err := trx.NewStreamCarrier(st, trx.TransceiverConfig{
		Tx: trx.TxConfig{Modulator: gmsk.Config{SPS: sps}},
		Rx: rx.Config{RSSIOffset: front.Chain.RXFullScaleDBm}})
	if err != nil {
		return fmt.Errorf("%w: %w", supervisor.ErrDoNotRestart, err)
	}
	// A Read waiting for the board returns when the stream closes.
	stopClose := context.AfterFunc(ctx, func() { _ = st.Close() })
	defer stopClose()

	fctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the interlock's poll and the clock service
		defer wg.Done()
		if err := front.Serve(fctx); err != nil && fctx.Err() == nil {
			log.Error("rf interlock stopped", "err", err)
		}
	}()
	go func() { defer wg.Done(); s.keyer(fctx, g, st) }()
	log.Info(OnAirLine(c), "frontend", fe, "chain", front.Chain.Name, "rate_sps", plan.RateHz,
		"device_delay", sc.DeviceDelay, "clock_override", c.Radio.ClockOverride)
	serveErr := n.Serve(ctx, car)
	// TX off first (the poll loop's exit puts the front end in its safe
	// state), then the stream stops.
	cancel()
	wg.Wait()
	if serveErr != nil {
		stats := st.Stats()
		log.Error("cell stopped on the radio front end; the cell restarts", "err", serveErr,
			"unplugs", stats.Unplugs, "stalls", stats.Stalls, "faults", stats.Faults)
		r.mu.Lock()
		r.lastErr = serveErr.Error()
		r.mu.Unlock()
		return serveErr
	}
	return nil
}

// calibrateTX runs lime.CalibrateTX on the configured carrier and
// records the outcome. Only a board that went away (or a transmitter
// found keyed, which the interlock forbids) is an error: the cell then
// restarts with its back-off. Any other failure is logged, reported in
// status, and the cell goes on air with the neutral correctors.
func (s *Service) calibrateTX(front *rf.Frontend, sc lime.StreamConfig, c *config.Config) error {
	log := s.cfg.Log
	g := front.Guard
	if st := g.Status().State; st != rf.TXOff || front.LMS.TXEnabled() {
		return fmt.Errorf("%w: TX calibration: the transmitter is %v, want off", supervisor.ErrDoNotRestart, st)
	}
	start := s.cfg.Clock.Now()
	res, err := lime.CalibrateTX(front.Lime, front.LMS, sc, lime.LoopbackOpts{})
	cs := &TXCalStatus{OK: err == nil, ARFCN: c.Cell.ARFCN, LeakBeforeDBc: res.LeakBeforeDBc, LeakAfterDBc: res.LeakAfterDBc,
		ImageBeforeDBc: res.ImageBeforeDBc, ImageAfterDBc: res.ImageAfterDBc, DCI: int(res.DCI), DCQ: int(res.DCQ),
		GainI: res.IQ.GainI, GainQ: res.IQ.GainQ, PhaseRad: res.IQ.PhaseRad, Exchanges: res.Measurements,
		TookMS: float64(s.cfg.Clock.Now().Sub(start)) / float64(time.Millisecond)}
	if err != nil {
		cs.Error = err.Error()
		cs.DCI, cs.DCQ, cs.GainI, cs.GainQ, cs.PhaseRad = 0, 0, 1, 1, 0
	}
	s.radio.mu.Lock()
	s.radio.cal = cs
	s.radio.mu.Unlock()
	if st := g.Status().State; st != rf.TXOff || front.LMS.TXEnabled() {
		return fmt.Errorf("%w: TX calibration left the transmitter %v", supervisor.ErrDoNotRestart, st)
	}
	if err != nil {
		if lime.IsGone(err) {
			return fmt.Errorf("cell: TX calibration: %w", err)
		}
		log.Error("TX calibration failed; on air with neutral correctors", "err", err, "arfcn", cs.ARFCN)
		return nil
	}
	log.Info("TX calibrated on the internal loopback", "arfcn", cs.ARFCN,
		"leak_before_dbc", round1(cs.LeakBeforeDBc), "leak_after_dbc", round1(cs.LeakAfterDBc),
		"image_before_dbc", round1(cs.ImageBeforeDBc), "image_after_dbc", round1(cs.ImageAfterDBc),
		"dc_i", cs.DCI, "dc_q", cs.DCQ, "exchanges", cs.Exchanges)
	return nil
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// keyer keys the transmitter once the stream delivers and is healthy,
// and again after a stream fault cleared: every 100 ms it samples the
// stream's throughput and, when the stream is healthy, keys the PA
// through the Guard (which refuses an unlocked synthesiser, an
// undisciplined clock without the override, an unhealthy stream). A
// stream-lost trip is released once the stream is healthy again; any
// other trip stays latched for the operator.
func (s *Service) keyer(ctx context.Context, g *rf.Guard, st *lime.Stream) {
	log := s.cfg.Log
	clk := s.cfg.Clock
	r := &s.radio
	last, lastAt := st.Stats(), clk.Now()
	var refused string
	keyed := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-clk.After(100 * time.Millisecond):
		}
		stats := st.Stats()
		if now := clk.Now(); now.Sub(lastAt) >= time.Second {
			dt := now.Sub(lastAt).Seconds()
			rxB := float64(stats.RXPackets-last.RXPackets) * lime.PacketSize / dt
			txB := float64(stats.TXPackets-last.TXPackets) * lime.PacketSize / dt
			r.mu.Lock()
			r.rxBps, r.txBps = rxB, txB
			r.mu.Unlock()
			last, lastAt = stats, now
		}
		if !stats.Healthy || stats.RXPackets == 0 {
			keyed = false
			continue
		}
		is := g.Status()
		switch is.State {
		case rf.TXTripped:
			if is.LastTrip != rf.TripStreamLost {
				continue
			}
			g.ClearTrip()
			log.Info("sample stream healthy again; stream-lost trip cleared")
		case rf.TXOff:
		default:
			continue
		}
		if err := g.KeyUp(); err != nil {
			if err.Error() != refused {
				refused = err.Error()
				log.Warn("transmitter not keyed", "err", err)
				r.mu.Lock()
				r.notKeyed = refused
				r.mu.Unlock()
			}
			continue
		}
		if refused != "" {
			r.mu.Lock()
			r.notKeyed = ""
			r.mu.Unlock()
		}
		refused = ""
		if !keyed {
			keyed = true
			log.Info("transmitter keyed on the sample stream", "counter", stats.Counter)
		}
	}
}
