package iq

import "math"

// BytesPerSample is the size of one complex float32 sample in an IQ file.
const BytesPerSample = 8

// Power returns the mean power of x, mean(|x|²); 0 for an empty block.
func Power(x []complex64) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		re, im := float64(real(v)), float64(imag(v))
		s += re*re + im*im
	}
	return s / float64(len(x))
}

// Energy returns Σ|x|².
func Energy(x []complex64) float64 { return Power(x) * float64(len(x)) }

// DB converts a power ratio to decibels; 0 gives −Inf.
func DB(p float64) float64 { return 10 * math.Log10(p) }

// DBFS returns the mean power of x in dB relative to full scale (a complex
// sample of magnitude 1 is 0 dBFS). An all-zero block gives −Inf.
func DBFS(x []complex64) float64 { return DB(Power(x)) }

// Amplitude returns the linear amplitude factor for a gain of db decibels.
func Amplitude(db float64) float32 { return float32(math.Pow(10, db/20)) }

// Scale multiplies x by g in place.
func Scale(x []complex64, g float32) {
	c := complex(g, 0)
	for i := range x {
		x[i] *= c
	}
}

// Add adds src to dst element-wise over the shorter of the two.
func Add(dst, src []complex64) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i := range dst {
		dst[i] += src[i]
	}
}

// AddScaled adds g·src to dst element-wise over the shorter of the two.
func AddScaled(dst, src []complex64, g complex64) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	for i := range dst {
		dst[i] += g * src[i]
	}
}

// PeakAbs returns the largest |x[i]|.
func PeakAbs(x []complex64) float64 {
	var m float64
	for _, v := range x {
		re, im := float64(real(v)), float64(imag(v))
		if p := re*re + im*im; p > m {
			m = p
		}
	}
	return math.Sqrt(m)
}
