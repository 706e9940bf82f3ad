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

// acs does the add-compare-select of a butterfly: predecessor states
// with metrics p (u(k−4) = 0) and q (u(k−4) = 1) into successor states
// 2i (n0) and 2i+1 (n1), with their decision bits in bits 0 and 1 of d (set:
// the survivor came from q, which won strictly; a tie keeps p). Without
// branches: a decision is the sign of the difference, and max compiles to
// a conditional move, so the random decisions of a noisy block cost no
// mispredicted jumps. Metrics stay far from overflow: they start at
// −2^28 or 0 and move by at most 254 a step over at most 228 steps.
func acs(p, q, x int32) (n0, n1 int32, d uint32) {
	u0, v0 := p+x, q-x
	u1, v1 := p-x, q+x
	return max(u0, v0), max(u1, v1), uint32(u0-v0)>>31 | uint32(u1-v1)>>31<<1
}

// acsStep advances the metrics m of one trellis step into nx on the soft
// bits s0, s1 of its two code bits and returns the step's decisions, a
// bit per successor state.
//
// Butterflies: states i and i+8 both lead to 2i (input 0) and 2i+1 (input
// 1). Flipping u(k−4) or the input flips both output bits (both
// generators tap D⁰ and D⁴), so one branch metric x serves all four
// transitions with a sign. For upper state i the outputs on input 0 are
// c0 = u(k−3), c1 = u(k−1)+u(k−3), so x is ±A or ±B with A = s0+s1
// (output 00) and B = s0−s1 (output 01).
func acsStep(m, nx *[convStates]int32, s0, s1 int32) uint16 {
	a, b := s0+s1, s0-s1
	var d, e uint32
	nx[0], nx[1], d = acs(m[0], m[8], a)
	nx[2], nx[3], e = acs(m[1], m[9], b)
	d |= e << 2
	nx[4], nx[5], e = acs(m[2], m[10], a)
	d |= e << 4
	nx[6], nx[7], e = acs(m[3], m[11], b)
	d |= e << 6
	nx[8], nx[9], e = acs(m[4], m[12], -a)
	d |= e << 8
	nx[10], nx[11], e = acs(m[5], m[13], -b)
	d |= e << 10
	nx[12], nx[13], e = acs(m[6], m[14], -a)
	d |= e << 12
	nx[14], nx[15], e = acs(m[7], m[15], -b)
	d |= e << 14
	return uint16(d)
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
	dec := v.dec[:n]
	const minusInf = -1 << 28
	// Two metric arrays in turn, two steps an iteration: no copy between
	// steps.
	var a, b [convStates]int32
	for i := range a {
		a[i] = minusInf
	}
	a[0] = 0
	k := 0
	for ; k+1 < n; k += 2 {
		dec[k] = acsStep(&a, &b, int32(soft[2*k]), int32(soft[2*k+1]))
		dec[k+1] = acsStep(&b, &a, int32(soft[2*k+2]), int32(soft[2*k+3]))
	}
	if k < n {
		dec[k] = acsStep(&a, &b, int32(soft[2*k]), int32(soft[2*k+1]))
	}
	// Trace back from the zero state the tail forces.
	s := 0
	for k := n - 1; k >= 0; k-- {
		dst[k] = byte(s & 1)
		s = s>>1 | int(dec[k]>>s&1)<<3
	}
}
