package a5

import (
	"encoding/binary"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A5/1 register layout. 3GPP TS 43.020 Annex C gives only the interface of
// A5 (Kc, COUNT, two 114-bit blocks); the internals used here are those
// published by Briceno, Goldberg and Wagner (1999) and pinned by the test
// vectors: three LFSRs of 19, 22 and 23 bits, each with its feedback taps,
// its clocking bit and its output at the top bit.
const (
	r1Mask = 1<<19 - 1
	r2Mask = 1<<22 - 1
	r3Mask = 1<<23 - 1

	// Taps (fb1..fb3): R1 bits 18, 17, 16, 13; R2 bits 21, 20;
	// R3 bits 22, 21, 20, 7. Clocking bits: R1 bit 8, R2 and R3 bit 10.

	r1Out = 18
	r2Out = 21
	r3Out = 22
)

type a51State struct{ r1, r2, r3 uint32 }

// Feedback of each register: the XOR of its tap bits.
func fb1(r uint32) uint32 { return (r>>18 ^ r>>17 ^ r>>16 ^ r>>13) & 1 }
func fb2(r uint32) uint32 { return (r>>21 ^ r>>20) & 1 }
func fb3(r uint32) uint32 { return (r>>22 ^ r>>21 ^ r>>20 ^ r>>7) & 1 }

// clockAll clocks the three registers regardless of the majority, mixing
// bit in into each (key and COUNT loading).
func (s *a51State) clockAll(in uint32) {
	s.r1 = (s.r1<<1 | (fb1(s.r1) ^ in)) & r1Mask
	s.r2 = (s.r2<<1 | (fb2(s.r2) ^ in)) & r2Mask
	s.r3 = (s.r3<<1 | (fb3(s.r3) ^ in)) & r3Mask
}

// majority runs n majority clocks (a register moves when its clocking bit
// agrees with the majority of the three clocking bits),
// writing the output bit after each clock to out[i] when out is not nil.
// It is branch-free: a register that does not move is selected by mask.
func (s *a51State) majority(out []byte, n int) {
	r1, r2, r3 := s.r1, s.r2, s.r3
	if out != nil {
		out = out[:n]
	}
	for i := range n {
		c1 := r1 >> 8 & 1
		c2 := r2 >> 10 & 1
		c3 := r3 >> 10 & 1
		maj := c1&c2 | c1&c3 | c2&c3
		m1 := -(1 ^ c1 ^ maj) // all ones when register 1 moves
		m2 := -(1 ^ c2 ^ maj)
		m3 := -(1 ^ c3 ^ maj)
		r1 = ((r1<<1|fb1(r1))&r1Mask)&m1 | r1&^m1
		r2 = ((r2<<1|fb2(r2))&r2Mask)&m2 | r2&^m2
		r3 = ((r3<<1|fb3(r3))&r3Mask)&m3 | r3&^m3
		if out != nil {
			out[i] = byte((r1>>r1Out ^ r2>>r2Out ^ r3>>r3Out) & 1)
		}
	}
	s.r1, s.r2, s.r3 = r1, r2, r3
}

// setup loads Kc and COUNT and runs the 100 discarded mixing clocks.
func (s *a51State) setup(kc *[8]byte, count uint32) {
	*s = a51State{}
	// Kc bit i is bit i of Kc read as a big-endian 64-bit number: the last
	// octet's least significant bit goes in first.
	k := binary.BigEndian.Uint64(kc[:])
	for i := range 64 {
		s.clockAll(uint32(k>>i) & 1)
	}
	for i := range 22 {
		s.clockAll(count >> i & 1)
	}
	s.majority(nil, 100)
}

// A51 writes the A5/1 keystream for frame fn: 114 downlink bits into dl
// and the next 114 bits, for the uplink, into ul. Either may be nil.
func A51(dl, ul *[114]byte, kc [8]byte, fn tdma.FN) { A51Count(dl, ul, &kc, Count(fn)) }

// A51Count is A51 with the 22-bit COUNT given directly.
func A51Count(dl, ul *[114]byte, kc *[8]byte, count uint32) {
	var s a51State
	s.setup(kc, count&(1<<22-1))
	if dl != nil {
		s.majority(dl[:], 114)
	} else {
		s.majority(nil, 114)
	}
	if ul != nil {
		s.majority(ul[:], 114)
	}
	s = a51State{}
}

// A51Packed is A51 with each 114-bit block packed into 15 octets, first bit
// in the most significant position, the last 6 bits zero.
func A51Packed(dl, ul *[15]byte, kc [8]byte, fn tdma.FN) {
	var d, u [114]byte
	A51Count(&d, &u, &kc, Count(fn))
	if dl != nil {
		Pack(dl, &d)
	}
	if ul != nil {
		Pack(ul, &u)
	}
}

// Pack packs 114 unpacked bits into 15 octets, most significant bit first.
func Pack(dst *[15]byte, src *[114]byte) {
	*dst = [15]byte{}
	for i, b := range src {
		dst[i/8] |= (b & 1) << (7 - i%8)
	}
}

// Unpack is the inverse of Pack; the 6 padding bits of dst[14] are ignored.
func Unpack(dst *[114]byte, src *[15]byte) {
	for i := range dst {
		dst[i] = src[i/8] >> (7 - i%8) & 1
	}
}
