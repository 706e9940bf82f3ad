package lime

import (
	"errors"
	"fmt"
	"math"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

// LoopbackOpts configures a Loopback. Zero fields take defaults.
type LoopbackOpts struct {
	// Offset is how far below the TX LO the RX LO is tuned during the
	// calibration, as a fraction of the sample rate (default 5/32: bin
	// 160 of CalibrateTX's 1024-sample block, 169 kHz at 4 samples a
	// symbol). The receiver's own DC then lands at −Offset and its image
	// of the TX leakage, the tone and the tone's image at −2·Offset and
	// −2·Offset ∓ the tone, all away from the three bins CalibrateTX
	// measures (0 and ±Fs/16 after the loop mixes the offset away). It
	// must stay inside ±0.4 of the rate, at least 1/64 of it away from 0
	// and away from ±Fs/16 (and ±Fs/32, where the receiver's images of
	// the tone would land on the measured bins).
	Offset float64
	// Settings are the loopback's gains (default
	// lms7002m.DefaultTXLoopback).
	Settings lms7002m.TXLoopbackSettings
	// Guard is the cyclic extension sent before and after each block,
	// in samples (default 256): the TX and RX filters settle in it, and
	// a device delay that is off by less than Guard only rotates the
	// phase CalibrateTX's loop gain absorbs.
	Guard int
	// Retries is how many times an exchange is repeated when the stream
	// flags lost or late samples (default 8: after a fault the stream
	// is healthy again within two, see CalibrateTX).
	Retries int
}

// DefaultLoopbackOffset is LoopbackOpts.Offset's default.
const DefaultLoopbackOffset = 5.0 / 32

func (o *LoopbackOpts) defaults() error {
	if o.Offset == 0 {
		o.Offset = DefaultLoopbackOffset
	}
	if o.Settings == (lms7002m.TXLoopbackSettings{}) {
		o.Settings = lms7002m.DefaultTXLoopback
	}
	if o.Guard == 0 {
		o.Guard = 256
	}
	if o.Retries == 0 {
		o.Retries = 8
	}
	near := func(x, y float64) bool { return math.Abs(x-y) < 1.0/256 }
	if math.Abs(o.Offset) > 0.4 || math.Abs(o.Offset) < 1.0/64 || near(o.Offset, 1.0/16) || near(o.Offset, -1.0/16) || near(math.Abs(o.Offset), 1.0/32) || o.Guard < 0 || o.Retries < 1 {
		return fmt.Errorf("%w: loopback %+v", ErrConfig, *o)
	}
	return nil
}

// Loopback is the hardware lms7002m.Loop of a LimeSDR Mini or LimeNET
// Micro: the LMS7002M's internal TX→RX RF loopback (TX pad powered
// down, see lms7002m.Dev.TXLoopback) with the receiver's LO tuned
// Offset below the transmitter's, exercised through the board's sample
// stream with timestamps. Exchange sends a block through TX at a
// timestamp comfortably ahead of the stream, reads the RX samples of
// the same timestamp (the stream's DeviceDelay aligns them), and mixes
// the LO offset away so the block is in the TX LO's frame, as
// lms7002m.Loop's contract asks.
//
// Make it with StartLoopback before the stream starts (so a fake board
// never runs its RX ahead of the loop), and Stop it after the stream
// has closed.
type Loopback struct {
	lms     *lms7002m.Dev
	s       *Stream
	o       LoopbackOpts
	state   *lms7002m.LoopbackState
	rxWas   lms7002m.SXConfig
	ratio   float64 // (fTX − fRX) / rate, from the synthesisers' settings
	txBuf   []complex64
	stopped bool
	// Exchanges counts blocks sent; Retried counts repeats after lost,
	// late or suppressed samples.
	Exchanges, Retried int
}

// StartLoopback puts the chip into its TX→RX loopback for a stream at
// rate samples a second and tunes SXR Offset below SXT. Both
// synthesisers must have been tuned (the TX to the carrier under
// calibration). On error the chip is left as it was.
func StartLoopback(lms *lms7002m.Dev, rate float64, o LoopbackOpts) (*Loopback, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if !(rate > 0) {
		return nil, fmt.Errorf("%w: loopback at %v S/s", ErrConfig, rate)
	}
	tx, ok := lms.Synth(lms7002m.TX)
	if !ok {
		return nil, fmt.Errorf("%w: loopback: SXT not tuned", ErrConfig)
	}
	rx, ok := lms.Synth(lms7002m.RX)
	if !ok {
		return nil, fmt.Errorf("%w: loopback: SXR not tuned", ErrConfig)
	}
	st, err := lms.TXLoopback(o.Settings)
	if err != nil {
		return nil, err
	}
	want := tx.LOHz() - o.Offset*rate
	cal, err := lms.Tune(lms7002m.RX, physic.Frequency(math.Round(want))*physic.Hertz)
	if err != nil {
		_, _ = lms.Tune(lms7002m.RX, rx.Want)
		_ = st.Restore()
		return nil, fmt.Errorf("lime: loopback: SXR to %.0f Hz: %w", want, err)
	}
	return &Loopback{lms: lms, o: o, state: st, rxWas: rx, ratio: (tx.LOHz() - cal.LOHz()) / rate}, nil
}

// Path is the loopback in use (1 or 2, see lms7002m.LoopbackState).
func (l *Loopback) Path() int { return l.state.Path }

// OffsetHz is the actual TX LO minus RX LO.
func (l *Loopback) OffsetHz() float64 {
	if l.s == nil {
		return math.NaN()
	}
	return l.ratio * l.s.SampleRate()
}

// Use sets the stream Exchange runs on (started after StartLoopback).
func (l *Loopback) Use(s *Stream) { l.s = s }

// Stop retunes SXR to where it was and restores the RX front end and
// TRF registers TXLoopback changed. Call it after the stream closed.
func (l *Loopback) Stop() error {
	if l.stopped {
		return nil
	}
	l.stopped = true
	_, terr := l.lms.Tune(lms7002m.RX, l.rxWas.Want)
	rerr := l.state.Restore()
	return errors.Join(terr, rerr)
}

// Exchange implements lms7002m.Loop.
func (l *Loopback) Exchange(dst, src []complex64) error {
	if l.s == nil || l.stopped {
		return fmt.Errorf("%w: loopback exchange without a stream", ErrConfig)
	}
	if len(dst) != len(src) || len(src) == 0 {
		return fmt.Errorf("%w: loopback exchange of %d into %d samples", ErrConfig, len(src), len(dst))
	}
	n, g := len(src), min(l.o.Guard, len(src))
	if need := n + 2*g; cap(l.txBuf) < need {
		l.txBuf = make([]complex64, need)
	}
	tx := l.txBuf[:n+2*g]
	copy(tx, src[n-g:])
	copy(tx[g:], src)
	copy(tx[g+n:], src[:g])
	cfg := l.s.Config()
	// The board's counter runs ahead of the newest sample the host has
	// reaped by the RX URBs in flight (captured, not yet delivered): a
	// block stamped closer than that could be partly captured before its
	// TX samples reach the FPGA, and the tone measured short.
	slack := (cfg.RXURBs + 2) * cfg.PacketsPerTransfer * cfg.Format.SamplesPerPacket()
	var last error
	for try := 0; try < l.o.Retries; try++ {
		if try > 0 {
			l.Retried++
		}
		l.Exchanges++
		// Far enough ahead of the newest RX sample that the FPGA gets it
		// in time (TXLead) and the RX URBs in flight cannot have passed
		// it, plus the delay Write subtracts.
		ts := radio.Timestamp(l.s.Stats().Counter) + radio.Timestamp(cfg.TXLead+slack+cfg.DeviceDelay+g)
		k, f, err := l.s.Write(tx, ts-radio.Timestamp(g))
		if err != nil {
			return fmt.Errorf("lime: loopback write: %w", err)
		}
		if k != len(tx) || f&radio.Underrun != 0 {
			last = fmt.Errorf("%w: loopback block at %d not sent whole (stream %+v)", ErrLoopback, ts, l.s.Stats())
			continue
		}
		_, f, err = l.s.Read(dst, ts)
		if err != nil {
			return fmt.Errorf("lime: loopback read: %w", err)
		}
		if f&radio.Overrun != 0 || !l.s.Healthy() {
			last = fmt.Errorf("%w: loopback block at %d lost or late (stream %+v)", ErrLoopback, ts, l.s.Stats())
			continue
		}
		l.mix(dst, ts)
		return nil
	}
	return last
}

// mix multiplies the block read at ts by e^{−j2π·Δ/rate·t}, t the board's
// sample counter: the TX LO's frame, up to a constant phase.
func (l *Loopback) mix(dst []complex64, ts radio.Timestamp) {
	base := math.Mod(l.ratio*float64(ts), 1)
	for i, v := range dst {
		s, c := math.Sincos(-2 * math.Pi * (base + l.ratio*float64(i)))
		dst[i] = complex64(complex128(v) * complex(c, s))
	}
}

// CalibrateTX runs the LMS7002M's TX calibration (lms7002m.Dev.
// CalibrateTX) over the chip's TX→RX loopback on board b: it enters the
// loopback, starts a stream of configuration sc (OnHealth is not
// called: the transmitter is off throughout), runs the search, closes
// the stream and restores the receiver. SXT and SXR must be tuned and
// the stream clocks configured (ConfigureStream); the TX pad must be
// off, and stays off.
//
// On success the correctors found are loaded. On failure, and when the
// search left the leakage or the image worse than it found them and
// above CalBoundDBc, the neutral correctors are loaded and the error
// says why; the result still holds the figures measured.
func CalibrateTX(b *Board, lms *lms7002m.Dev, sc StreamConfig, o LoopbackOpts) (lms7002m.TXCalibration, error) {
	var res lms7002m.TXCalibration
	if err := sc.defaults(); err != nil {
		return res, err
	}
	sc.OnHealth = nil
	// A late TX packet or a lost RX packet on a busy host faults the
	// stream; the exchange is repeated. Nothing radiates here, so the
	// samples keep flowing while it is unhealthy, and a few URBs of
	// clean samples (not 0.1 s) make it healthy again for the next try.
	sc.TXWhileUnhealthy = true
	sc.RecoverSamples = min(sc.RecoverSamples, 2*sc.PacketsPerTransfer*sc.Format.SamplesPerPacket())
	l, err := StartLoopback(lms, sc.SampleRate, o)
	if err != nil {
		return res, neutral(lms, err)
	}
	st, err := NewStream(b, sc)
	if err != nil {
		return res, neutral(lms, errors.Join(err, l.Stop()))
	}
	l.Use(st)
	res, err = lms.CalibrateTX(l.Exchange)
	cerr := st.Close()
	if IsGone(cerr) || errors.Is(cerr, radio.ErrClosed) {
		cerr = nil
	}
	if err := errors.Join(err, cerr, l.Stop()); err != nil {
		return res, neutral(lms, err)
	}
	worse := func(before, after float64) bool { return after > before && after > CalBoundDBc }
	if worse(res.LeakBeforeDBc, res.LeakAfterDBc) || worse(res.ImageBeforeDBc, res.ImageAfterDBc) {
		return res, neutral(lms, fmt.Errorf("%w: leakage %.1f → %.1f dBc, image %.1f → %.1f dBc", ErrCalWorse,
			res.LeakBeforeDBc, res.LeakAfterDBc, res.ImageBeforeDBc, res.ImageAfterDBc))
	}
	return res, nil
}

// CalBoundDBc is the bring-up checklist's bound on the LO leakage and
// the image: a result below it is kept even when the chip was better
// uncorrected (the measurement's noise at that level).
const CalBoundDBc = -40

// neutral loads the neutral TX correctors after a failed calibration.
func neutral(lms *lms7002m.Dev, err error) error {
	return errors.Join(err,
		lms.SetIQCorrection(lms7002m.TX, lms7002m.IQCorrection{GainI: 1, GainQ: 1}),
		lms.SetTXDCCorrection(0, 0))
}
