package rx

import (
	"math"
	"math/cmplx"
	"testing"
)

// The half-band decimator passes a tone inside GMSK's band with its
// phase (no delay) and nearly its amplitude, removes one that would fold
// onto the band, and gives the same samples at the slice's ends as in
// its middle.
func TestDecimate2(t *testing.T) {
	const n = 400
	tone := func(cyclesPerSample float64) []complex64 {
		x := make([]complex64, n)
		for i := range x {
			x[i] = complex64(cmplx.Rect(1, 2*math.Pi*cyclesPerSample*float64(i)))
		}
		return x
	}
	cases := []struct {
		f      float64 // cycles per input sample (4 sps: Rs/2 is 1/8)
		lo, hi float64 // gain
	}{
		{1.0 / 32, 0.995, 1.0001},
		{1.0 / 8, 0.97, 0.98},  // Rs/2: −0.22 dB
		{3.0 / 8, 0.02, 0.03},  // 3Rs/2, folds onto Rs/2: −32 dB
		{7.0 / 16, 0, 0.001},   // 7Rs/4: −66 dB
		{-1.0 / 8, 0.97, 0.98}, // the filter is real: both sides alike
	}
	for _, c := range cases {
		x := tone(c.f)
		dst := make([]complex64, n/2)
		decimate2(dst, x, 1)
		for j := 10; j < len(dst)-10; j++ {
			want := x[1+2*j]
			g := cmplx.Abs(complex128(dst[j])) / cmplx.Abs(complex128(want))
			if g < c.lo || g > c.hi {
				t.Fatalf("tone %g: gain %.4f at output %d, want %g..%g", c.f, g, j, c.lo, c.hi)
			}
			if c.lo > 0.5 {
				if d := cmplx.Phase(complex128(dst[j]) / complex128(want)); math.Abs(d) > 1e-4 {
					t.Fatalf("tone %g: phase %.5f at output %d, want 0", c.f, d, j)
				}
			}
		}
		for j := range dst {
			if v := decimateAt(x, 1+2*j); cmplx.Abs(complex128(v-dst[j])) > 1e-5 {
				t.Fatalf("tone %g: decimateAt(%d) = %v, decimate2 gave %v", c.f, 1+2*j, v, dst[j])
			}
		}
	}
}
