package channel

import (
	"math"
	"sync"
)

// gaussBits is log2 of the Gaussian table's size.
const gaussBits = 16

// gaussTable returns 2^16 quantiles of the standard normal distribution,
// Φ⁻¹((i+½)/2^16), scaled to unit variance: drawing an index uniformly
// gives a Gaussian variate exact to 16 bits of probability, truncated
// beyond ±4.33σ (a mass of 1.5e−5, which no link budget here resolves).
// A draw costs a quarter of a 64-bit random number and one load from a
// 256 KiB table, several times cheaper than a ziggurat behind an
// interface call (the simulated air draws two per sample per noisy link).
var gaussTable = sync.OnceValue(func() *[1 << gaussBits]float32 {
	var t [1 << gaussBits]float32
	const n = 1 << gaussBits
	var v float64
	for i := range t {
		p := (float64(i) + 0.5) / n
		x := math.Sqrt2 * math.Erfinv(2*p-1)
		t[i] = float32(x)
		v += x * x
	}
	g := float32(1 / math.Sqrt(v/n))
	for i := range t {
		t[i] *= g
	}
	return &t
})

// noiseSource is a splitmix64 sequence: the state advances by the golden
// gamma and each output is its finaliser, a good 64-bit generator that
// the compiler inlines (S. Vigna, "Further scramblings of Marsaglia's
// xorshift generators", 2017, for the constants).
type noiseSource struct{ s uint64 }

func (r *noiseSource) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return splitmix(r.s - 0x9e3779b97f4a7c15)
}

// addGauss adds complex white Gaussian noise of standard deviation sigma
// per real dimension to dst, drawn from src.
func addGauss(dst []complex64, sigma float32, src *noiseSource) {
	t := gaussTable()
	const mask = 1<<gaussBits - 1
	i := 0
	for ; i+1 < len(dst); i += 2 {
		u := src.next()
		dst[i] += complex(sigma*t[u&mask], sigma*t[u>>16&mask])
		dst[i+1] += complex(sigma*t[u>>32&mask], sigma*t[u>>48&mask])
	}
	if i < len(dst) {
		u := src.next()
		dst[i] += complex(sigma*t[u&mask], sigma*t[u>>16&mask])
	}
}
