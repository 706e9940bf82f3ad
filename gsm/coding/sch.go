package coding

import "github.com/gsmbox/gsmbox/gsm/tdma"

// SCH: the synchronisation channel, 3GPP TS 45.003 §4.7. 25 information bits,
// 10 parity bits, 4 tail bits; 39 bits through the convolutional code give
// the 78 bits of the synchronisation burst, c(0)..c(38) before the extended
// training sequence and c(39)..c(77) after it (tdma.SCH places them).

const (
	schInfoBits = 25
	schClassI   = schInfoBits + 10 + 4 // 39
	schCoded    = 2 * schClassI        // 78
)

// EncodeSCH codes the 25 SCH information bits (see PackSCHInfo) into the 78
// coded bits of a synchronisation burst.
func EncodeSCH(dst *[78]byte, info *[25]byte) {
	var u [schClassI]byte
	for i, b := range info {
		u[i] = b & 1
	}
	schCode.encode(u[schInfoBits:], u[:schInfoBits])
	ConvEncode(dst[:], u[:])
}

// DecodeSCH decodes the 78 coded bits of a received synchronisation burst.
// The bool is true when the parity checks; info is written either way.
func DecodeSCH(info *[25]byte, soft *[78]int8) (Quality, bool) {
	var v Viterbi
	var u [schClassI]byte
	v.Decode(u[:], soft[:])
	copy(info[:], u[:schInfoBits])
	ok := schCode.check(u[:schInfoBits], u[schInfoBits:schInfoBits+10])
	return Quality{convErrors(u[:], soft[:]), schCoded}, ok
}

// PackSCHInfo fills the 25 SCH information bits with the Synchronization
// Channel Information element of 3GPP TS 44.018 §9.1.30 for a cell with
// identity bsic at frame fn:
//
//	octet 1: BSIC (6 bits) | T1 bits 10..9
//	octet 2: T1 bits 8..1
//	octet 3: T1 bit 0 | T2 (5 bits) | T3' bits 2..1
//	octet 4: T3' bit 0 (in bit 1 of the octet)
//
// with the octets sent bit 1 (least significant) first, TS 44.004 §7, as on
// the other control channels. T1 = FN div 1326, T2 = FN mod 26 and
// T3' = (FN mod 51 − 1) div 10 (TS 45.002 §3.3.2.2.1); fn should be a frame
// that carries the SCH (FN mod 51 ∈ {1, 11, 21, 31, 41}).
func PackSCHInfo(info *[25]byte, bsic tdma.BSIC, fn tdma.FN) {
	t1, t2, t3p := fn.T1(), fn.T2(), fn.T3p()
	if t3p < 0 { // FN mod 51 = 0 carries no SCH; keep the field in range.
		t3p = 0
	}
	o := [4]byte{
		bsic.Value()<<2 | byte(t1>>9&3),
		byte(t1 >> 1),
		byte(t1&1)<<7 | byte(t2&31)<<2 | byte(t3p>>1&3),
		byte(t3p & 1),
	}
	var bits [32]byte
	unpackLSB(bits[:], o[:])
	copy(info[:], bits[:schInfoBits])
}

// UnpackSCHInfo is the inverse of PackSCHInfo. The frame number of the SCH
// burst is tdma.FromT(t1, t2, 10*t3p+1).
func UnpackSCHInfo(info *[25]byte) (bsic tdma.BSIC, t1, t2, t3p int) {
	var bits [32]byte
	copy(bits[:], info[:])
	for i := range bits[:schInfoBits] {
		bits[i] &= 1
	}
	var o [4]byte
	packLSB(o[:], bits[:])
	bsic = tdma.BSICFromValue(o[0] >> 2)
	t1 = int(o[0]&3)<<9 | int(o[1])<<1 | int(o[2]>>7)
	t2 = int(o[2] >> 2 & 31)
	t3p = int(o[2]&3)<<1 | int(o[3]&1)
	return bsic, t1, t2, t3p
}
