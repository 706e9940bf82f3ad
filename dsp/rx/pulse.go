package rx

import "math"

// pulseSymbols is L, the length in symbols to which the Gaussian frequency
// pulse is truncated when building C0. BT = 0.3 leaves less than 1e-4 of
// the phase outside ±2 symbols.
const pulseSymbols = 4

// phase01 returns the GMSK phase pulse of TS 45.004 §2.6, normalised to rise
// from 0 to 1 over [0, L] symbol periods: the integral of the Gaussian-
// filtered rectangle g(u) = ½[erf(a(u+½)) − erf(a(u−½))], a = 1/(δ√2),
// δ = √ln2 / (2π·BT), centred on L/2.
func phase01(bt, t float64) float64 {
	const l = pulseSymbols
	if t <= 0 {
		return 0
	}
	if t >= l {
		return 1
	}
	delta := math.Sqrt(math.Ln2) / (2 * math.Pi * bt)
	a := 1 / (delta * math.Sqrt2)
	prim := func(x float64) float64 { // a primitive of erf(a·x)
		ax := a * x
		return x*math.Erf(ax) + math.Exp(-ax*ax)/(a*math.SqrtPi)
	}
	raw := func(u float64) float64 { // ∫ g from −L/2 to u
		lo := -float64(l) / 2
		return 0.5 * ((prim(u+0.5) - prim(lo+0.5)) - (prim(u-0.5) - prim(lo-0.5)))
	}
	return raw(t-float64(l)/2) / raw(float64(l)/2)
}

// laurentC0 returns Laurent's main pulse C0(t) for GMSK with modulation
// index ½ (P. A. Laurent, "Exact and approximate construction of digital
// phase modulations by superposition of amplitude modulated pulses",
// IEEE Trans. Commun. 34(2), 1986):
//
//	S(t) = sin(π/2·q(t))           0 ≤ t ≤ L
//	     = cos(π/2·q(t−L))         L < t ≤ 2L
//	C0(t) = Π_{i=0}^{L−1} S(t + i),   0 ≤ t ≤ L+1
//
// t in symbol periods. C0 is real, symmetric about (L+1)/2, and carries
// almost all of a GMSK signal's energy.
func laurentC0(bt, t float64) float64 {
	const l = pulseSymbols
	if t <= 0 || t >= l+1 {
		return 0
	}
	s := func(u float64) float64 {
		switch {
		case u <= 0 || u >= 2*l:
			return 0
		case u <= l:
			return math.Sin(math.Pi / 2 * phase01(bt, u))
		default:
			return math.Cos(math.Pi / 2 * phase01(bt, u-l))
		}
	}
	p := 1.0
	for i := 0; i < l; i++ {
		p *= s(t + float64(i))
	}
	return p
}

// matchedFilter returns the taps of the C0 matched filter at sps samples
// per symbol, centred (tap len/2 is C0's peak), trimmed where C0 falls
// below 1e-3 of its peak, and scaled to unit energy.
func matchedFilter(bt float64, sps int) []float32 {
	const l = pulseSymbols
	centre := float64(l+1) / 2
	half := 0
	for k := 1; k < (l+1)*sps; k++ {
		if laurentC0(bt, centre+float64(k)/float64(sps)) < 1e-3 {
			break
		}
		half = k
	}
	taps := make([]float32, 2*half+1)
	var e float64
	for i := range taps {
		v := laurentC0(bt, centre+float64(i-half)/float64(sps))
		taps[i] = float32(v)
		e += v * v
	}
	g := float32(1 / math.Sqrt(e))
	for i := range taps {
		taps[i] *= g
	}
	return taps
}
