package iq

import "math"

// NCO is a numerically controlled oscillator: it multiplies blocks by
// exp(j·2π·f·n/fs), continuing its phase from block to block, so a stream
// cut into blocks is shifted exactly as if it were processed whole. Use it
// to move a carrier in baseband (a frequency offset in the simulated air,
// a channel away from the centre of a wideband capture).
//
// The phase is kept as a 64-bit fixed-point accumulator, so it never
// drifts, and each sample's rotation is computed exactly from it.
type NCO struct {
	phase uint64 // turns × 2^64
	step  uint64
	freq  float64
	rate  float64
}

// NewNCO returns an oscillator at freq Hz for sample rate rate (samples per
// second), starting at phase 0. A negative freq shifts down.
func NewNCO(freq, rate float64) *NCO {
	n := &NCO{}
	n.SetFreq(freq, rate)
	return n
}

// SetFreq changes the frequency, keeping the phase continuous.
func (n *NCO) SetFreq(freq, rate float64) {
	n.freq, n.rate = freq, rate
	turns := freq / rate
	turns -= math.Floor(turns)
	n.step = uint64(turns * (1 << 64))
	if turns >= 1 { // rounding at the top of the range
		n.step = 0
	}
}

// Freq returns the oscillator frequency in Hz.
func (n *NCO) Freq() float64 { return n.freq }

// Phase returns the current phase in radians, in [0, 2π).
func (n *NCO) Phase() float64 { return float64(n.phase) / (1 << 64) * 2 * math.Pi }

// SetPhase sets the current phase in radians.
func (n *NCO) SetPhase(rad float64) {
	t := rad / (2 * math.Pi)
	t -= math.Floor(t)
	n.phase = uint64(t * (1 << 64))
}

// Mix writes src shifted by the oscillator to dst (dst may be src) and
// advances the phase by len(src) samples. dst must be at least as long as
// src.
func (n *NCO) Mix(dst, src []complex64) {
	dst = dst[:len(src)]
	// Exact rotation every 64 samples, a recursive one in between: the
	// error of 64 complex multiplies in float64 stays below 1e-14.
	const chunk = 64
	for i := 0; i < len(src); i += chunk {
		s, c := math.Sincos(float64(n.phase) / (1 << 64) * 2 * math.Pi)
		rot := complex(c, s)
		ss, cs := math.Sincos(float64(n.step) / (1 << 64) * 2 * math.Pi)
		stepRot := complex(cs, ss)
		end := min(i+chunk, len(src))
		for k := i; k < end; k++ {
			dst[k] = complex64(complex128(src[k]) * rot)
			rot *= stepRot
		}
		n.phase += n.step * uint64(end-i)
	}
}
