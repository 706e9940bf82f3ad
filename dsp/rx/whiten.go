package rx

import "math"

// whitenTaps is the length of the noise-whitening factor: the C0 matched
// filter's autocorrelation at symbol spacing is negligible beyond ±2
// symbols (0.0006 at ±3 for BT 0.3), so its minimum-phase factor has
// three taps.
const whitenTaps = 3

// whitener turns the matched filter's symbol-spaced output, whose noise
// is coloured by the filter's own autocorrelation ρ (1, 0.51, 0.057 at
// lags 0, ±1, ±2 for BT 0.3), into samples with white noise: Forney's
// whitened matched filter (G. D. Forney, "Maximum-likelihood sequence
// estimation of digital sequences in the presence of intersymbol
// interference", IEEE Trans. IT-18(3), 1972). With ρ = f ⊛ f̃ for the
// minimum-phase f, filtering by 1/f̃ (anti-causal, run backwards) leaves
// the channel f ⊛ c, causal, and white noise of the same variance.
//
// The Euclidean metric of the equaliser is the likelihood only for white
// noise; on the coloured samples it lost about 1 dB (see TestSDCCHBLER's
// history in docs/ and the blercurve command).
type whitener struct {
	f [whitenTaps]float32 // minimum-phase factor, f[0] the largest
}

// newWhitener factors the symbol-spaced autocorrelation of the matched
// filter mf at sps samples per symbol. The factor is the last row of the
// Cholesky factor of a long Toeplitz matrix of ρ, which converges to the
// minimum-phase (innovations) factor.
func newWhitener(mf []float32, sps int) whitener {
	const n = 64
	var rho [whitenTaps]float64
	for l := range rho {
		for i := range mf {
			if j := i + l*sps; j < len(mf) {
				rho[l] += float64(mf[i]) * float64(mf[j])
			}
		}
	}
	var a [n][n]float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if l := abs(i - j); l < whitenTaps {
				a[i][j] = rho[l] / rho[0]
			}
		}
	}
	// In-place Cholesky, lower triangle.
	for j := 0; j < n; j++ {
		s := a[j][j]
		for k := 0; k < j; k++ {
			s -= a[j][k] * a[j][k]
		}
		a[j][j] = math.Sqrt(s)
		for i := j + 1; i < n; i++ {
			s := a[i][j]
			for k := 0; k < j; k++ {
				s -= a[i][k] * a[j][k]
			}
			a[i][j] = s / a[j][j]
		}
	}
	var w whitener
	for k := range w.f {
		w.f[k] = float32(a[n-1][n-1-k])
	}
	return w
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// apply writes the whitened src to dst (same length), src being derotated
// symbol-spaced samples (noise autocorrelation j^−l·ρ(l)): dst = src / f̃,
// run from the end, so that dst[k] carries the channel f ⊛ c on symbols
// k, k−1, k−2, … Samples past the end are taken as zero; the transient
// there is within the padding around the burst.
func (w *whitener) apply(dst, src []complex64) {
	dst = dst[:len(src)]
	inv := 1 / w.f[0]
	// In real arithmetic with 1/f0 folded into the taps: Go multiplies a
	// complex64 by complex(x, 0) in full.
	g1, g2 := w.f[1]*inv, w.f[2]*inv
	var r1, i1, r2, i2 float32 // dst[k+1], dst[k+2]
	for k := len(src) - 1; k >= 0; k-- {
		// The derotation by j^−k turns ρ(l) into j^−l·ρ(l), and the
		// factor's taps f_l into j^l·f_l: j·f1 and −f2.
		s := src[k]
		// The term of the sample just written last: the other two
		// are ready a step earlier, so each step waits on one
		// multiply and one add, not two adds.
		re := (real(s)*inv + g2*r2) + g1*i1
		im := (imag(s)*inv + g2*i2) - g1*r1
		dst[k] = complex(re, im)
		r2, i2 = r1, i1
		r1, i1 = re, im
	}
}
