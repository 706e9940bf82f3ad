package ecu

import "math"

// EFR substitution and muting after the example solution of 3GPP TS 46.061
// §6, applied to the parameter indices of the frame instead of inside a
// decoder (gsmbox relays EFR frames without decoding them):
//
//   - a state counts the consecutive bad frames, 0 (good) to 6;
//   - a substituted frame repeats the last good frame's LSF indices and
//     pitch lags;
//   - its adaptive (pitch) gain is P(state) times the smaller of the last
//     subframe's gain and the median of the last five, rounded down to a
//     quantiser index of TS 46.060 §5.7 (qua_gain_pitch); the substituted
//     gains enter the history, so the attenuation compounds, subframe by
//     subframe (P = 0.98, 0.98, 0.8, 0.3, 0.2, 0.2 for states 1..6);
//   - its fixed codebook gain is to fall by C(state) per subframe from the
//     last good subframe's (C = 0.98, 0.98, 0.98, 0.98, 0.98, 0.7). The
//     frame carries only the correction factor γ (qua_gain_code); the
//     decoder multiplies it by a gain it predicts from the past factors
//     (§5.7: a moving average of 20·log10 γ with coefficients 0.68, 0.58,
//     0.34, 0.19). The ECU runs the same prediction on the factors it has
//     relayed and picks, each subframe, the index whose γ brings the
//     decoded gain nearest to the target;
//   - from the second substituted frame on, the fixed codebook pulse
//     positions and signs are random, so that no 50 Hz buzz builds up;
//   - after MuteAfter substituted frames, the frame is muted: both gains
//     at their lowest index in every subframe (a zero pitch gain and the
//     smallest fixed codebook gain factor, which also drives the decoder's
//     predicted gain down), and so on until a good frame.
//
// Two parts of §6 need a decoder and are left out: the LSFs are not
// shifted towards their mean, and the first good frame after a loss is not
// limited in gain (it is relayed bit for bit).

// EFRFrameSize is the size of an EFR frame in the RTP payload format: the
// 0xC signature nibble and 244 bits in TS 46.060 parameter order.
const EFRFrameSize = 31

// Bit offsets (after the signature nibble) of the fields of TS 46.060
// Table 6 that substitution touches, per subframe: the adaptive codebook
// gain (4 bits), the 35 fixed codebook bits and the fixed codebook gain
// (5 bits). Subframes 1 and 3 have a 9-bit pitch lag, 2 and 4 a 6-bit
// relative one; the LSF indices take the first 38 bits.
var efrSub = [4]struct{ gp, pulses, gc int }{
	{47, 51, 86},
	{97, 101, 136},
	{150, 154, 189},
	{200, 204, 239},
}

// Quantiser tables of TS 46.060 §5.7 (and §6.1): the adaptive codebook
// gain in Q14 and the fixed codebook gain correction factor in Q11.
var (
	quaGainPitch = [16]int32{0, 3277, 6556, 8192, 9830, 11469, 12288, 13107,
		13926, 14746, 15565, 16384, 17203, 18022, 18842, 19661}
	quaGainCode = [32]int32{159, 206, 268, 349, 419, 482, 554, 637,
		733, 842, 969, 1114, 1281, 1473, 1694, 1948,
		2241, 2577, 2963, 3408, 3919, 4507, 5183, 5960,
		6855, 7883, 9065, 10425, 12510, 16263, 21142, 27485}
)

// Adaptive codebook gain attenuation of TS 46.061 §6 by state 1..6, in
// Q15.
var efrP = [7]int32{0, 32113, 32113, 26214, 9830, 6554, 6554}

// efrPred are the moving-average prediction coefficients of the fixed
// codebook gain (TS 46.060 §5.7), newest subframe first.
var efrPred = [4]float64{0.68, 0.58, 0.34, 0.19}

// gainCodeDB is 20·log10 of quaGainCode (as a factor, Q11 → 1.0 = 2048).
var gainCodeDB = func() (t [32]float64) {
	for i, v := range quaGainCode {
		t[i] = 20 * math.Log10(float64(v)/2048)
	}
	return t
}()

// Attenuation per subframe in dB, 20·log10 C(state).
var efrCdB = [7]float64{0, -0.175, -0.175, -0.175, -0.175, -0.175, -3.098}

type efrState struct {
	last   [EFRFrameSize]byte
	have   bool
	state  int
	gp     [5]int32   // last five subframes' adaptive gains (Q14), newest first
	gcdB   [4]float64 // last four relayed γ in dB, newest first (the decoder's predictor memory)
	ref    float64    // decoded fixed codebook gain of the last good subframe, dB (up to a constant)
	target float64    // the gain the substitutes aim at, dB relative to ref
	rnd    uint32
}

// predicted returns the decoder's predicted gain offset from the relayed
// history, in dB.
func (s *efrState) predicted() float64 {
	var p float64
	for i, b := range efrPred {
		p += b * s.gcdB[i]
	}
	return p
}

func (s *efrState) pushGC(i uint32) {
	copy(s.gcdB[1:], s.gcdB[:3])
	s.gcdB[0] = gainCodeDB[i]
}

func getBits(f *[EFRFrameSize]byte, off, n int) uint32 {
	var v uint32
	for i := range n {
		b := 4 + off + i
		v = v<<1 | uint32(f[b/8]>>(7-b%8)&1)
	}
	return v
}

func setBits(f *[EFRFrameSize]byte, off, n int, v uint32) {
	for i := range n {
		b := 4 + off + i
		bit := byte(v>>(n-1-i)) & 1
		f[b/8] = f[b/8]&^(1<<(7-b%8)) | bit<<(7-b%8)
	}
}

func push(h *[5]int32, v int32) {
	copy(h[1:], h[:4])
	h[0] = v
}

func median5(h *[5]int32) int32 {
	s := *h
	for i := 1; i < 5; i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[2]
}

// floorIndex returns the largest index whose table value is at most v.
func floorIndex(table []int32, v int32) uint32 {
	i := 0
	for i+1 < len(table) && table[i+1] <= v {
		i++
	}
	return uint32(i)
}

func (s *efrState) good(f *[EFRFrameSize]byte) {
	s.last, s.have, s.state, s.target = *f, true, 0, 0
	for _, sf := range efrSub {
		push(&s.gp, quaGainPitch[getBits(f, sf.gp, 4)])
		i := getBits(f, sf.gc, 5)
		s.ref = gainCodeDB[i] + s.predicted()
		s.pushGC(i)
	}
}

// nearestGC returns the γ index whose decoded gain is nearest to want dB.
func (s *efrState) nearestGC(want float64) uint32 {
	need := want - s.predicted()
	best, bestErr := uint32(0), math.Inf(1)
	for i, v := range gainCodeDB {
		if e := math.Abs(v - need); e < bestErr {
			best, bestErr = uint32(i), e
		}
	}
	return best
}

func (s *efrState) next() uint32 {
	x := s.rnd
	if x == 0 {
		x = 0x9E3779B9
	}
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	s.rnd = x
	return x
}

// substitute writes the substitute for the lost-th consecutive bad frame.
func (s *efrState) substitute(dst *[EFRFrameSize]byte, lost int) Kind {
	s.state = min(s.state+1, 6)
	if !s.have || lost > MuteAfter {
		if !s.have {
			*dst = [EFRFrameSize]byte{0xC0}
		} else {
			*dst = s.last
		}
		for _, sf := range efrSub {
			setBits(dst, sf.gp, 4, 0)
			setBits(dst, sf.gc, 5, 0)
			push(&s.gp, 0)
			s.pushGC(0)
		}
		return Muted
	}
	*dst = s.last
	for _, sf := range efrSub {
		gp := min(s.gp[0], median5(&s.gp)) * efrP[s.state] >> 15
		ip := floorIndex(quaGainPitch[:], gp)
		s.target += efrCdB[s.state]
		ic := s.nearestGC(s.ref + s.target)
		setBits(dst, sf.gp, 4, ip)
		setBits(dst, sf.gc, 5, ic)
		push(&s.gp, quaGainPitch[ip])
		s.pushGC(ic)
		if lost > 1 {
			setBits(dst, sf.pulses, 32, s.next())
			setBits(dst, sf.pulses+32, 3, s.next()>>29)
		}
	}
	if lost == 1 {
		return Repeated
	}
	return Attenuated
}
