package rx

import (
	"fmt"
	"math"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Config configures a Demodulator. The zero value (plus nothing) is a
// receiver at 4 samples per symbol with the transmitter's slot layout.
type Config struct {
	// Config is the modulation the bursts were sent with: the
	// transmitter's own gmsk.Config, so a receiver set up with it matches
	// its transmitter. The receiver takes SPS (samples per symbol, 1..16
	// here, default 4) and BT (0.2..1, default 0.3, TS 45.004 §2.6) for its
	// matched filter, and builds its reference sequences with the whole
	// plan.
	gmsk.Config
	// InputSPS is the rate, in samples per symbol, of the samples handed
	// to Normal, SCH and Access: SPS (the default) or 2·SPS, which a
	// half-band filter halves before the matched filter (decimate.go).
	// dsp/trx's cell can hand the transmitter's 4 sps to a receiver at
	// 2 (its TransceiverConfig.Rx.SPS): the matched filter then runs on
	// half the samples with half the taps, which saves about what the
	// decimator costs, and the sensitivity is within 0.1 dB
	// (TestSDCCHBLER2, BenchmarkBLERCurve's 2sps). FCCH takes samples at
	// SPS whatever InputSPS says (a phone's cell search does not
	// decimate).
	InputSPS int
	// BurstStart is the index, in the samples handed to Normal, SCH and
	// Access, where bit 0's symbol period of a burst arriving on time
	// (ToA 0) begins. The default is what dsp/trx's Transmitter.BurstStart
	// gives within a slot: gmsk.Modulator.Lead() for this SPS (10 at 4 sps),
	// so a slot's samples can be passed as they are. Pass a window starting
	// M samples earlier and set BurstStart to Lead()+M to see bursts that
	// arrive early. It counts input samples (InputSPS).
	BurstStart int
	// Search is how far, in symbols, a normal or synchronisation burst is
	// looked for either side of its nominal position (default 4).
	Search int
	// AccessEarly is how many symbols before the nominal position an access
	// burst is looked for (default 2); it is looked for up to 64 symbols
	// after it, the whole timing-advance range 0..63 (TS 45.010 §5.2).
	AccessEarly int
	// AccessThreshold is the normalised correlation (0..1) of the access
	// burst's synchronisation sequence above which a burst counts as
	// detected (default 0.5: no false alarm in 8000 slots of white or
	// band-limited noise, where the highest peak was 0.48, and every burst
	// detected at 3 dB Eb/N0; see TestAccessFalseAlarm, TestAccessToA).
	AccessThreshold float64
	// NormalThreshold is the normalised correlation (0..1) of the training
	// sequence above which a normal or synchronisation burst counts as
	// present (default 0.5). With NormalMinCI, pure noise passes about 1 %
	// of slots (TestNormalOnNoise): the 26-bit training sequence is a weak
	// detector, and the channel decoder's CRC is the real judge.
	NormalThreshold float64
	// NormalMinCI is the C/I (dB) at or above which a normal or
	// synchronisation burst counts as present even when its training
	// sequence correlates below NormalThreshold: multipath spreads the
	// correlation peak (an equal-power echo one symbol late halves it)
	// while the 5-tap channel estimate still fits. Default 0 dB; pure
	// noise reached 0.9 dB once in 600 slots, its 99th percentile −1.3 dB.
	NormalMinCI float64
	// RSSIOffset is added to the measured power in dBFS to give dBm: the
	// receive chain's calibration (gain and converter full scale).
	RSSIOffset float64
	// SoftScale maps log-likelihood ratios to soft bits: soft = LLR ×
	// SoftScale, clipped to ±127 (default 4, so an LLR of 32 saturates).
	SoftScale float64
	// NoWhitening feeds the equaliser the matched filter's samples as
	// they are, with their coloured noise (the receiver before issue 16),
	// instead of whitening them first; for comparison only.
	NoWhitening bool
	// NoReestimate keeps the channel estimate of the training sequence
	// alone instead of fitting it again over the whole burst with the
	// first pass's decisions; for comparison only.
	NoReestimate bool
	// NoFreqCorrection turns off the second equaliser pass that removes a
	// frequency offset estimated on the first.
	NoFreqCorrection bool
	// FullTrellis equalises every burst on the full 16-state trellis
	// instead of the shortest one its channel estimate allows (see
	// equaliser.shorten); for comparison only.
	FullTrellis bool
}

func (c Config) withDefaults() Config {
	c.Config = c.Config.WithDefaults()
	if c.InputSPS == 0 {
		c.InputSPS = c.SPS
	}
	if c.BurstStart == 0 && c.SPS >= 1 && c.SPS <= 16 && (c.InputSPS == c.SPS || c.InputSPS == 2*c.SPS) && c.Config.Validate() == nil {
		in := c.Config
		in.SPS = c.InputSPS
		c.BurstStart = gmsk.NewModulator(in).Lead()
	}
	if c.Search == 0 {
		c.Search = 4
	}
	if c.AccessEarly == 0 {
		c.AccessEarly = 2
	}
	if c.AccessThreshold == 0 {
		c.AccessThreshold = 0.5
	}
	if c.NormalThreshold == 0 {
		c.NormalThreshold = 0.5
	}
	if c.SoftScale == 0 {
		c.SoftScale = 4
	}
	return c
}

// Validate reports whether the configuration (after defaults) is usable.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.SPS < 1 || c.SPS > 16:
		return fmt.Errorf("%w: SPS %d outside 1..16", ErrConfig, c.SPS)
	case c.InputSPS != c.SPS && c.InputSPS != 2*c.SPS:
		return fmt.Errorf("%w: InputSPS %d is neither SPS %d nor twice it", ErrConfig, c.InputSPS, c.SPS)
	case !(c.BT >= 0.2 && c.BT <= 1):
		return fmt.Errorf("%w: BT %g outside 0.2..1", ErrConfig, c.BT)
	case c.BurstStart < 0:
		return fmt.Errorf("%w: BurstStart %d is negative", ErrConfig, c.BurstStart)
	case c.Search < 1 || c.Search > 64:
		return fmt.Errorf("%w: Search %d outside 1..64 symbols", ErrConfig, c.Search)
	case c.AccessEarly < 1 || c.AccessEarly > 16:
		return fmt.Errorf("%w: AccessEarly %d outside 1..16 symbols", ErrConfig, c.AccessEarly)
	case !(c.AccessThreshold > 0 && c.AccessThreshold < 1):
		return fmt.Errorf("%w: AccessThreshold %g outside (0, 1)", ErrConfig, c.AccessThreshold)
	case !(c.NormalThreshold > 0 && c.NormalThreshold < 1):
		return fmt.Errorf("%w: NormalThreshold %g outside (0, 1)", ErrConfig, c.NormalThreshold)
	case math.IsNaN(c.NormalMinCI) || math.IsInf(c.NormalMinCI, 0):
		return fmt.Errorf("%w: NormalMinCI %g", ErrConfig, c.NormalMinCI)
	case math.IsNaN(c.RSSIOffset) || math.IsInf(c.RSSIOffset, 0):
		return fmt.Errorf("%w: RSSIOffset %g", ErrConfig, c.RSSIOffset)
	case !(c.SoftScale > 0 && c.SoftScale <= 1000):
		return fmt.Errorf("%w: SoftScale %g outside (0, 1000]", ErrConfig, c.SoftScale)
	}
	if err := c.Config.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// Meas is what the receiver measured on one burst.
type Meas struct {
	// ToA is the time of arrival in symbol periods relative to the nominal
	// position (Config.BurstStart), positive late. For an access burst it is
	// the timing advance the phone needs (TS 45.010 §5.2), before rounding.
	ToA float32
	// RSSI is the mean power over the burst's useful part in dBm: dBFS
	// (|x| = 1 is 0 dBFS) plus Config.RSSIOffset.
	RSSI float32
	// CI is the carrier-to-interference-plus-noise ratio in dB, from the
	// residual of the training sequence against the channel estimate.
	CI float32
	// FreqOffset is the carrier frequency offset in Hz (received minus
	// nominal).
	FreqOffset float32
	// Corr is the peak normalised correlation (0..1) of the training or
	// synchronisation sequence; detection compares it with the threshold.
	Corr float32
}

// Fill copies the measurements into rb (RSSI, ToA, CI, FreqOffset); the
// caller sets FN, TN, Kind and TSC, and demodulates into rb.Soft.
func (m Meas) Fill(rb *tdma.RxBurst) {
	rb.RSSI, rb.ToA, rb.CI, rb.FreqOffset = m.RSSI, m.ToA, m.CI, m.FreqOffset
}

// TA returns the timing advance (0..63) that an access burst's time of
// arrival asks for, TS 45.010 §5.2: the ToA rounded to whole symbols.
func (m Meas) TA() uint8 {
	ta := math.Round(float64(m.ToA))
	switch {
	case !(ta > 0):
		return 0
	case ta > 63:
		return 63
	}
	return uint8(ta)
}

// Demodulator is a receive plan: build it once with NewDemodulator, then
// call Normal, SCH, Access or FCCH per burst. Those calls do not allocate.
// A Demodulator is not safe for concurrent use; give each receive loop its
// own.
type Demodulator struct {
	cfg    Config
	sps    int
	mf     []float32 // C0 matched filter, centred
	mfHalf int
	rate   float64 // sample rate
	ciGain float64 // dB: C/I after the matched filter minus Es/N0

	normal [8]*training
	sch    *training
	access *training

	// Scratch, sized at construction for the largest search.
	y    []complex64 // matched-filtered samples
	corr []float32   // |correlation|² per lag
	z    []complex64 // one sample per symbol, derotated: zraw[k] at z[k+zPad]
	zw   []complex64 // z whitened (Config.NoWhitening: z itself)
	wf   whitener
	eq   equaliser
	fcch fcchState
	hard [tdma.BurstBits]int8

	// The decimating front end (Config.InputSPS = 2·SPS): input sample
	// ph+2j becomes xd[j]; bs is BurstStart at the receiver's rate.
	decim bool
	ph    int
	bs    int
	xd    []complex64
}

// freqRetry is the residual frequency offset, in radians per symbol, above
// which the burst is equalised again with the offset removed: 0.002 is
// 86 Hz, 0.15 radian at the burst's ends.
const freqRetry = 0.002

// freqLarge is the offset, in radians per symbol, above which the burst is
// equalised again on the training's channel estimate before the decision-
// directed passes: 0.006 is 260 Hz, 0.44 radian at the burst's ends.
const freqLarge = 0.006

// cleanCI is the C/I (dB, referred to Es/N0 as Meas.CI) on the training
// sequence above which a burst is equalised once, on the training's
// channel estimate: the decision-directed passes gain at the sensitivity
// limit (a few dB), not at 12 dB, where the estimate's error is already
// 18 dB below the signal.
const cleanCI = 12

// refitChanged is how many decisions the first decision-directed pass may
// change, against the pass before it, for the burst to end there: the
// second fit would be made on nearly the same decisions. At 3 dB Eb/N0
// two thirds of the bursts change at most 2 (a fifth none), and SDCCH's
// raw bit error rate at 2 dB rises by about 1 % of itself (0.0519 instead
// of 0.0513; the 16-state receiver's was 0.0607).
const refitChanged = 2

// changed counts the positions where a and b differ.
func changed(a, b *[tdma.BurstBits]int8) int {
	n := 0
	for k := range a {
		if a[k] != b[k] {
			n++
		}
	}
	return n
}

// zPad is how many symbols before bit 0 the per-symbol samples start.
const zPad = 6

// NewDemodulator builds a receiver plan.
func NewDemodulator(cfg Config) (*Demodulator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	d := &Demodulator{cfg: cfg, sps: cfg.SPS, bs: cfg.BurstStart}
	d.rate = gmsk.SymbolRate * float64(cfg.SPS)
	d.mf = matchedFilter(cfg.BT, cfg.SPS)
	d.mfHalf = len(d.mf) / 2
	mod := gmsk.NewModulator(cfg.Config)
	for tsc := range d.normal {
		d.normal[tsc] = d.newTraining(mod, normalKnown(uint8(tsc)), tdma.BurstBits, tdma.NormalTSCStart, tdma.NormalTSCStart+tdma.TSCBits)
	}
	d.sch = d.newTraining(mod, schKnown(), tdma.BurstBits, tdma.SCHSyncStart, tdma.SCHSyncStart+tdma.SyncBits)
	d.access = d.newTraining(mod, accessKnown(), tdma.AccessBurstBits, 0, tdma.AccessDataStart)

	// The largest window: an access burst searched over its whole range,
	// or a normal burst searched ±Search.
	lagsA := (cfg.AccessEarly + 64) * d.sps
	lagsN := (2*cfg.Search + 1) * d.sps
	lags := max(lagsA, lagsN) + 1
	d.corr = make([]float32, lags)
	longest := 0
	for _, tr := range append(d.normal[:], d.sch, d.access) {
		longest = max(longest, len(tr.ref))
	}
	d.y = make([]complex64, lags+longest)
	d.z = make([]complex64, tdma.BurstBits+2*zPad)
	d.zw = make([]complex64, tdma.BurstBits+2*zPad)
	d.wf = newWhitener(d.mf, d.sps)
	d.eq.full = cfg.FullTrellis
	d.ciGain = d.mfGain(mod)
	d.fcch.init(d.sps, d.mf)
	if cfg.InputSPS != cfg.SPS {
		d.decim = true
		d.ph = cfg.BurstStart & 1
		d.bs = cfg.BurstStart >> 1
		// Far enough for the latest access burst, its symbols' samples
		// and the matched filter beyond them.
		reach := max(cfg.Search, 64) + tdma.BurstBits + zPad + 2
		d.xd = make([]complex64, d.bs+reach*d.sps+d.mfHalf+1)
	}
	return d, nil
}

// input returns the samples at the receiver's rate: samples themselves,
// or with Config.InputSPS = 2·SPS as many half-band-filtered, decimated
// samples as a burst search from the nominal position can reach.
// reach is the search's last lag, in symbols after the nominal position.
func (d *Demodulator) input(samples []complex64, reach int) []complex64 {
	if !d.decim {
		return samples
	}
	n := min(d.bs+(reach+tdma.BurstBits+zPad+2)*d.sps+d.mfHalf+1, len(d.xd), (len(samples)-d.ph+1)/2)
	xd := d.xd[:max(n, 0)]
	decimate2(xd, samples, d.ph)
	return xd
}

// Config returns the configuration with defaults filled in.
func (d *Demodulator) Config() Config { return d.cfg }

// SampleRate returns the expected input rate in samples per second
// (Config.InputSPS).
func (d *Demodulator) SampleRate() float64 {
	return d.rate * float64(d.cfg.InputSPS) / float64(d.sps)
}

// Normal detects and demodulates a normal burst with training sequence
// tsc (0..7, TS 45.002 §5.2.3) in samples, searching ±Config.Search symbols
// around Config.BurstStart. It writes 148 soft bits to dst (the tail and
// training positions hold their known values at full confidence) and
// returns the measurements; ok is false when the training sequence
// correlates below Config.NormalThreshold and the C/I is below
// Config.NormalMinCI, and dst then holds zeros (erasures). Only the low
// three bits of tsc are used. Samples outside the slice are taken as zero.
func (d *Demodulator) Normal(dst *tdma.SoftBurst, samples []complex64, tsc uint8) (m Meas, ok bool) {
	lo := d.bs - d.cfg.Search*d.sps
	hi := d.bs + d.cfg.Search*d.sps
	return d.burst(dst, d.input(samples, d.cfg.Search), d.normal[tsc&7], lo, hi, d.cfg.NormalThreshold, d.cfg.NormalMinCI)
}

// SCH detects and demodulates a synchronisation burst (TS 45.002 §5.2.5)
// like Normal does a normal burst: a phone calls it on the slot where its
// FCCH search said the SCH would be. The 78 coded bits are then
// tdma.SCHData(dst).
func (d *Demodulator) SCH(dst *tdma.SoftBurst, samples []complex64) (m Meas, ok bool) {
	lo := d.bs - d.cfg.Search*d.sps
	hi := d.bs + d.cfg.Search*d.sps
	return d.burst(dst, d.input(samples, d.cfg.Search), d.sch, lo, hi, d.cfg.NormalThreshold, d.cfg.NormalMinCI)
}

// Access detects an access burst (TS 45.002 §5.2.7, training sequence TS0)
// anywhere from Config.AccessEarly symbols before the nominal position to
// 64 symbols after it, and demodulates it. dst gets the 88 bits of the
// burst (the 36 coded bits are tdma.AccessData(dst)); positions 88..147 are
// zero. ok is false when the correlation peak is below
// Config.AccessThreshold. m.TA() is the timing advance to assign.
func (d *Demodulator) Access(dst *tdma.SoftBurst, samples []complex64) (m Meas, ok bool) {
	lo := d.bs - d.cfg.AccessEarly*d.sps
	hi := d.bs + 64*d.sps
	return d.burst(dst, d.input(samples, 64), d.access, lo, hi, d.cfg.AccessThreshold, math.Inf(1))
}

// filter writes the matched-filtered samples x⊛C0 for indices
// start … start+len(dst)−1 of x to dst, taking x as zero outside the slice.
func (d *Demodulator) filter(dst []complex64, x []complex64, start int) {
	for i := range dst {
		dst[i] = d.mfAt(x, start+i)
	}
}

// filterEvery writes the matched-filtered samples of x at indices start,
// start+xstep, … (n of them) to dst[0], dst[dstep], …, taking x as zero
// outside the slice. It is mfAt in a loop, without a call per sample on
// the default filter: the same sums in the same order.
func (d *Demodulator) filterEvery(dst []complex64, dstep int, x []complex64, start, xstep, n int) {
	if n <= 0 {
		return
	}
	mA, mB := 0, 0 // the outputs m in mA … mB−1 whose taps all fall inside x
	if len(d.mf) == 15 {
		mA = min(max(ceilDiv(7-start, xstep), 0), n)
		mB = min(max(ceilDiv(len(x)-7-start, xstep), mA), n)
	}
	for m := 0; m < mA; m++ {
		dst[m*dstep] = d.mfAt(x, start+m*xstep)
	}
	if mB > mA {
		t := (*[15]float32)(d.mf)
		_ = dst[(mB-1)*dstep]
		for m := mA; m < mB; m++ {
			c := start + m*xstep - 7
			xs := (*[15]complex64)(x[c : c+15])
			re0 := t[7]*real(xs[7]) + t[0]*(real(xs[0])+real(xs[14])) + t[2]*(real(xs[2])+real(xs[12])) + t[4]*(real(xs[4])+real(xs[10])) + t[6]*(real(xs[6])+real(xs[8]))
			re1 := t[1]*(real(xs[1])+real(xs[13])) + t[3]*(real(xs[3])+real(xs[11])) + t[5]*(real(xs[5])+real(xs[9]))
			im0 := t[7]*imag(xs[7]) + t[0]*(imag(xs[0])+imag(xs[14])) + t[2]*(imag(xs[2])+imag(xs[12])) + t[4]*(imag(xs[4])+imag(xs[10])) + t[6]*(imag(xs[6])+imag(xs[8]))
			im1 := t[1]*(imag(xs[1])+imag(xs[13])) + t[3]*(imag(xs[3])+imag(xs[11])) + t[5]*(imag(xs[5])+imag(xs[9]))
			dst[m*dstep] = complex(re0+re1, im0+im1)
		}
	}
	for m := max(mB, mA); m < n; m++ {
		dst[m*dstep] = d.mfAt(x, start+m*xstep)
	}
}

// mfAt returns the matched-filtered sample x⊛C0 at index i of x, taking x
// as zero outside the slice. C0 is symmetric, so the taps either side of
// the centre share a multiplication.
func (d *Demodulator) mfAt(x []complex64, i int) complex64 {
	h := d.mf
	half := d.mfHalf
	n := i - half // first input index
	if n < 0 || n+len(h) > len(x) {
		var acc complex64
		for k, c := range h {
			if j := n + k; j >= 0 && j < len(x) {
				acc += complex(c, 0) * x[j]
			}
		}
		return acc
	}
	if len(h) == 15 {
		// The filter at 4 sps and BT 0.3, the default: written out on
		// arrays (no loop, no bounds checks), in two chains each.
		t := (*[15]float32)(h)
		xs := (*[15]complex64)(x[n : n+15])
		re0 := t[7]*real(xs[7]) + t[0]*(real(xs[0])+real(xs[14])) + t[2]*(real(xs[2])+real(xs[12])) + t[4]*(real(xs[4])+real(xs[10])) + t[6]*(real(xs[6])+real(xs[8]))
		re1 := t[1]*(real(xs[1])+real(xs[13])) + t[3]*(real(xs[3])+real(xs[11])) + t[5]*(real(xs[5])+real(xs[9]))
		im0 := t[7]*imag(xs[7]) + t[0]*(imag(xs[0])+imag(xs[14])) + t[2]*(imag(xs[2])+imag(xs[12])) + t[4]*(imag(xs[4])+imag(xs[10])) + t[6]*(imag(xs[6])+imag(xs[8]))
		im1 := t[1]*(imag(xs[1])+imag(xs[13])) + t[3]*(imag(xs[3])+imag(xs[11])) + t[5]*(imag(xs[5])+imag(xs[9]))
		return complex(re0+re1, im0+im1)
	}
	xs := x[n : n+len(h)]
	c := xs[half]
	// Two sums each for the real and imaginary parts, taps taken in
	// pairs, so that the additions do not wait on each other.
	re, im := h[half]*real(c), h[half]*imag(c)
	var re1, im1 float32
	k := 0
	for ; k+1 < half; k += 2 {
		a0, b0 := xs[k], xs[len(xs)-1-k]
		a1, b1 := xs[k+1], xs[len(xs)-2-k]
		t0, t1 := h[k], h[k+1]
		re += t0 * (real(a0) + real(b0))
		im += t0 * (imag(a0) + imag(b0))
		re1 += t1 * (real(a1) + real(b1))
		im1 += t1 * (imag(a1) + imag(b1))
	}
	if k < half {
		a, b := xs[k], xs[len(xs)-1-k]
		re += h[k] * (real(a) + real(b))
		im += h[k] * (imag(a) + imag(b))
	}
	return complex(re+re1, im+im1)
}

// burst runs detection, channel estimation and equalisation for one burst
// whose bit 0 starts somewhere in samples lo … hi. The burst is there when
// its normalised correlation reaches threshold or, failing that, when the
// equalised burst's C/I reaches minCI.
func (d *Demodulator) burst(dst *tdma.SoftBurst, x []complex64, tr *training, lo, hi int, threshold, minCI float64) (m Meas, ok bool) {
	clear(dst[:])
	sps := d.sps
	// Matched-filtered samples over every lag's reference window: first
	// those on the coarse grid (every half symbol), the rest only where
	// the fine search needs them.
	nl := hi - lo + 1
	yStart := lo + tr.refOff
	y := d.y[:nl-1+len(tr.ref)]
	step := max(sps/2, 1)
	d.filterEvery(y, step, x, yStart, step, (len(y)+step-1)/step)

	// Correlate against the reference: first every half symbol (the main
	// lobe of the filtered correlation is about two symbols wide, so the
	// grid lands within a quarter symbol of the peak) on one sample per
	// symbol. Above 2 sps the timing is then the vertex of a parabola
	// through the grid's peak and its two neighbours, rounded to the
	// nearest sample: no outputs are filtered for the lags between (the
	// symbols of an off-grid timing are filtered below anyway); at 1 or
	// 2 sps the three lags around the grid's peak on every sample.
	corr := d.corr[:nl]
	best, bestP := float32(-1), -1
	cstep := step * (sps / step) // about a symbol, on the grid
	for i := 0; i < nl; i += step {
		corr[i] = correlate(y[i:], tr.ref, cstep)
		if corr[i] > best {
			best, bestP = corr[i], i
		}
	}
	fineLo, fineHi := 0, 0 // y[fineLo:fineHi] is wholly filtered
	gridFrac, gridStep := 0.0, 1
	if bestP >= 0 && step > 1 {
		// The peak between the grid's lags: a parabola through the best
		// and its two neighbours on the grid, on the square roots as
		// below (TestAccessToA: RMS error 0.02 symbol without noise,
		// 0.09 at 3 dB Eb/N0).
		gridStep = step
		if bestP-step >= 0 && bestP+step < nl {
			a, b, c := math.Sqrt(float64(corr[bestP-step])), math.Sqrt(float64(best)), math.Sqrt(float64(corr[bestP+step]))
			if den := a - 2*b + c; den < 0 {
				gridFrac = min(max(0.5*(a-c)/den, -0.5), 0.5)
			}
		}
	} else if bestP >= 0 {
		// One sample per symbol or two: every sample is filtered; the
		// three lags around the grid's peak on all of them.
		best = -1
		fineLo, fineHi = 0, len(y)
		rlo, rhi := max(bestP-1, 0), min(bestP+1, nl-1)
		for i := rlo; i <= rhi; i++ {
			corr[i] = correlate(y[i:], tr.ref, 1)
			if corr[i] > best {
				best, bestP = corr[i], i
			}
		}
		for _, i := range [2]int{bestP - 1, bestP + 1} {
			if i >= 0 && i < nl && (i < rlo || i > rhi) {
				corr[i] = correlate(y[i:], tr.ref, 1)
			}
		}
	}
	if bestP < 0 || !(best > 0) || math.IsInf(float64(best), 0) {
		return m, false
	}
	// Normalised correlation at the peak, on the samples the peak's
	// correlation saw (above 2 sps the search filtered only those).
	var e float64
	es := 1
	if step > 1 {
		es = cstep
	}
	yw := y[bestP:][:len(tr.ref)]
	for k := 0; k < len(yw); k += es {
		v := yw[k]
		e += float64(real(v))*float64(real(v)) + float64(imag(v))*float64(imag(v))
	}
	e *= float64(es)
	rho := float64(best) / (e * tr.refEnergy)
	if !(rho >= 0) || math.IsInf(rho, 0) {
		return m, false
	}
	m.Corr = float32(min(rho, 1))
	p := lo + bestP // bit 0 starts here, to the nearest sample
	frac := 0.0
	if gridStep > 1 {
		off := int(math.Round(gridFrac * float64(gridStep)))
		p += off
		frac = gridFrac*float64(gridStep) - float64(off)
	} else if bestP > 0 && bestP < nl-1 {
		a, b, c := math.Sqrt(float64(corr[bestP-1])), math.Sqrt(float64(best)), math.Sqrt(float64(corr[bestP+1]))
		if den := a - 2*b + c; den < 0 {
			frac = 0.5 * (a - c) / den
		}
	}
	m.ToA = float32((float64(p-d.bs) + frac) / float64(sps))
	m.RSSI = float32(d.rssi(x, p, tr.nbits) + d.cfg.RSSIOffset)
	// Below a third of the threshold nothing is worth equalising.
	if rho < threshold && (math.IsInf(minCI, 1) || rho < threshold/3) {
		return m, false
	}

	// One derotated sample per symbol at each symbol's C0 peak, (k+1)·T
	// after bit 0's start (dsp/gmsk's timing, Laurent's pulse centre).
	z := d.z[:tr.nbits+2*zPad]
	// Around the training sequence the search has filtered them already.
	// Whether a position is on the coarse grid is the same for every
	// symbol when the grid divides the symbol (no division per sample).
	varies := sps%step != 0
	onGrid := !varies && (p+sps-yStart)%step == 0
	if varies {
		for i := range z {
			k := i - zPad
			pos := p + (k+1)*sps
			var v complex64
			if j := pos - yStart; j >= fineLo && j < fineHi || j >= 0 && j < len(y) && j%step == 0 {
				v = y[j]
			} else {
				v = d.mfAt(x, pos)
			}
			z[i] = derotate(v, k)
		}
	} else {
		// The symbols whose samples y holds are one run: i in iA … iB−1.
		jLo, jHi := fineLo, fineHi
		if onGrid {
			jLo, jHi = 0, len(y)
		}
		pos0 := p + (1-zPad)*sps // z[0]'s sample
		j0 := pos0 - yStart
		iA, iB := 0, 0
		if jHi > jLo {
			iA = min(max(ceilDiv(jLo-j0, sps), 0), len(z))
			iB = min(max(ceilDiv(jHi-j0, sps), iA), len(z))
		}
		d.filterEvery(z, 1, x, pos0, sps, iA)
		for i := iA; i < iB; i++ {
			z[i] = y[j0+i*sps]
		}
		d.filterEvery(z[iB:], 1, x, pos0+iB*sps, sps, len(z)-iB)
		for i := range z {
			z[i] = derotate(z[i], i-zPad)
		}
	}

	// Equalise; while the residual frequency offset is large, remove it and
	// equalise again (at most three times more), measuring over a span that
	// widens as the decisions get better.
	if !d.cfg.NoWhitening {
		zw := d.zw[:len(z)]
		d.wf.apply(zw, z)
		z = zw
	}
	// Passes whose decisions only feed the next one run without soft
	// output; the last pass gives the soft bits.
	// A clean burst (C/I on the training at least cleanCI) gets soft
	// output at once, and no more passes unless its carrier is off.
	soft := d.eq.ref != nil // the reference trellis: soft on every pass
	softAbove := math.Inf(1)
	if !d.cfg.NoReestimate {
		softAbove = cleanCI + d.ciGain
	}
	q, ok := d.eq.run(&d.hard, dst, z, tr, d.cfg.SoftScale, 0, soft, softAbove)
	if !ok {
		clear(dst[:])
		return m, false
	}
	freq := 0.0
	clean := false
	if q.ci >= softAbove {
		f := d.eq.freqSlope(&d.hard, tr, tdma.BurstBits, false)
		if clean = d.cfg.NoFreqCorrection || math.Abs(f) < freqRetry; clean {
			freq = f
		}
	}
	spans := [...]int{24, 48, tdma.BurstBits, tdma.BurstBits}
	if d.cfg.NoReestimate {
		// Before issue 16: equalise again until the offset is small.
		for pass := 0; ; pass++ {
			f := d.eq.freqSlope(&d.hard, tr, spans[pass], false)
			if d.cfg.NoFreqCorrection || math.Abs(f) < freqRetry || pass == len(spans)-1 {
				if spans[pass] != tdma.BurstBits {
					f = d.eq.freqSlope(&d.hard, tr, tdma.BurstBits, false)
				}
				freq += f
				break
			}
			freq += f
			q2, ok2 := d.eq.run(&d.hard, dst, z, tr, d.cfg.SoftScale, freq, soft, math.Inf(1))
			if !ok2 {
				break
			}
			q = q2
		}
		if !soft {
			d.eq.finish(&d.hard, dst, tr, d.cfg.SoftScale)
		}
	} else if !clean {
		// Large offsets first, on the training's estimate and a widening
		// span; then two passes that fit the channel over the whole burst
		// on the last decisions, each removing the offset those decisions
		// measure, the last with soft output.
		for pass := 0; pass < len(spans)-1 && !d.cfg.NoFreqCorrection; pass++ {
			f := d.eq.freqSlope(&d.hard, tr, spans[pass], false)
			if math.Abs(f) < freqLarge {
				break
			}
			freq += f
			q2, ok2 := d.eq.run(&d.hard, dst, z, tr, d.cfg.SoftScale, freq, soft, math.Inf(1))
			if !ok2 {
				break
			}
			q = q2
		}
		for i := range 2 {
			if !d.cfg.NoFreqCorrection {
				if f := d.eq.freqSlope(&d.hard, tr, tdma.BurstBits, true); math.Abs(f) >= freqRetry {
					freq += f
					d.eq.retune(tr, freq)
				}
			}
			prev := d.hard
			if !d.eq.reestimate(&d.hard, dst, tr, d.cfg.SoftScale, true) && !soft {
				d.eq.finish(&d.hard, dst, tr, d.cfg.SoftScale)
			}
			if i == 0 && changed(&prev, &d.hard) <= refitChanged {
				break
			}
		}
		if !d.cfg.NoFreqCorrection {
			freq += d.eq.freqSlope(&d.hard, tr, tdma.BurstBits, true)
		}
	}
	fo := freq * d.rate / float64(sps) / (2 * math.Pi) // rad/symbol → Hz
	m.FreqOffset = float32(fo)
	m.CI = float32(q.ci - d.ciGain)
	if rho < threshold && !(float64(m.CI) >= minCI) {
		clear(dst[:])
		return m, false
	}
	return m, true
}

// Symbols writes the last burst's symbols as the equaliser saw them to
// dst: its whitened, frequency-corrected samples with the intersymbol
// interference of the other channel taps taken away (on its decisions)
// and divided by the strongest tap, so that each is its symbol, ±1, plus
// noise. Two clouds on the real axis, spread by noise and turned or
// smeared by what the receiver could not model: a console's
// constellation picture. It is meaningful after Normal or SCH returned
// ok, and does not allocate.
func (d *Demodulator) Symbols(dst *[tdma.BurstBits]complex64) {
	d.eq.symbols(dst, &d.hard)
}

// ceilDiv returns ⌈a/b⌉ for b > 0.
func ceilDiv(a, b int) int {
	if a >= 0 {
		return (a + b - 1) / b
	}
	return -(-a / b)
}

// correlate returns |Σ y(k)·conj(ref(k))|² over every step-th k, scaled
// by step.
func correlate(y, ref []complex64, step int) float32 {
	y = y[:len(ref)]
	var re, im float32
	for k := 0; k < len(ref); k += step {
		v, r := y[k], ref[k]
		re += real(v)*real(r) + imag(v)*imag(r)
		im += imag(v)*real(r) - real(v)*imag(r)
	}
	s := float32(step)
	return re*re*s*s + im*im*s*s
}

// rssi returns the mean power in dBFS of the nbits symbols from sample p on.
func (d *Demodulator) rssi(x []complex64, p, nbits int) float64 {
	lo, hi := max(p, 0), min(p+nbits*d.sps, len(x))
	// Every other sample above 2 sps (the signal is band-limited well
	// inside half the rate), in two float32 sums: 296 samples at 4 sps
	// lose nothing that matters to a figure given in tenths of a dB.
	stride := 1
	if d.sps > 2 {
		stride = 2
	}
	var e0, e1 float32
	n := 0
	xs := x[min(lo, hi):hi]
	for i := 0; i+stride < len(xs); i += 2 * stride {
		a, b := xs[i], xs[i+stride]
		e0 += real(a)*real(a) + imag(a)*imag(a)
		e1 += real(b)*real(b) + imag(b)*imag(b)
		n += 2
	}
	e := float64(e0) + float64(e1)
	if !(e > 0) || math.IsInf(e, 0) || n == 0 {
		return -200
	}
	// The mean over the samples taken, over the burst's nominal length
	// (samples outside the slice count as zero).
	return max(10*math.Log10(e/float64(n)*float64(hi-lo)/float64(nbits*d.sps)), -200)
}

// mfGain returns, in dB, how much the matched filter sampled once per symbol
// raises the signal-to-noise ratio of white noise over that of the input
// at one sample per symbol (Es/N0): the equaliser's C/I is reported
// referred to Es/N0, so that it reads the same at any SPS.
func (d *Demodulator) mfGain(mod *gmsk.Modulator) float64 {
	const n = 512
	bits := make([]byte, n)
	lfsr := uint16(0xACE1)
	for i := range bits {
		bit := (lfsr ^ lfsr>>2 ^ lfsr>>3 ^ lfsr>>5) & 1
		lfsr = lfsr>>1 | bit<<15
		bits[i] = byte(bit)
	}
	x := make([]complex64, n*d.sps)
	mod.ModulateBits(x, bits)
	y := make([]complex64, len(x))
	d.filter(y, x, 0)
	z := make([]complex64, n)
	for k := range z {
		// Derotated as burst does, which the whitener expects.
		z[k] = derotate(y[min((k+1)*d.sps, len(y)-1)], k)
	}
	if !d.cfg.NoWhitening {
		d.wf.apply(z, z)
	}
	var px, py float64
	for k := 16; k < n-16; k++ {
		v := z[k]
		py += float64(real(v)*real(v) + imag(v)*imag(v))
		px += 1
	}
	// Noise through the unit-energy filter keeps its per-sample variance,
	// sps times the variance at one sample per symbol for the same N0.
	return 10 * math.Log10(py/px/float64(d.sps))
}

// derotate returns v·(−j)^k.
func derotate(v complex64, k int) complex64 {
	switch k & 3 {
	case 1:
		return complex(imag(v), -real(v))
	case 2:
		return -v
	case 3:
		return complex(-imag(v), real(v))
	}
	return v
}
