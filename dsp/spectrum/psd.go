package spectrum

import (
	"fmt"
	"math"
	"math/bits"
	"math/cmplx"
)

// PSD writes to dst the power spectrum of x by Welch's method: segments
// of len(dst) samples, overlapping by half, each Hann-windowed and
// transformed, their squared magnitudes averaged. dst[0] is the bin at
// −fs/2 and dst[len(dst)/2] the one at 0 Hz (bin i is at (i − n/2)·fs/n).
// Each bin holds its share of x's mean power, so the bins sum to the mean
// of |x|² (a full-scale tone, |x| = 1, reads 1: 0 dBFS). len(dst) must be
// a power of two from 16 to 65536, and x at least that long; the console
// and tools call it on a captured frame, not per burst (it allocates).
func PSD(dst []float64, x []complex64) error {
	n := len(dst)
	if n < 16 || n > 1<<16 || n&(n-1) != 0 {
		return fmt.Errorf("spectrum: PSD of %d bins, want a power of two from 16 to 65536", n)
	}
	if len(x) < n {
		return fmt.Errorf("spectrum: PSD of %d bins over %d samples", n, len(x))
	}
	win := make([]float64, n)
	var w2 float64
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n)) // periodic Hann
		w2 += win[i] * win[i]
	}
	clear(dst)
	buf := make([]complex128, n)
	segs := 0
	for off := 0; off+n <= len(x); off += n / 2 {
		for i := range buf {
			buf[i] = complex128(x[off+i]) * complex(win[i], 0)
		}
		fft(buf)
		for i, v := range buf {
			// fftshift: bin 0 Hz goes to n/2.
			re, im := real(v), imag(v)
			dst[(i+n/2)&(n-1)] += re*re + im*im
		}
		segs++
	}
	g := 1 / (float64(segs) * float64(n) * w2)
	for i := range dst {
		dst[i] *= g
	}
	return nil
}

// fft transforms x in place (forward, unscaled): iterative radix-2
// decimation in time, len(x) a power of two.
func fft(x []complex128) {
	n := len(x)
	shift := 64 - uint(bits.Len(uint(n))-1)
	for i := range x {
		if j := int(bits.Reverse64(uint64(i)) >> shift); j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		step := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := 0; k < size/2; k++ {
				a, b := x[start+k], x[start+k+size/2]*w
				x[start+k], x[start+k+size/2] = a+b, a-b
				w *= step
			}
		}
	}
}
