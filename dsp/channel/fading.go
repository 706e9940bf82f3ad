package channel

import (
	"math"
	"math/rand/v2"
)

// fadeChunk is how many samples a fading tap is held constant: 128
// samples at 4 sps is 118 µs, over which a 200 Hz Doppler turns the phase
// by 0.15 rad.
const fadeChunk = 128

// sinusoids is the number of sinusoids per quadrature component.
const sinusoids = 16

// fading generates independent unit-power Rayleigh processes with the
// classical Doppler spectrum, one per tap, by the sum-of-sinusoids model
// of Zheng and Xiao (IEEE Trans. Commun. 51(6), 2003): for each tap, with
// random angles α_n = (2πn − π + θ)/(4M) and phases φ_n, ψ_n,
//
//	r(t) = √(1/M) Σ_n [cos(ω_d t cos α_n + φ_n) + j·cos(ω_d t sin α_n + ψ_n)]
//
// Everything random is drawn once from the seed, so r is a pure function
// of t.
type fading struct {
	wd    float64
	cosA  [][sinusoids]float64 // per tap: ω_d·cos α_n
	sinA  [][sinusoids]float64
	phi   [][sinusoids]float64
	psi   [][sinusoids]float64
	scale float64
}

func newFading(taps int, doppler float64, seed uint64) *fading {
	r := rand.New(rand.NewPCG(seed, 0xfade))
	f := &fading{wd: 2 * math.Pi * doppler, scale: math.Sqrt(1.0 / sinusoids)}
	f.cosA = make([][sinusoids]float64, taps)
	f.sinA = make([][sinusoids]float64, taps)
	f.phi = make([][sinusoids]float64, taps)
	f.psi = make([][sinusoids]float64, taps)
	for k := 0; k < taps; k++ {
		theta := 2*math.Pi*r.Float64() - math.Pi
		for n := 0; n < sinusoids; n++ {
			a := (2*math.Pi*float64(n+1) - math.Pi + theta) / (4 * sinusoids)
			f.cosA[k][n] = f.wd * math.Cos(a)
			f.sinA[k][n] = f.wd * math.Sin(a)
			f.phi[k][n] = 2*math.Pi*r.Float64() - math.Pi
			f.psi[k][n] = 2*math.Pi*r.Float64() - math.Pi
		}
	}
	return f
}

// at returns every tap's gain at time t seconds, reusing dst.
func (f *fading) at(dst []complex128, t float64) []complex128 {
	dst = dst[:0]
	for k := range f.cosA {
		var re, im float64
		for n := 0; n < sinusoids; n++ {
			re += math.Cos(f.cosA[k][n]*t + f.phi[k][n])
			im += math.Cos(f.sinA[k][n]*t + f.psi[k][n])
		}
		dst = append(dst, complex(re*f.scale, im*f.scale))
	}
	return dst
}

// ProfileTap is one tap of a TS 45.005 Annex C propagation profile.
type ProfileTap struct {
	DelayUS float64 // relative delay, µs
	PowerDB float64 // average relative power, dB
}

// The six-tap propagation profiles of TS 45.005 Annex C.3: typical urban
// (TU), hilly terrain (HT) and rural area (RA). Use them with Taps and a
// Doppler shift for the named speed (TU50 at 900 MHz: 42 Hz).
var (
	TU6 = []ProfileTap{{0.0, -3}, {0.2, 0}, {0.5, -2}, {1.6, -6}, {2.3, -8}, {5.0, -10}}
	HT6 = []ProfileTap{{0.0, 0}, {0.2, -2}, {0.4, -4}, {0.6, -7}, {15.0, -6}, {17.2, -12}}
	RA6 = []ProfileTap{{0.0, 0}, {0.1, -4}, {0.2, -8}, {0.3, -12}, {0.4, -16}, {0.5, -20}}
)

// Taps converts a profile to channel taps at sampleRate, normalised to
// unit total power so the link's PathLoss and Eb/N0 keep their meaning.
func Taps(profile []ProfileTap, sampleRate float64) []Tap {
	var total float64
	for _, p := range profile {
		total += math.Pow(10, p.PowerDB/10)
	}
	norm := 10 * math.Log10(total)
	out := make([]Tap, len(profile))
	for i, p := range profile {
		out[i] = Tap{Delay: p.DelayUS * 1e-6 * sampleRate, Gain: p.PowerDB - norm}
	}
	return out
}

// DopplerHz returns the maximum Doppler shift for a speed in km/h at a
// carrier frequency in Hz.
func DopplerHz(kmh, carrierHz float64) float64 {
	return kmh / 3.6 * carrierHz / 299792458
}
