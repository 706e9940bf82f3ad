package rx

import (
	"math"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
)

// fcchWindow is the length, in symbols, of the window over which the tone
// is measured: shorter than the 148-symbol burst so that a whole window
// fits inside it with room for ramps and misalignment.
const fcchWindow = 128

// FCCHThreshold is the tone purity (0..1) above which FCCH reports a
// frequency correction burst. On noise the purity is about 0.1; a clean
// FCCH gives 1.
const FCCHThreshold = 0.5

// fcchLag is the lag, in symbols, of the products whose mean rotation
// measures the tone: 4 symbols is beyond the span of the matched filter's
// autocorrelation, so filtered noise adds no bias, and the nominal tone
// turns by exactly 2π over it, which leaves ±Rs/8 (±33.9 kHz) unambiguous.
const fcchLag = 4

// fcchFine is how many symbols of the burst's middle the fine frequency
// estimate uses.
const fcchFine = 136

// fcchMaxOffset bounds the carrier offset FCCH accepts, in Hz: a phone's
// uncalibrated crystal is within a few ppm (at 1.9 GHz, 10 ppm is 19 kHz).
const fcchMaxOffset = 25000

// FCCHResult is a frequency correction burst found by FCCH.
type FCCHResult struct {
	// Start is the sample index where the burst's bit 0 begins, to within
	// a symbol at good SNR and three at 3 dB Eb/N0; the SCH follows one
	// TDMA frame later on the same timeslot (TS 45.002 §6.3.1.3).
	Start int
	// FreqOffset is the carrier frequency offset in Hz: the tone's
	// frequency minus the nominal 1625000/24 Hz (TS 45.004 §2.6, an
	// all-zero burst turns the phase by +π/2 per symbol).
	FreqOffset float64
	// Purity is the tone purity (0..1) at the best position: the magnitude
	// of the mean four-symbol phase rotation over the mean power.
	Purity float64
	// RSSI is the burst's power in dBm (dBFS plus Config.RSSIOffset).
	RSSI float64
}

type fcchState struct {
	// taps is the matched filter shifted up to the tone: C0 modulated by
	// exp(jπ/2·t/T), so the tone passes at the filter's peak.
	taps []complex64
	sps  int
	w    int          // window in samples
	yr   []complex64  // ring of the last sps+1 filtered samples
	ur   []complex128 // last w lag products
	er   []float64    // last w powers
	er2  []float64    // last w powers lag samples earlier
	buf  []complex64  // the burst's filtered samples, for the fine estimate
}

func (f *fcchState) init(sps int, mf []float32) {
	f.sps = sps
	half := len(mf) / 2
	f.taps = make([]complex64, len(mf))
	for i, c := range mf {
		s, co := math.Sincos(math.Pi / 2 * float64(i-half) / float64(sps))
		f.taps[i] = complex(c*float32(co), c*float32(s))
	}
	f.w = fcchWindow * sps
	f.yr = make([]complex64, fcchLag*sps+1)
	f.ur = make([]complex128, f.w)
	f.er = make([]float64, f.w)
	f.er2 = make([]float64, f.w)
	f.buf = make([]complex64, fcchFine*sps)
}

// FCCH looks for a frequency correction burst (TS 45.002 §5.2.4: 148 zero
// bits, which GMSK turns into a tone at a quarter of the symbol rate above
// the carrier) anywhere in samples, as a phone's cell search does on
// about 11 frames of one carrier. It slides a 128-symbol window over the
// tone-filtered samples, measures how pure a tone the window holds
// (the mean rotation over four symbols against the mean power) and returns
// the best position when its purity is at least FCCHThreshold and its
// frequency within 25 kHz of the nominal tone. It does not allocate.
func (d *Demodulator) FCCH(samples []complex64) (FCCHResult, bool) {
	f := &d.fcch
	var res FCCHResult
	if len(samples) < f.w+fcchLag*f.sps {
		return res, false
	}
	// A floor under the window energy, a hundredth of the buffer's mean:
	// windows of near silence must not look pure.
	var mean float64
	for _, v := range samples {
		mean += float64(real(v))*float64(real(v)) + float64(imag(v))*float64(imag(v))
	}
	mean /= float64(len(samples))
	if !(mean > 0) || math.IsInf(mean, 0) {
		return res, false
	}
	floor := 0.01 * mean * float64(f.w)
	// Pass 1: the best purity, and the strongest rotation among windows
	// pure enough. Pass 2: near the best window, the span of windows whose
	// rotation is within 5 % of the strongest (wholly inside the burst);
	// its centre is the window centred on the burst.
	best, bestEnd, bestRot, maxS := -1.0, -1, complex128(0), 0.0
	f.scan(d, samples, func(end int, s complex128, e float64) {
		abs := math.Hypot(real(s), imag(s))
		p := abs / (e + floor)
		if p > best {
			best, bestEnd, bestRot = p, end, s
		}
		if p >= FCCHThreshold && abs > maxS {
			maxS = abs
		}
	})
	if !(best >= FCCHThreshold) || math.IsInf(best, 0) {
		res.Purity = max(best, 0)
		return res, false
	}
	first, last := -1, -1
	reach := 148 * d.sps
	f.scan(d, samples, func(end int, s complex128, e float64) {
		if end < bestEnd-reach || end > bestEnd+reach {
			return
		}
		abs := math.Hypot(real(s), imag(s))
		if abs >= 0.95*maxS && abs/(e+floor) >= FCCHThreshold {
			if first < 0 {
				first = end
			}
			last = end
		}
	})
	if first < 0 { // cannot happen with finite input; be safe
		first, last = bestEnd, bestEnd
	}
	res.FreqOffset = math.Atan2(imag(bestRot), real(bestRot)) * gmsk.SymbolRate / (2 * math.Pi * fcchLag)
	res.Purity = min(best, 1)
	if math.Abs(res.FreqOffset) > fcchMaxOffset {
		return res, false
	}
	// The lag products of a window ending at sample n span samples
	// n−w+1−lag … n; centred on the burst, that span starts
	// (148·sps − w − lag)/2 samples after bit 0. The tone itself starts
	// at bit 1 (bit 0 follows the modulator's dummy 1 bit, TS 45.004 §2.4,
	// and turns the other way), half a symbol of bias taken off here.
	lag := fcchLag * d.sps
	centreEnd := (first + last) / 2
	res.Start = centreEnd - f.w + 1 - lag - (148*d.sps-f.w-lag)/2 - d.sps/2
	res.FreqOffset += f.fine(samples, res.Start, res.FreqOffset)
	res.RSSI = d.rssi(samples, res.Start, 148) + d.cfg.RSSIOffset
	return res, true
}

// scan calls fn for every window end with the window's sum of one-symbol
// lag products and its energy.
func (f *fcchState) scan(d *Demodulator, x []complex64, fn func(end int, s complex128, e float64)) {
	clear(f.yr)
	clear(f.ur)
	clear(f.er)
	clear(f.er2)
	var s complex128
	var e, e2 float64
	lag := fcchLag * f.sps
	h := f.taps
	half := len(h) / 2
	for n := range x {
		var yn complex64
		if j0 := n - half; j0 >= 0 && j0+len(h) <= len(x) {
			// Convolution: tap k meets x[n+half−k].
			for k, c := range h {
				yn += c * x[n+half-k]
			}
		} else {
			for k, c := range h {
				if j := n + half - k; j >= 0 && j < len(x) {
					yn += c * x[j]
				}
			}
		}
		f.yr[n%(lag+1)] = yn
		var u complex128
		var pw2 float64
		if n >= lag {
			p := f.yr[(n-lag)%(lag+1)]
			u = complex128(yn) * complex(float64(real(p)), -float64(imag(p)))
			pw2 = float64(real(p))*float64(real(p)) + float64(imag(p))*float64(imag(p))
		}
		pw := float64(real(yn))*float64(real(yn)) + float64(imag(yn))*float64(imag(yn))
		i := n % f.w
		s += u - f.ur[i]
		e += pw - f.er[i]
		e2 += pw2 - f.er2[i]
		f.ur[i], f.er[i], f.er2[i] = u, pw, pw2
		if n >= f.w+lag-1 {
			// By Cauchy-Schwarz |s| ≤ √(e·e2) ≤ (e+e2)/2.
			fn(n, s, (e+e2)/2)
		}
	}
}

// fine refines a coarse frequency offset (Hz) on the burst starting at
// sample start: the tone-filtered samples of the burst's middle are
// derotated by the nominal tone plus the coarse offset, and the residual
// phase is fitted to a line over blocks of 8 symbols. It returns the
// correction in Hz.
func (f *fcchState) fine(x []complex64, start int, coarse float64) float64 {
	sps := f.sps
	h := f.taps
	half := len(h) / 2
	first := start + (148-fcchFine)/2*sps
	rate := gmsk.SymbolRate * float64(sps)
	w := 2 * math.Pi * (gmsk.SymbolRate/4 + coarse) / rate // rad per sample
	for i := range f.buf {
		n := first + i
		var yn complex64
		for k, c := range h {
			if j := n + half - k; j >= 0 && j < len(x) {
				yn += c * x[j]
			}
		}
		sn, cs := math.Sincos(-w * float64(i))
		f.buf[i] = yn * complex(float32(cs), float32(sn))
	}
	const blk = 8
	nb := fcchFine / blk
	var ref complex128
	for i := 0; i < blk*sps; i++ {
		ref += complex128(f.buf[(nb/2)*blk*sps+i])
	}
	if ref == 0 {
		return 0
	}
	var num, den float64
	for b := 0; b < nb; b++ {
		var p complex128
		for _, v := range f.buf[b*blk*sps : (b+1)*blk*sps] {
			p += complex128(v)
		}
		p *= complex(real(ref), -imag(ref))
		dt := float64((b - nb/2) * blk) // symbols
		num += math.Atan2(imag(p), real(p)) * dt
		den += dt * dt
	}
	return num / den * gmsk.SymbolRate / (2 * math.Pi)
}
