package a5

import (
	"github.com/gsmbox/gsmbox/gsm/crypto/kasumi"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A53Key holds the expanded KASUMI keys for one Kc, so that per-frame A5/3
// keystream costs five KASUMI blocks and no key schedule. Build it once per
// ciphering start (Cipher Mode Command) and call Zero when the channel is
// released.
type A53Key struct{ g kasumi.Generator }

// Init expands kc: CK = Kc‖Kc (3GPP TS 55.216 §3.3, 64-bit Kc).
func (k *A53Key) Init(kc [8]byte) {
	var ck [16]byte
	copy(ck[:8], kc[:])
	copy(ck[8:], kc[:])
	k.g.Init(&ck)
	clear(ck[:])
}

// Zero wipes the expanded keys.
func (k *A53Key) Zero() { k.g.Zero() }

// Keystream writes the A5/3 keystream of frame fn: BLOCK1 (downlink) into
// dl and BLOCK2 (uplink) into ul; either may be nil.
func (k *A53Key) Keystream(dl, ul *[114]byte, fn tdma.FN) { k.KeystreamCount(dl, ul, Count(fn)) }

// KeystreamCount is Keystream with COUNT given directly.
func (k *A53Key) KeystreamCount(dl, ul *[114]byte, count uint32) {
	var co [30]byte
	k.packed(&co, count)
	if dl != nil {
		for i := range dl {
			dl[i] = co[i/8] >> (7 - i%8) & 1
		}
	}
	if ul != nil {
		for i := range ul {
			j := i + 114
			ul[i] = co[j/8] >> (7 - j%8) & 1
		}
	}
	clear(co[:])
}

// packed runs KGCORE with the A5/3 inputs CA=0x0F, CB=0, CC=0…0‖COUNT,
// CD=0, CE=0 for 228 bits (3GPP TS 55.216 §3.3, §4).
func (k *A53Key) packed(co *[30]byte, count uint32) {
	// co has room for 228 bits (29 octets) plus a zero octet that lets
	// KeystreamPacked shift BLOCK2 without a bounds special case.
	_ = k.g.Keystream(co[:], 228, kasumi.KGCoreInput{CA: 0x0F, CC: count & (1<<22 - 1)})
}

// KeystreamPacked writes BLOCK1 and BLOCK2 packed into 15 octets each, first
// bit most significant, the last 6 bits zero.
func (k *A53Key) KeystreamPacked(dl, ul *[15]byte, fn tdma.FN) {
	var co [30]byte
	k.packed(&co, Count(fn))
	if dl != nil {
		copy(dl[:], co[:15])
		dl[14] &= 0xC0
	}
	if ul != nil {
		// BLOCK2 starts at bit 114 = octet 14, bit 2.
		for i := range 15 {
			ul[i] = co[14+i]<<2 | co[15+i]>>6
		}
		ul[14] &= 0xC0
	}
	clear(co[:])
}

// A53 writes the A5/3 keystream of frame fn for Kc (a one-shot A53Key).
func A53(dl, ul *[114]byte, kc [8]byte, fn tdma.FN) {
	var k A53Key
	k.Init(kc)
	k.Keystream(dl, ul, fn)
	k.Zero()
}

// A53Packed is A53 with packed output.
func A53Packed(dl, ul *[15]byte, kc [8]byte, fn tdma.FN) {
	var k A53Key
	k.Init(kc)
	k.KeystreamPacked(dl, ul, fn)
	k.Zero()
}
