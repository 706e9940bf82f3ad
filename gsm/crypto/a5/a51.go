package a5

import (
	"encoding/binary"
	"math/bits"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A5/1 register layout (3GPP TS 43.020 Annex C, as published by Briceno,
// Goldberg and Wagner): three LFSRs of 19, 22 and 23 bits, each with its
// feedback taps, its clocking bit and its output at the top bit.
const (
	r1Mask = 1<<19 - 1
	r2Mask = 1<<22 - 1
	r3Mask = 1<<23 - 1

	r1Taps = 1<<18 | 1<<17 | 1<<16 | 1<<13
	r2Taps = 1<<21 | 1<<20
	r3Taps = 1<<22 | 1<<21 | 1<<20 | 1<<7

	r1Clk = 1 << 8
	r2Clk = 1 << 10
	r3Clk = 1 << 10

	r1Out = 18
	r2Out = 21
	r3Out = 22
)

type a51State struct{ r1, r2, r3 uint32 }

func parity(x uint32) uint32 { return uint32(bits.OnesCount32(x) & 1) }

// step shifts a register once, feeding back the parity of its taps XOR in.
func step(r, mask, taps, in uint32) uint32 {
	return (r<<1 | (parity(r&taps) ^ in)) & mask
}

// clockAll clocks the three registers regardless of the majority, mixing
// bit in into each (key and COUNT loading).
func (s *a51State) clockAll(in uint32) {
	s.r1 = step(s.r1, r1Mask, r1Taps, in)
	s.r2 = step(s.r2, r2Mask, r2Taps, in)
	s.r3 = step(s.r3, r3Mask, r3Taps, in)
}

// clockMajority clocks the registers whose clocking bit agrees with the
// majority of the three clocking bits, then returns the output bit.
func (s *a51State) clockMajority() byte {
	c1 := s.r1 & r1Clk >> 8
	c2 := s.r2 & r2Clk >> 10
	c3 := s.r3 & r3Clk >> 10
	maj := (c1 & c2) | (c1 & c3) | (c2 & c3)
	if c1 == maj {
		s.r1 = step(s.r1, r1Mask, r1Taps, 0)
	}
	if c2 == maj {
		s.r2 = step(s.r2, r2Mask, r2Taps, 0)
	}
	if c3 == maj {
		s.r3 = step(s.r3, r3Mask, r3Taps, 0)
	}
	return byte((s.r1>>r1Out ^ s.r2>>r2Out ^ s.r3>>r3Out) & 1)
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
	for range 100 {
		s.clockMajority()
	}
}

// A51 writes the A5/1 keystream for frame fn: 114 downlink bits into dl
// and the next 114 bits, for the uplink, into ul. Either may be nil.
func A51(dl, ul *[114]byte, kc [8]byte, fn tdma.FN) { A51Count(dl, ul, &kc, Count(fn)) }

// A51Count is A51 with the 22-bit COUNT given directly.
func A51Count(dl, ul *[114]byte, kc *[8]byte, count uint32) {
	var s a51State
	s.setup(kc, count&(1<<22-1))
	if dl != nil {
		for i := range dl {
			dl[i] = s.clockMajority()
		}
	} else {
		for range 114 {
			s.clockMajority()
		}
	}
	if ul != nil {
		for i := range ul {
			ul[i] = s.clockMajority()
		}
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
