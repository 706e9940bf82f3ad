package trx

import (
	"fmt"
	"math"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/rx"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// PhoneL1 is the layer above a phone's radio: the mobile's layer 1 and RR
// (gsm/ms.Phone implements it). Frame numbers are the radio's own
// count of downlink frames since it started; the layer above maps them to
// the cell's numbering once it has read the SCH. The radio calls all
// methods from its frame loop; none may block.
type PhoneL1 interface {
	// Listen fills plan for downlink frame fn; called once per frame,
	// before the frame is demodulated.
	Listen(fn tdma.FN, plan *phy.Plan)
	// Receive hands up one burst of a slot the plan asked for: KindFCCH
	// when the search found one (the radio has then aligned frame fn's
	// TN0 to it and corrected its carrier), KindSCH or KindNormal with
	// soft bits and measurements, KindNone when nothing was detected.
	// b is valid only during the call.
	Receive(b *tdma.RxBurst)
	// Frame fills the uplink bursts of frame fn (sent three timeslots
	// after downlink frame fn begins, less the timing advance, TS 45.010
	// §6); called once per frame, Lead frames ahead of the downlink.
	Frame(fn tdma.FN, out *[tdma.Slots]tdma.TxBurst) bool
	// TA returns the timing advance in use, in symbol periods (0..63).
	TA() uint8
}

// PhoneConfig configures a PhoneRadio.
type PhoneConfig struct {
	// Modulator is the GMSK plan (SPS a multiple of 4, default 4).
	Modulator gmsk.Config
	// Rx configures the burst receiver; SPS and BurstStart are set by the
	// radio. RSSIOffset calibrates its levels to dBm.
	Rx rx.Config
	// Lead is how many frames ahead of the downlink the uplink is written
	// (default 2). The simulated air needs at least one.
	Lead int
}

// PhoneStats counts what a phone's radio did.
type PhoneStats struct {
	Frames       uint64
	FCCHFound    uint64
	SCH, SCHMiss uint64
	Normal, Nope uint64
	TxBursts     uint64
	TimingSteps  uint64 // timing corrections applied, in whole samples
	// FreqHz is the carrier correction applied, Hz.
	FreqHz float64
	// Grid is where the radio's frame 0 starts on the stream (samples).
	Grid radio.Timestamp
}

// PhoneRadio is a mobile's transceiver on a radio.Stream (its endpoint on
// the simulated air): it reads the downlink a frame at a time, searches
// it for the FCCH when not synchronised (TS 45.002 §5.2.4, the carrier
// offset corrected from then on, TS 45.010 §6), demodulates the slots its
// PhoneL1 asks for at the synchronised timing (tracking the time of
// arrival and residual frequency offset of what it receives), and
// renders the uplink three timeslots after the downlink minus the timing
// advance, access bursts included. Step does not allocate.
type PhoneRadio struct {
	tx     *Transmitter
	dem    *rx.Demodulator
	sps    int
	sl, fl int
	lead   int
	margin int // samples either side of a slot window
	search int // samples before the frame searched for an FCCH

	grid radio.Timestamp // downlink frame 0 begins here
	fn   tdma.FN         // next downlink frame
	nco  *iq.NCO
	freq float64
	rate float64

	win  []complex64 // one frame with margins, or the FCCH search span
	slot []complex64 // one slot's window, carrier-corrected
	plan phy.Plan
	ul   [tdma.Slots]tdma.TxBurst
	rxb  tdma.RxBurst
	toa  float64 // ToA accumulated from normal bursts, symbols
	ntoa int

	stats PhoneStats
}

// NewPhoneRadio builds a phone's radio.
func NewPhoneRadio(cfg PhoneConfig) (*PhoneRadio, error) {
	tx, err := NewTransmitter(TxConfig{Modulator: cfg.Modulator})
	if err != nil {
		return nil, err
	}
	if cfg.Lead == 0 {
		cfg.Lead = 2
	}
	if cfg.Lead < 1 || cfg.Lead > 16 {
		return nil, fmt.Errorf("%w: uplink lead of %d frames", ErrConfig, cfg.Lead)
	}
	sps := tx.Modulator().SPS()
	if cfg.Rx.SPS == 0 {
		cfg.Rx.SPS = sps
	}
	if cfg.Rx.SPS != sps {
		return nil, fmt.Errorf("%w: receiver at %d sps, transmitter at %d", ErrConfig, cfg.Rx.SPS, sps)
	}
	margin := 8 * sps
	cfg.Rx.BurstStart = tx.Modulator().Lead() + margin
	dem, err := rx.NewDemodulator(cfg.Rx)
	if err != nil {
		return nil, fmt.Errorf("trx: %w", err)
	}
	p := &PhoneRadio{tx: tx, dem: dem, sps: sps, sl: tx.SlotLen(), fl: tx.FrameLen(), lead: cfg.Lead,
		margin: margin, search: 160 * sps, rate: tx.SampleRate()}
	p.nco = iq.NewNCO(0, p.rate)
	p.win = make([]complex64, max(p.fl+2*margin, p.fl+p.search))
	p.slot = make([]complex64, p.sl+2*margin)
	return p, nil
}

// Transmitter returns the uplink transmitter.
func (p *PhoneRadio) Transmitter() *Transmitter { return p.tx }

// Stats returns the counters.
func (p *PhoneRadio) Stats() PhoneStats {
	s := p.stats
	s.FreqHz, s.Grid = p.freq, p.grid
	return s
}

// FN returns the next downlink frame Step handles.
func (p *PhoneRadio) FN() tdma.FN { return p.fn }

// Step runs one frame: the uplink of frame FN()+Lead is rendered and
// written, then downlink frame FN() is read and the slots l1 asks for
// are demodulated and handed up.
func (p *PhoneRadio) Step(s radio.Stream, l1 PhoneL1) error {
	fn := p.fn
	// Uplink first: a read commits this endpoint's transmission up to
	// the end of what it reads.
	ufn := fn.Add(p.lead)
	if l1.Frame(ufn, &p.ul) {
		for i := range p.ul {
			if p.ul[i].Kind != tdma.KindNone {
				p.stats.TxBursts++
			}
		}
	}
	ta := int(min(l1.TA(), 63))
	p.tx.SetOffset(int(p.grid) + 3*p.sl - ta*p.sps)
	if _, err := p.tx.WriteFrame(s, ufn, &p.ul); err != nil {
		return err
	}

	l1.Listen(fn, &p.plan)
	p.stats.Frames++
	p.fn = fn.Add(1)
	start := p.grid + radio.Timestamp(int64(uint32(fn))*int64(p.fl))
	if p.plan.Slots[0] == phy.RxFCCH {
		return p.searchFCCH(s, l1, fn, start)
	}
	any := false
	for _, m := range p.plan.Slots {
		any = any || m != phy.RxOff
	}
	if !any {
		// Nothing to receive: an empty read at the frame's end tells the
		// stream how far this receiver has got (the simulated air then
		// neither waits for it nor computes samples nobody looks at).
		_, _, err := s.Read(p.win[:0], start+radio.Timestamp(p.fl))
		return err
	}
	w := p.win[:p.fl+2*p.margin]
	ws := start - radio.Timestamp(p.margin)
	if _, _, err := s.Read(w, ws); err != nil {
		return err
	}
	for tn, m := range p.plan.Slots {
		if m == phy.RxOff {
			continue
		}
		// Each slot is corrected on its own copy (the windows overlap);
		// the equaliser takes whatever phase the oscillator starts at.
		sw := p.slot[:p.sl+2*p.margin]
		copy(sw, w[tn*p.sl:])
		p.correct(sw)
		b := &p.rxb
		*b = tdma.RxBurst{FN: fn, TN: tdma.TN(tn), TSC: p.plan.TSC[tn]}
		var meas rx.Meas
		var ok bool
		switch m {
		case phy.RxSCH:
			if meas, ok = p.dem.SCH(&b.Soft, sw); ok {
				b.Kind = tdma.KindSCH
				p.stats.SCH++
				// The SCH's 64-bit training sequence gives a reliable
				// time of arrival: move the frame grid onto it.
				p.shift(float64(meas.ToA))
				p.freq += 0.5 * float64(meas.FreqOffset)
			} else {
				p.stats.SCHMiss++
			}
		case phy.RxNormal:
			if meas, ok = p.dem.Normal(&b.Soft, sw, p.plan.TSC[tn]&7); ok {
				b.Kind = tdma.KindNormal
				p.stats.Normal++
				p.track(meas)
			} else {
				p.stats.Nope++
			}
		}
		if ok {
			meas.Fill(b)
		} else {
			b.Soft = tdma.SoftBurst{}
			b.RSSI = meas.RSSI
		}
		l1.Receive(b)
	}
	return nil
}

// searchFCCH reads the frame with the span before it and looks for an
// FCCH burst; when found, frame fn's TN0 is aligned to it.
func (p *PhoneRadio) searchFCCH(s radio.Stream, l1 PhoneL1, fn tdma.FN, start radio.Timestamp) error {
	w := p.win[:p.fl+p.search]
	ws := start - radio.Timestamp(p.search)
	if _, _, err := s.Read(w, ws); err != nil {
		return err
	}
	p.correct(w)
	res, ok := p.dem.FCCH(w)
	if !ok {
		return nil
	}
	p.stats.FCCHFound++
	// Bit 0 of frame fn's TN0 burst is Lead() samples after the frame start.
	t := ws + radio.Timestamp(res.Start)
	p.grid = t - radio.Timestamp(p.tx.Modulator().Lead()) - radio.Timestamp(int64(uint32(fn))*int64(p.fl))
	p.freq += res.FreqOffset
	p.toa, p.ntoa = 0, 0
	b := &p.rxb
	*b = tdma.RxBurst{FN: fn, TN: 0, Kind: tdma.KindFCCH, RSSI: float32(res.RSSI), FreqOffset: float32(res.FreqOffset)}
	l1.Receive(b)
	return nil
}

// correct removes the estimated carrier offset from a window.
func (p *PhoneRadio) correct(w []complex64) {
	if p.freq == 0 {
		return
	}
	p.nco.SetFreq(-p.freq, p.rate)
	p.nco.SetPhase(0)
	p.nco.Mix(w, w)
}

// shift moves the frame grid by toa symbols (positive: the bursts arrive
// late, so the grid moves later).
func (p *PhoneRadio) shift(toa float64) {
	if math.IsNaN(toa) || math.IsInf(toa, 0) {
		return
	}
	n := int(math.Round(toa * float64(p.sps)))
	if n != 0 {
		p.grid += radio.Timestamp(n)
		p.stats.TimingSteps++
	}
}

// track follows the timing and frequency on normal bursts: the mean ToA
// over 8 bursts moves the grid by whole samples, and a fraction of the
// residual frequency offset is taken into the correction.
func (p *PhoneRadio) track(m rx.Meas) {
	if m.CI < 6 {
		return // too noisy to steer by
	}
	p.toa += float64(m.ToA)
	p.ntoa++
	if p.ntoa == 8 {
		mean := p.toa / 8
		if math.Abs(mean)*float64(p.sps) >= 1 {
			p.shift(mean)
		}
		p.toa, p.ntoa = 0, 0
	}
	if f := float64(m.FreqOffset); !math.IsNaN(f) && math.Abs(f) < 5000 {
		p.freq += 0.1 * f
	}
}
