package coding

import (
	"math/rand/v2"
	"testing"
)

// butterflyBranch is butterfly before issue 16's receiver work: the same
// add-compare-select with branches, for BenchmarkViterbi's side-by-side
// comparison and TestButterflyBranchless.
func butterflyBranch(p, q, x int32, d uint16, sh uint) (n0, n1 int32, dd uint16) {
	n0, n1 = p+x, p-x
	if q-x > n0 {
		n0 = q - x
		d |= 1 << sh
	}
	if q+x > n1 {
		n1 = q + x
		d |= 2 << sh
	}
	return n0, n1, d
}

// TestButterflyBranchless: the branchless butterfly decides as the
// branching one, ties included.
func TestButterflyBranchless(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := range 200000 {
		p, q, x := int32(r.IntN(2000))-1000, int32(r.IntN(2000))-1000, int32(r.IntN(600))-300
		if i%4 == 0 {
			q = p // ties
		}
		sh := uint(2 * r.IntN(8))
		d := uint16(r.Uint32())
		a0, a1, ad := butterfly(p, q, x, d, sh)
		b0, b1, bd := butterflyBranch(p, q, x, d, sh)
		if a0 != b0 || a1 != b1 || ad != bd {
			t.Fatalf("butterfly(%d, %d, %d, %#x, %d) = %d, %d, %#x, want %d, %d, %#x", p, q, x, d, sh, a0, a1, ad, b0, b1, bd)
		}
	}
}

// decodeBranch is Viterbi.Decode with butterflyBranch.
func (v *Viterbi) decodeBranch(dst []byte, soft []int8) {
	n := len(dst)
	soft = soft[:2*n]
	const minusInf = -1 << 28
	var m, next [convStates]int32
	for i := range m {
		m[i] = minusInf
	}
	m[0] = 0
	for k := range n {
		s0, s1 := int32(soft[2*k]), int32(soft[2*k+1])
		a, b := s0+s1, s0-s1
		var d uint16
		next[0], next[1], d = butterflyBranch(m[0], m[8], a, d, 0)
		next[2], next[3], d = butterflyBranch(m[1], m[9], b, d, 2)
		next[4], next[5], d = butterflyBranch(m[2], m[10], a, d, 4)
		next[6], next[7], d = butterflyBranch(m[3], m[11], b, d, 6)
		next[8], next[9], d = butterflyBranch(m[4], m[12], -a, d, 8)
		next[10], next[11], d = butterflyBranch(m[5], m[13], -b, d, 10)
		next[12], next[13], d = butterflyBranch(m[6], m[14], -a, d, 12)
		next[14], next[15], d = butterflyBranch(m[7], m[15], -b, d, 14)
		v.dec[k] = d
		m = next
	}
	s := 0
	for k := n - 1; k >= 0; k-- {
		dst[k] = byte(s & 1)
		s = s>>1 | int(v.dec[k]>>s&1)<<3
	}
}

// BenchmarkViterbi: the xCCH code's 228-bit decode on soft bits with a 4 %
// raw error rate (the sensitivity limit) and without errors, branching
// (decoder=branch, before) and branchless (decoder=now) side by side.
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
		for _, dec := range []string{"branch", "now"} {
			b.Run(name+"/decoder="+dec, func(b *testing.B) {
				var v Viterbi
				dst := make([]byte, len(u))
				b.ReportAllocs()
				for b.Loop() {
					if dec == "now" {
						v.Decode(dst, soft)
					} else {
						v.decodeBranch(dst, soft)
					}
				}
			})
		}
	}
}
