package kasumi

import (
	"encoding/binary"
	"fmt"
)

// KGCoreInput are the inputs of KGCORE, 3GPP TS 55.216 §4.1 (and TS 35.201
// §3, where f8 is KGCORE with CA=0, CB=BEARER, CC=COUNT-C, CD=DIRECTION).
type KGCoreInput struct {
	CA uint8  // 8 bits
	CB uint8  // 5 bits
	CC uint32 // 32 bits
	CD uint8  // 1 bit
	CE uint16 // 16 bits
}

// register returns the 64-bit initial register A = CC‖CB‖CD‖00‖CA‖CE,
// 3GPP TS 55.216 §4.3.
func (in KGCoreInput) register() uint64 {
	return uint64(in.CC)<<32 | uint64(in.CB&0x1F)<<27 | uint64(in.CD&1)<<26 |
		uint64(in.CA)<<16 | uint64(in.CE)
}

// km is the key modifier KM = 0x55…55, 3GPP TS 55.216 §4.3.
const km = 0x55

// Generator runs KGCORE for one 128-bit key CK. It keeps the two expanded
// keys (CK and CK⊕KM), so generating keystream for a new COUNT costs only
// the KASUMI block calls. The zero value is not usable; use Init.
type Generator struct {
	ck, ckm Cipher
}

// Init expands key ck.
func (g *Generator) Init(ck *[16]byte) {
	var mod [16]byte
	for i := range ck {
		mod[i] = ck[i] ^ km
	}
	g.ck.Init(ck)
	g.ckm.Init(&mod)
	clear(mod[:])
}

// Zero overwrites the expanded keys.
func (g *Generator) Zero() { g.ck.Zero(); g.ckm.Zero() }

// Keystream writes nbits bits of KGCORE output CO into out, most significant
// bit of out[0] first; bits past nbits in the last octet are zero. It returns
// ErrLength if out is shorter than ceil(nbits/8). 3GPP TS 55.216 §4.3.
func (g *Generator) Keystream(out []byte, nbits int, in KGCoreInput) error {
	n := (nbits + 7) / 8
	if nbits < 0 || len(out) < n {
		return fmt.Errorf("%w: %d bits need %d octets, have %d", ErrLength, nbits, n, len(out))
	}
	a := g.ckm.Encrypt(in.register())
	var ksb uint64
	var blk [8]byte
	for cnt, off := uint64(0), 0; off < n; cnt, off = cnt+1, off+8 {
		ksb = g.ck.Encrypt(a ^ cnt ^ ksb)
		binary.BigEndian.PutUint64(blk[:], ksb)
		copy(out[off:n], blk[:])
	}
	if r := nbits % 8; r != 0 {
		out[n-1] &= 0xFF << (8 - r)
	}
	return nil
}

// KGCore is a one-shot KGCORE: it expands ck, writes nbits of keystream into
// out and wipes the expanded key.
func KGCore(out []byte, nbits int, ck *[16]byte, in KGCoreInput) error {
	var g Generator
	g.Init(ck)
	err := g.Keystream(out, nbits, in)
	g.Zero()
	return err
}
