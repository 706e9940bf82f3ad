package gmsk

import "math"

// phasePulse is the normalised phase response q(u) of TS 45.004 §2.6: the
// integral of the frequency pulse g(t) = h(t) * rect(t/T) from −L/2 to u
// (in symbol periods, centred on the symbol), scaled so q(L/2) = 1. Each
// symbol thus turns the phase by α·π/2 in total (modulation index ½).
type phasePulse struct {
	a, half, norm float64
}

// newPhasePulse builds q for bandwidth-time product bt truncated to l
// symbols. h(t) is the Gaussian of §2.6 with δ = √(ln 2)/(2π·BT); the
// rectangle has height 1/T over one period, so
//
//	g(u) = ½ [erf(a(u+½)) − erf(a(u−½))],  a = 1/(δ√2)
//
// whose integral has the closed form used by prim.
func newPhasePulse(bt, l float64) phasePulse {
	delta := math.Sqrt(math.Ln2) / (2 * math.Pi * bt)
	p := phasePulse{a: 1 / (delta * math.Sqrt2), half: l / 2, norm: 1}
	p.norm = p.raw(p.half)
	return p
}

// prim is a primitive of erf(a·x): x·erf(ax) + exp(−a²x²)/(a√π).
func (p phasePulse) prim(x float64) float64 {
	ax := p.a * x
	return x*math.Erf(ax) + math.Exp(-ax*ax)/(p.a*math.SqrtPi)
}

// raw is ∫_{−L/2}^{u} g.
func (p phasePulse) raw(u float64) float64 {
	lo := -p.half
	return 0.5 * ((p.prim(u+0.5) - p.prim(lo+0.5)) - (p.prim(u-0.5) - p.prim(lo-0.5)))
}

// at returns q(u), 0 before the pulse and 1 after it.
func (p phasePulse) at(u float64) float64 {
	switch {
	case u <= -p.half:
		return 0
	case u >= p.half:
		return 1
	}
	return p.raw(u) / p.norm
}

// freq returns g(u), the frequency pulse (its integral over all u is 1).
func (p phasePulse) freq(u float64) float64 {
	return 0.5 * (math.Erf(p.a*(u+0.5)) - math.Erf(p.a*(u-0.5)))
}
