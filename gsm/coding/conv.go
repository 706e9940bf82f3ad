package coding

// The convolutional code of 3GPP TS 45.003 §3.1.2.2 (also used by §4.1.3,
// §4.2.3, §4.6 and §4.7): rate 1/2, constraint length 5,
//
//	G0 = 1 + D³ + D⁴
//	G1 = 1 + D + D³ + D⁴
//
// so that c(2k) = u(k) + u(k−3) + u(k−4) and
// c(2k+1) = u(k) + u(k−1) + u(k−3) + u(k−4), with u(k) = 0 for k < 0.
// Every block ends with four zero tail bits, so the encoder starts and ends
// in the all-zero state.

// A trellis state holds the last four input bits: bit 0 is u(k−1), bit 1
// u(k−2), bit 2 u(k−3), bit 3 u(k−4).
const (
	convStates = 16
	// MaxConvBits is the longest input (with tail) a Viterbi decodes: the
	// 228 bits of an xCCH or FACCH block.
	MaxConvBits = 228
)

// convOut[s][u] holds the two output bits (c(2k) in bit 1, c(2k+1) in
// bit 0) for input u in state s.
var convOut = func() (t [convStates][2]uint8) {
	for s := range convStates {
		for u := range 2 {
			d1, d3, d4 := s&1, s>>2&1, s>>3&1
			c0 := u ^ d3 ^ d4
			c1 := u ^ d1 ^ d3 ^ d4
			t[s][u] = uint8(c0<<1 | c1)
		}
	}
	return t
}()

// butterfly does the add-compare-select of the two predecessor states with
// metrics p (u(k−4) = 0) and q (u(k−4) = 1) into successor states 2i and
// 2i+1, whose decision bits go to bits sh and sh+1 of d.
func butterfly(p, q, x int32, d uint16, sh uint) (n0, n1 int32, dd uint16) {
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

// ConvEncode encodes the bits of u (0 or 1, tail included) into
// dst[:2*len(u)]. It panics if dst is too short (a programmer error).
func ConvEncode(dst, u []byte) {
	dst = dst[:2*len(u)]
	s := 0
	for k, b := range u {
		b &= 1
		o := convOut[s][b]
		dst[2*k] = o >> 1
		dst[2*k+1] = o & 1
		s = (s<<1 | int(b)) & (convStates - 1)
	}
}

// Viterbi is a soft-decision maximum-likelihood decoder for the code above.
// Its zero value is ready to use; it holds the survivor decisions so that a
// decode allocates nothing. A Viterbi value is about 0.5 KiB and may live on
// the stack.
type Viterbi struct {
	dec [MaxConvBits]uint16 // bit s set: the survivor into state s came from the predecessor with u(k−4) = 1
}

// Decode finds the input sequence, of len(dst) bits ending with the four
// zero tail bits, whose code word is closest to soft[:2*len(dst)] and writes
// it to dst. The path starts and ends in the zero state. Soft bits follow the
// package convention (positive means 0); a zero soft bit is an erasure, which
// is how punctured positions are fed in. Decode panics if len(dst) exceeds
// MaxConvBits or soft is short (programmer errors).
func (v *Viterbi) Decode(dst []byte, soft []int8) {
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
		// Butterflies: states i and i+8 both lead to 2i (input 0) and 2i+1
		// (input 1). Flipping u(k−4) or the input flips both output bits
		// (both generators tap D⁰ and D⁴), so one branch metric x serves
		// all four transitions with a sign. For upper state i the outputs
		// on input 0 are c0 = u(k−3), c1 = u(k−1)+u(k−3), so x is ±A or ±B
		// with A = s0+s1 (output 00) and B = s0−s1 (output 01).
		a, b := s0+s1, s0-s1
		var d uint16
		next[0], next[1], d = butterfly(m[0], m[8], a, d, 0)
		next[2], next[3], d = butterfly(m[1], m[9], b, d, 2)
		next[4], next[5], d = butterfly(m[2], m[10], a, d, 4)
		next[6], next[7], d = butterfly(m[3], m[11], b, d, 6)
		next[8], next[9], d = butterfly(m[4], m[12], -a, d, 8)
		next[10], next[11], d = butterfly(m[5], m[13], -b, d, 10)
		next[12], next[13], d = butterfly(m[6], m[14], -a, d, 12)
		next[14], next[15], d = butterfly(m[7], m[15], -b, d, 14)
		v.dec[k] = d
		m = next
	}
	// Trace back from the zero state the tail forces.
	s := 0
	for k := n - 1; k >= 0; k-- {
		dst[k] = byte(s & 1)
		s = s>>1 | int(v.dec[k]>>s&1)<<3
	}
}
