package spectrum

import (
	"math"
	"math/cmplx"
)

// Gate is a half-open range of sample indices [Start, End).
type Gate struct{ Start, End int }

// rbwTaps returns a Gaussian resolution filter with 3 dB bandwidth rbw Hz
// at sample rate fs, unit DC gain, truncated at ±4σ.
func rbwTaps(rbw, fs float64) []float64 {
	// |H(f)|² = 1/2 at f = rbw/2 for H(f) = exp(−2π²σ²f²).
	sigma := math.Sqrt(math.Ln2) / (math.Pi * rbw) * fs // samples
	half := int(math.Ceil(4 * sigma))
	h := make([]float64, 2*half+1)
	var sum float64
	for i := range h {
		x := float64(i-half) / sigma
		h[i] = math.Exp(-x * x / 2)
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum
	}
	return h
}

// analyser computes the resolution-filtered power at one offset.
type analyser struct {
	taps []complex128 // h[k]·exp(j2πf k/fs): filter after mixing down by f
	half int
	// rot turns the filter's phase reference; |y| does not depend on it.
}

func newAnalyser(offset, rbw, fs float64) analyser {
	h := rbwTaps(rbw, fs)
	half := len(h) / 2
	a := analyser{taps: make([]complex128, len(h)), half: half}
	for k, v := range h {
		// y[n] = Σ_k h[k]·x[n−k+half]·exp(−j2πf(n−k+half)/fs); the
		// factor exp(−j2πf n/fs) has unit magnitude.
		a.taps[k] = complex(v, 0) * cmplx.Exp(complex(0, 2*math.Pi*offset*float64(k-half)/fs))
	}
	return a
}

// power returns |y[n]|² for the filter centred on sample n of x (zero
// outside x).
func (a analyser) power(x []complex64, n int) float64 {
	var re, im float64
	for k, t := range a.taps {
		i := n - k + a.half
		if i < 0 || i >= len(x) {
			continue
		}
		v := x[i]
		xr, xi := float64(real(v)), float64(imag(v))
		re += real(t)*xr - imag(t)*xi
		im += real(t)*xi + imag(t)*xr
	}
	return re*re + im*im
}

// Modulation measures the spectrum due to modulation of x (sample rate fs)
// at each offset in Hz: the mean resolution-filtered power over the gated
// samples, in dB relative to the same measurement at offset 0 in 30 kHz.
// The resolution bandwidth follows RBW(offset).
func Modulation(x []complex64, fs float64, gates []Gate, offsets []float64) []float64 {
	mean := func(a analyser) float64 {
		var s float64
		var n int
		for _, g := range gates {
			for i := max(g.Start, 0); i < min(g.End, len(x)); i++ {
				s += a.power(x, i)
				n++
			}
		}
		if n == 0 {
			return 0
		}
		return s / float64(n)
	}
	ref := mean(newAnalyser(0, 30e3, fs))
	out := make([]float64, len(offsets))
	for i, f := range offsets {
		out[i] = 10 * math.Log10(mean(newAnalyser(f, RBW(f), fs))/ref)
	}
	return out
}

// Switching measures the spectrum due to switching transients of x at
// each offset: the peak resolution-filtered power (30 kHz, or RBW beyond
// 1800 kHz) over every step-th sample, in dB relative to the peak power
// at the carrier in 300 kHz.
func Switching(x []complex64, fs float64, offsets []float64, step int) []float64 {
	if step < 1 {
		step = 1
	}
	peak := func(a analyser) float64 {
		var m float64
		for i := 0; i < len(x); i += step {
			m = max(m, a.power(x, i))
		}
		return m
	}
	ref := peak(newAnalyser(0, 300e3, fs))
	out := make([]float64, len(offsets))
	for i, f := range offsets {
		out[i] = 10 * math.Log10(peak(newAnalyser(f, RBW(f), fs))/ref)
	}
	return out
}

// Violation is one point where a measurement exceeds its mask.
type Violation struct {
	Offset, Measured, Limit float64
}

// Check compares measurements at offsets against mask and returns every
// violation.
func Check(mask []MaskPoint, offsets, measured []float64) []Violation {
	var v []Violation
	for i, f := range offsets {
		if l := Limit(mask, f); measured[i] > l {
			v = append(v, Violation{Offset: f, Measured: measured[i], Limit: l})
		}
	}
	return v
}

// TimeViolation is one sample outside the time mask.
type TimeViolation struct {
	Sample       int
	T            float64 // seconds from the start of the useful part
	Power        float64 // dB relative to the useful part
	Upper, Lower float64
}

// CheckTimeMask checks the power envelope of one burst in x (sample rate
// fs) against TimeMask. usefulStart and usefulEnd are the times, in
// samples (fractional allowed), where the useful part begins and ends; the
// reference power is the mean over the useful part.
func CheckTimeMask(x []complex64, fs, usefulStart, usefulEnd float64) []TimeViolation {
	var ref float64
	var n int
	for i := int(math.Ceil(usefulStart)); float64(i) <= usefulEnd && i < len(x); i++ {
		v := x[i]
		ref += float64(real(v)*real(v) + imag(v)*imag(v))
		n++
	}
	if n == 0 {
		return nil
	}
	ref /= float64(n)
	useful := (usefulEnd - usefulStart) / fs
	var out []TimeViolation
	for i, v := range x {
		p := 10 * math.Log10(float64(real(v)*real(v)+imag(v)*imag(v))/ref)
		t := (float64(i) - usefulStart) / fs
		up, lo := TimeMask(t, useful)
		if p > up+1e-9 || p < lo-1e-9 {
			out = append(out, TimeViolation{Sample: i, T: t, Power: p, Upper: up, Lower: lo})
		}
	}
	return out
}
