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

// fcchMaxOffset bounds the carrier offset FCCH accepts, in Hz: a phone's
// uncalibrated crystal is within a few ppm (at 1.9 GHz, 10 ppm is 19 kHz).
const fcchMaxOffset = 25000

// FCCHResult is a frequency correction burst found by FCCH.
type FCCHResult struct {
	// Start is the sample index where the burst's bit 0 begins, to within
	// a symbol or two; the SCH follows one TDMA frame later
	// (TS 45.002 §5.2.4, §6.3.1.3).
	Start int
	// FreqOffset is the carrier frequency offset in Hz: the tone's
	// frequency minus the nominal 1625000/24 Hz (TS 45.004 §2.6, an
	// all-zero burst turns the phase by +π/2 per symbol).
	FreqOffset float64
	// Purity is the tone purity (0..1) at the best position: the magnitude
	// of the mean one-symbol phase rotation over the mean power.
	Purity float64
	// RSSI is the burst's power in dBm (dBFS plus Config.RSSIOffset).
	RSSI float64
}

type fcchState struct {
	sps int
	w   int          // window in samples
	yr  []complex64  // ring of the last sps+1 filtered samples
	ur  []complex128 // last w lag products
	er  []float64    // last w powers
}

func (f *fcchState) init(sps int) {
	f.sps = sps
	f.w = fcchWindow * sps
	f.yr = make([]complex64, sps+1)
	f.ur = make([]complex128, f.w)
	f.er = make([]float64, f.w)
}

// FCCH looks for a frequency correction burst (TS 45.002 §5.2.4: 148 zero
// bits, which GMSK turns into a tone at a quarter of the symbol rate above
// the carrier) anywhere in samples, as a phone's cell search does on
// about 11 frames of one carrier. It slides a 128-symbol window over the
// matched-filtered samples, measures how pure a tone the window holds
// (the mean rotation over one symbol against the mean power) and returns
// the best position when its purity is at least FCCHThreshold and its
// frequency within 25 kHz of the nominal tone. It does not allocate.
func (d *Demodulator) FCCH(samples []complex64) (FCCHResult, bool) {
	f := &d.fcch
	var res FCCHResult
	if len(samples) < f.w+f.sps {
		return res, false
	}
	// Pass 1: the best purity. Pass 2: the span of positions within 90 %
	// of it, whose centre is the window centred on the burst.
	best, bestEnd, bestRot := -1.0, -1, complex128(0)
	f.scan(d, samples, func(end int, s complex128, e float64) {
		if p := math.Hypot(real(s), imag(s)) / e; p > best {
			best, bestEnd, bestRot = p, end, s
		}
	})
	if !(best >= FCCHThreshold) || math.IsInf(best, 0) {
		res.Purity = max(best, 0)
		return res, false
	}
	first, last := -1, -1
	f.scan(d, samples, func(end int, s complex128, e float64) {
		if math.Hypot(real(s), imag(s))/e >= 0.9*best {
			if first < 0 {
				first = end
			}
			last = end
		}
	})
	if first < 0 { // cannot happen with finite input; be safe
		first, last = bestEnd, bestEnd
	}
	sym := gmsk.SymbolRate
	tone := sym / 4
	freq := math.Atan2(imag(bestRot), real(bestRot)) * sym / (2 * math.Pi)
	res.FreqOffset = freq - tone
	res.Purity = min(best, 1)
	if math.Abs(res.FreqOffset) > fcchMaxOffset {
		return res, false
	}
	// A window ending at sample e covers e−w+1 … e; centred on the burst,
	// it starts (148−128)/2 symbols after bit 0.
	centreEnd := (first + last) / 2
	res.Start = centreEnd - f.w + 1 - (148-fcchWindow)/2*d.sps
	res.RSSI = d.rssi(samples, res.Start, 148) + d.cfg.RSSIOffset
	return res, true
}

// scan calls fn for every window end with the window's sum of one-symbol
// lag products and its energy.
func (f *fcchState) scan(d *Demodulator, x []complex64, fn func(end int, s complex128, e float64)) {
	clear(f.yr)
	clear(f.ur)
	clear(f.er)
	var s complex128
	var e float64
	lag := f.sps
	var y [1]complex64
	for n := range x {
		d.filter(y[:], x, n)
		yn := y[0]
		f.yr[n%(lag+1)] = yn
		var u complex128
		if n >= lag {
			p := f.yr[(n-lag)%(lag+1)]
			u = complex128(yn) * complex(float64(real(p)), -float64(imag(p)))
		}
		pw := float64(real(yn))*float64(real(yn)) + float64(imag(yn))*float64(imag(yn))
		i := n % f.w
		s += u - f.ur[i]
		e += pw - f.er[i]
		f.ur[i], f.er[i] = u, pw
		if n >= f.w+lag-1 && e > 0 {
			fn(n, s, e)
		}
	}
}
