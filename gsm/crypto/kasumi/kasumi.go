package kasumi

import (
	"encoding/binary"
	"math/bits"
)

// keyConst are the constants C1..C8 of the key schedule, 3GPP TS 35.202 §4.4.
var keyConst = [8]uint16{0x0123, 0x4567, 0x89AB, 0xCDEF, 0xFEDC, 0xBA98, 0x7654, 0x3210}

// Cipher is KASUMI with an expanded 128-bit key. The zero value is not
// usable; build one with New or Init. A Cipher holds key material: callers
// that care should call Zero when done with it.
type Cipher struct {
	kl1, kl2      [8]uint16
	ko1, ko2, ko3 [8]uint16
	ki1, ki2, ki3 [8]uint16
}

// New returns a Cipher for the 128-bit key k (K1 is the first two octets).
func New(k *[16]byte) *Cipher {
	c := new(Cipher)
	c.Init(k)
	return c
}

// Init expands key k into c, 3GPP TS 35.202 §4.4. It does not allocate.
func (c *Cipher) Init(k *[16]byte) {
	var kk, kp [8]uint16
	for i := range 8 {
		kk[i] = binary.BigEndian.Uint16(k[2*i:])
		kp[i] = kk[i] ^ keyConst[i]
	}
	// Round i (1-based in the spec) uses K and K' indices that wrap modulo 8.
	for i := range 8 {
		c.kl1[i] = bits.RotateLeft16(kk[i], 1)
		c.kl2[i] = kp[(i+2)%8]
		c.ko1[i] = bits.RotateLeft16(kk[(i+1)%8], 5)
		c.ko2[i] = bits.RotateLeft16(kk[(i+5)%8], 8)
		c.ko3[i] = bits.RotateLeft16(kk[(i+6)%8], 13)
		c.ki1[i] = kp[(i+4)%8]
		c.ki2[i] = kp[(i+3)%8]
		c.ki3[i] = kp[(i+7)%8]
	}
}

// Zero overwrites the expanded key.
func (c *Cipher) Zero() { *c = Cipher{} }

// fi is the function FI, 3GPP TS 35.202 §4.3.2.
func fi(in, ki uint16) uint16 {
	l := in >> 7   // 9 bits
	r := in & 0x7F // 7 bits
	ki1 := ki >> 9
	ki2 := ki & 0x1FF

	l, r = r, s9[l]^r                // L1 = R0, R1 = S9[L0] ⊕ ZE(R0)
	l, r = r^ki2, s7[l]^(r&0x7F)^ki1 // L2 = R1 ⊕ KI2, R2 = S7[L1] ⊕ TR(R1) ⊕ KI1
	l, r = r, s9[l]^r                // L3 = R2, R3 = S9[L2] ⊕ ZE(R2)
	l = s7[l] ^ (r & 0x7F)           // L4 = S7[L3] ⊕ TR(R3), R4 = R3
	return l<<9 | r
}

// fo is the function FO of round i, 3GPP TS 35.202 §4.3.1.
func (c *Cipher) fo(in uint32, i int) uint32 {
	l := uint16(in >> 16)
	r := uint16(in)
	l, r = r, fi(l^c.ko1[i], c.ki1[i])^r
	l, r = r, fi(l^c.ko2[i], c.ki2[i])^r
	l, r = r, fi(l^c.ko3[i], c.ki3[i])^r
	return uint32(l)<<16 | uint32(r)
}

// fl is the function FL of round i, 3GPP TS 35.202 §4.3.3.
func (c *Cipher) fl(in uint32, i int) uint32 {
	l := uint16(in >> 16)
	r := uint16(in)
	r ^= bits.RotateLeft16(l&c.kl1[i], 1)
	l ^= bits.RotateLeft16(r|c.kl2[i], 1)
	return uint32(l)<<16 | uint32(r)
}

// Encrypt enciphers the 64-bit block x (the first input bit is the most
// significant), 3GPP TS 35.202 §4.2.
func (c *Cipher) Encrypt(x uint64) uint64 {
	l := uint32(x >> 32)
	r := uint32(x)
	for i := 0; i < 8; i += 2 {
		// Odd rounds (1, 3, 5, 7): f = FO(FL(L)); even rounds: f = FL(FO(L)).
		r ^= c.fo(c.fl(l, i), i)
		l ^= c.fl(c.fo(r, i+1), i+1)
	}
	return uint64(l)<<32 | uint64(r)
}

// EncryptBlock enciphers one 8-octet block from src into dst (they may alias).
func (c *Cipher) EncryptBlock(dst, src *[8]byte) {
	binary.BigEndian.PutUint64(dst[:], c.Encrypt(binary.BigEndian.Uint64(src[:])))
}
