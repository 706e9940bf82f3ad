package filter

import (
	"fmt"
	"math"
)

// KaiserBeta returns the Kaiser window β that gives a stopband attenuation
// of atten dB (Kaiser's empirical formula).
func KaiserBeta(atten float64) float64 {
	switch {
	case atten > 50:
		return 0.1102 * (atten - 8.7)
	case atten >= 21:
		return 0.5842*math.Pow(atten-21, 0.4) + 0.07886*(atten-21)
	}
	return 0
}

// bessel0 is the modified Bessel function of the first kind, order 0.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 64; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return sum
}

// Kaiser returns the n-point Kaiser window with parameter beta.
func Kaiser(n int, beta float64) []float64 {
	w := make([]float64, n)
	if n == 1 {
		w[0] = 1
		return w
	}
	d := bessel0(beta)
	for i := range w {
		r := 2*float64(i)/float64(n-1) - 1
		w[i] = bessel0(beta*math.Sqrt(max(0, 1-r*r))) / d
	}
	return w
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// LowPass designs an n-tap linear-phase low-pass filter with cutoff (−6 dB
// point) at cutoff × the sample rate (0 < cutoff < 0.5), a Kaiser window
// for atten dB of stopband attenuation, and a DC gain of gain.
func LowPass(n int, cutoff, atten, gain float64) ([]float64, error) {
	if n < 1 || !(cutoff > 0 && cutoff < 0.5) {
		return nil, fmt.Errorf("%w: %d taps, cutoff %g", ErrDesign, n, cutoff)
	}
	w := Kaiser(n, KaiserBeta(atten))
	h := make([]float64, n)
	var sum float64
	mid := float64(n-1) / 2
	for i := range h {
		h[i] = 2 * cutoff * sinc(2*cutoff*(float64(i)-mid)) * w[i]
		sum += h[i]
	}
	for i := range h {
		h[i] *= gain / sum
	}
	return h, nil
}

// FracDelay fills h (even length 2H) with a windowed-sinc interpolation
// kernel: y[n] = Σ_k h[k]·x[n−k] is x delayed by H−1+frac samples
// (0 ≤ frac < 1), band-limited to 0.45 of the sample rate, with unit DC
// gain. With H = 8 the error on signals below 0.2 of the sample rate (a
// GMSK carrier at 4 samples per symbol) is below −60 dB.
func FracDelay(h []float64, frac float64) {
	half := len(h) / 2
	d := float64(half-1) + frac
	beta := KaiserBeta(70)
	i0 := bessel0(beta)
	var sum float64
	for k := range h {
		x := float64(k) - d
		r := x / float64(half)
		w := 0.0
		if r > -1 && r < 1 {
			w = bessel0(beta*math.Sqrt(1-r*r)) / i0
		}
		h[k] = sinc(0.9*x) * w
		sum += h[k]
	}
	for k := range h {
		h[k] /= sum
	}
}

// Float32 converts taps to float32.
func Float32(h []float64) []float32 {
	out := make([]float32, len(h))
	for i, v := range h {
		out[i] = float32(v)
	}
	return out
}
