package spectrum

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// TestFFTMatchesDFT: the radix-2 transform against the definition.
func TestFFTMatchesDFT(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{2, 16, 256} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		want := make([]complex128, n)
		for k := range want {
			for i, v := range x {
				want[k] += v * cmplx.Exp(complex(0, -2*math.Pi*float64(i*k)/float64(n)))
			}
		}
		got := append([]complex128(nil), x...)
		fft(got)
		for k := range got {
			if cmplx.Abs(got[k]-want[k]) > 1e-9*float64(n) {
				t.Fatalf("n %d: fft bin %d = %v, want %v", n, k, got[k], want[k])
			}
		}
	}
}

// TestPSD: a tone lands in its bin with its power, and white noise's
// bins add up to its mean power, flat.
func TestPSD(t *testing.T) {
	const n, fs = 256, 1083333.0
	x := make([]complex64, 4096)
	f := 32 * fs / n // on bin n/2+32
	for i := range x {
		s, c := math.Sincos(2 * math.Pi * f * float64(i) / fs)
		x[i] = complex(float32(0.5*c), float32(0.5*s))
	}
	p := make([]float64, n)
	if err := PSD(p, x); err != nil {
		t.Fatal(err)
	}
	peak := 0
	var sum float64
	for i, v := range p {
		if v > p[peak] {
			peak = i
		}
		sum += v
	}
	if peak != n/2+32 {
		t.Errorf("PSD tone at bin %d, want %d", peak, n/2+32)
	}
	if math.Abs(sum-0.25) > 0.01 {
		t.Errorf("PSD of a 0.5-amplitude tone sums to %g, want 0.25", sum)
	}
	r := rand.New(rand.NewPCG(2, 2))
	for i := range x {
		x[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64())) // power 2
	}
	PSD(p, x)
	sum = 0
	lo, hi := math.Inf(1), 0.0
	for _, v := range p {
		sum += v
		lo, hi = min(lo, v), max(hi, v)
	}
	if math.Abs(sum-2) > 0.1 || hi/lo > 4 {
		t.Errorf("PSD of white noise of power 2: sum %g, bins %g..%g", sum, lo, hi)
	}
	if err := PSD(make([]float64, 100), x); err == nil {
		t.Error("PSD of 100 bins: no error")
	}
	if err := PSD(make([]float64, 256), x[:100]); err == nil {
		t.Error("PSD over 100 samples: no error")
	}
}
