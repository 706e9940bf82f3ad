package trx

import (
	"fmt"
	"math"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// TxConfig configures a Transmitter.
type TxConfig struct {
	// Modulator is the GMSK plan; its SPS must be a multiple of 4 (default
	// 4) so that a timeslot is a whole number of samples.
	Modulator gmsk.Config
	// FN0 and TS0 anchor the TDMA clock: frame FN0 starts at sample TS0.
	FN0 tdma.FN
	TS0 radio.Timestamp
	// Offset shifts every frame by this many samples (a mobile's
	// transmitter: three timeslots after the downlink minus its timing
	// advance, TS 45.010 §6). Zero for a base station.
	Offset int
}

// Transmitter renders TDMA frames of downlink (or, for a mobile, uplink)
// bursts into samples. Build one per radio channel; it is not safe for
// concurrent use (the TX loop owns it).
type Transmitter struct {
	mod      *gmsk.Modulator
	sps      int
	slotLen  int
	frameLen int
	clock    Clock
	offset   int
	att      [256]float32
	frame    []complex64
}

// NewTransmitter builds a transmitter.
func NewTransmitter(cfg TxConfig) (*Transmitter, error) {
	if err := cfg.Modulator.Validate(); err != nil {
		return nil, fmt.Errorf("trx: %w", err)
	}
	mod := gmsk.NewModulator(cfg.Modulator)
	sps := mod.SPS()
	if sps%4 != 0 {
		return nil, fmt.Errorf("%w: %d samples per symbol is not a multiple of 4", ErrConfig, sps)
	}
	t := &Transmitter{mod: mod, sps: sps, slotLen: sps * tdma.QuarterSymbolsPerSlot / 4, offset: cfg.Offset}
	t.frameLen = 8 * t.slotLen
	if mod.MaxLen() > t.slotLen {
		return nil, fmt.Errorf("%w: burst of %d samples does not fit a %d-sample slot", ErrConfig, mod.MaxLen(), t.slotLen)
	}
	t.clock = NewClock(t.frameLen, cfg.FN0, cfg.TS0)
	for a := range t.att {
		t.att[a] = float32(math.Pow(10, -float64(a)/20))
	}
	t.frame = make([]complex64, t.frameLen)
	return t, nil
}

// Modulator returns the transmitter's modulator.
func (t *Transmitter) Modulator() *gmsk.Modulator { return t.mod }

// SampleRate returns the output rate in samples per second.
func (t *Transmitter) SampleRate() float64 { return t.mod.SampleRate() }

// FrameLen returns the samples per TDMA frame (5000 at 4 sps).
func (t *Transmitter) FrameLen() int { return t.frameLen }

// SlotLen returns the samples per timeslot (625 at 4 sps).
func (t *Transmitter) SlotLen() int { return t.slotLen }

// BurstStart returns the offset within a frame of bit 0 of timeslot tn.
func (t *Transmitter) BurstStart(tn tdma.TN) int { return int(tn)*t.slotLen + t.mod.Lead() }

// Clock returns the transmitter's TDMA clock.
func (t *Transmitter) Clock() *Clock { return &t.clock }

// SetOffset changes the frame offset in samples (a mobile's timing
// advance changed). Frames already written are not moved.
func (t *Transmitter) SetOffset(samples int) { t.offset = samples }

// Timestamp returns the stream timestamp at which frame fn is written:
// the clock's frame start plus the offset.
func (t *Transmitter) Timestamp(fn tdma.FN) radio.Timestamp {
	return t.clock.Timestamp(fn) + radio.Timestamp(t.offset)
}

// RenderFrame writes the FrameLen samples of frame fn to dst and returns
// the timestamp they belong at. bursts[tn] is the burst for timeslot tn;
// its FN and TN fields are not consulted. A KindNone slot is silent; every
// other burst is ramped up and down inside its slot and attenuated by its
// Att dB. It does not allocate.
func (t *Transmitter) RenderFrame(dst []complex64, fn tdma.FN, bursts *[tdma.Slots]tdma.TxBurst) radio.Timestamp {
	dst = dst[:t.frameLen]
	for tn := range bursts {
		b := &bursts[tn]
		slot := dst[tn*t.slotLen : (tn+1)*t.slotLen]
		if b.Kind == tdma.KindNone {
			clear(slot)
			continue
		}
		n := t.mod.ModulateBurst(slot, &b.Bits, b.Kind)
		clear(slot[n:])
		if b.Att != 0 {
			g := complex(t.att[b.Att], 0)
			for i := range slot[:n] {
				slot[i] *= g
			}
		}
	}
	return t.Timestamp(fn)
}

// WriteFrame renders frame fn into the transmitter's own buffer and writes
// it to s at its timestamp, returning the stream's flags. The TX loop calls
// it once per frame, a few frames ahead of the receive side.
func (t *Transmitter) WriteFrame(s radio.Stream, fn tdma.FN, bursts *[tdma.Slots]tdma.TxBurst) (radio.Flags, error) {
	ts := t.RenderFrame(t.frame, fn, bursts)
	_, f, err := s.Write(t.frame, ts)
	if err != nil {
		return f, fmt.Errorf("trx: writing %v at %d: %w", fn, ts, err)
	}
	return f, nil
}
