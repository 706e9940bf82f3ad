package coding

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkViterbi: the xCCH code's 228-bit decode on soft bits with a 4 %
// raw error rate (the sensitivity limit) and without errors.
// BenchmarkViterbiVsRef compares the decoder with the one before its
// branchless add-compare-select.
func BenchmarkViterbi(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	u := make([]byte, 228)
	for i := range u[:224] {
		u[i] = byte(r.IntN(2))
	}
	c := make([]byte, 456)
	ConvEncode(c, u)
	for _, ber := range []float64{0, 0.04} {
		soft := make([]int8, len(c))
		for i, v := range c {
			s := int8(60 + r.IntN(60))
			if v == 1 {
				s = -s
			}
			if r.Float64() < ber {
				s = -s / 3
			}
			soft[i] = s
		}
		name := "clean"
		if ber > 0 {
			name = "noisy"
		}
		b.Run(name, func(b *testing.B) {
			var v Viterbi
			dst := make([]byte, len(u))
			b.ReportAllocs()
			for b.Loop() {
				v.Decode(dst, soft)
			}
			perBurst(b, 4)
		})
	}
}
