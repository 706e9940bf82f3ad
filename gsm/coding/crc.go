package coding

// Systematic cyclic codes of 3GPP TS 45.003. Each is given by its generator
// g(D) = D^n + gen(D); the information bits d(0)..d(K−1) are the
// coefficients of D^(K−1+n)..D^n (d(0) the highest power), the parity bits
// p(0)..p(n−1) those of D^(n−1)..D^0, and the whole polynomial leaves the
// remainder 1 + D + … + D^(n−1) when divided by g(D) — in other words the
// parity bits are the inverted remainder of d(D)·D^n.
type cyclicCode struct {
	n   uint   // parity bits
	gen uint64 // g(D) without the D^n term
}

var (
	// fireCode is the Fire code of §4.1.2, g(D) = (D²³+1)(D¹⁷+D³+1) =
	// D⁴⁰ + D²⁶ + D²³ + D¹⁷ + D³ + 1.
	fireCode = cyclicCode{40, 1<<26 | 1<<23 | 1<<17 | 1<<3 | 1}
	// schCode is §4.7: g(D) = D¹⁰ + D⁸ + D⁶ + D⁵ + D⁴ + D² + 1.
	schCode = cyclicCode{10, 1<<8 | 1<<6 | 1<<5 | 1<<4 | 1<<2 | 1}
	// rachCode is §4.6 (and §5.3.2): g(D) = D⁶ + D⁵ + D³ + D² + D + 1.
	rachCode = cyclicCode{6, 1<<5 | 1<<3 | 1<<2 | 1<<1 | 1}
	// tchfsCode is §3.1.2.1: g(D) = D³ + D + 1 over the 50 class Ia bits.
	tchfsCode = cyclicCode{3, 1<<1 | 1}
)

// remainder returns d(D)·D^n mod g(D), the coefficient of D^(n−1) in bit n−1.
func (c cyclicCode) remainder(d []byte) uint64 {
	mask := uint64(1)<<c.n - 1
	var r uint64
	for _, b := range d {
		// Without a branch: on data bits it would be a coin toss.
		fb := (r>>(c.n-1) ^ uint64(b)) & 1
		r = r<<1&mask ^ c.gen&-fb
	}
	return r
}

// parity returns the n parity bits of d as a word: p(0) in bit n−1 down to
// p(n−1) in bit 0, inverted as the spec requires.
func (c cyclicCode) parity(d []byte) uint64 {
	return c.remainder(d) ^ (uint64(1)<<c.n - 1)
}

// encode writes the parity bits p(0)..p(n−1) of d to dst[:n].
func (c cyclicCode) encode(dst, d []byte) {
	p := c.parity(d)
	for i := range c.n {
		dst[i] = byte(p >> (c.n - 1 - i) & 1)
	}
}

// word returns the parity bits p[:n] as a word (p(0) in bit n−1).
func (c cyclicCode) word(p []byte) uint64 {
	var w uint64
	for i := range c.n {
		w = w<<1 | uint64(p[i]&1)
	}
	return w
}

// check reports whether the parity bits p[:n] match the information bits d.
func (c cyclicCode) check(d, p []byte) bool {
	return c.parity(d) == c.word(p)
}
