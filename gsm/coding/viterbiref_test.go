package coding

import (
	"math/rand/v2"
	"syscall"
	"testing"
)

// decodeRef is the decoder before the branchless add-compare-select:
// the same trellis with branches and one metric array copied each step,
// kept to check that Decode gives the same bits and decisions.
func (v *Viterbi) decodeRef(dst []byte, soft []int8) {
	n := len(dst)
	soft = soft[:2*n]
	const minusInf = -1 << 28
	var m, next [convStates]int32
	for i := range m {
		m[i] = minusInf
	}
	m[0] = 0
	bf := func(p, q, x int32, d uint16, sh uint) (n0, n1 int32, dd uint16) {
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
	for k := range n {
		s0, s1 := int32(soft[2*k]), int32(soft[2*k+1])
		a, b := s0+s1, s0-s1
		var d uint16
		next[0], next[1], d = bf(m[0], m[8], a, d, 0)
		next[2], next[3], d = bf(m[1], m[9], b, d, 2)
		next[4], next[5], d = bf(m[2], m[10], a, d, 4)
		next[6], next[7], d = bf(m[3], m[11], b, d, 6)
		next[8], next[9], d = bf(m[4], m[12], -a, d, 8)
		next[10], next[11], d = bf(m[5], m[13], -b, d, 10)
		next[12], next[13], d = bf(m[6], m[14], -a, d, 12)
		next[14], next[15], d = bf(m[7], m[15], -b, d, 14)
		v.dec[k] = d
		m = next
	}
	s := 0
	for k := n - 1; k >= 0; k-- {
		dst[k] = byte(s & 1)
		s = s>>1 | int(v.dec[k]>>s&1)<<3
	}
}

// Decode is bit-exact with decodeRef, decisions included (ties and
// saturated soft bits too), on random soft bits of every length.
func TestViterbiMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for trial := range 3000 {
		n := 1 + r.IntN(MaxConvBits)
		soft := make([]int8, 2*n)
		for i := range soft {
			switch trial % 3 {
			case 0:
				soft[i] = int8(r.IntN(255) - 127)
			case 1: // few values: many ties
				soft[i] = int8(r.IntN(3)-1) * 64
			default:
				soft[i] = int8([]int{-127, 127, 0}[r.IntN(3)])
			}
		}
		var v1, v2 Viterbi
		d1, d2 := make([]byte, n), make([]byte, n)
		v1.Decode(d1, soft)
		v2.decodeRef(d2, soft)
		if string(d1) != string(d2) || v1.dec != v2.dec {
			t.Fatalf("trial %d (%d bits): Decode differs from decodeRef", trial, n)
		}
	}
}

// BenchmarkViterbiVsRef: Decode and decodeRef side by side on a noisy
// xCCH block, with CPU time per decode (the wall time of a loaded
// machine swings too much to compare).
func BenchmarkViterbiVsRef(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	u := make([]byte, 228)
	for i := range u[:224] {
		u[i] = byte(r.IntN(2))
	}
	c := make([]byte, 456)
	ConvEncode(c, u)
	soft := make([]int8, len(c))
	for i, v := range c {
		s := int8(60 + r.IntN(60))
		if v == 1 {
			s = -s
		}
		if r.Float64() < 0.04 {
			s = -s / 3
		}
		soft[i] = s
	}
	for _, impl := range []string{"ref", "now"} {
		b.Run(impl, func(b *testing.B) {
			var v Viterbi
			dst := make([]byte, len(u))
			b.ReportAllocs()
			var ru0, ru1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			for b.Loop() {
				if impl == "ref" {
					v.decodeRef(dst, soft)
				} else {
					v.Decode(dst, soft)
				}
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// convErrors counts what countErrors counts against ConvEncode's word.
func TestConvErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for trial := range 2000 {
		n := 1 + r.IntN(MaxConvBits)
		u := make([]byte, n)
		for i := range u {
			u[i] = byte(r.IntN(2))
		}
		soft := make([]int8, 2*n)
		for i := range soft {
			soft[i] = int8(r.IntN(256) - 128)
			if r.IntN(8) == 0 {
				soft[i] = 0
			}
		}
		re := make([]byte, 2*n)
		ConvEncode(re, u)
		if got, want := convErrors(u, soft), countErrors(re, soft); got != want {
			t.Fatalf("trial %d: convErrors = %d, want %d", trial, got, want)
		}
	}
}
