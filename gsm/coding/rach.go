package coding

import "github.com/gsmbox/gsmbox/gsm/tdma"

// RACH: the random access channel, 3GPP TS 45.003 §4.6 (8-bit access burst)
// and §5.3.2 (11-bit access burst of the EGPRS Packet Channel Request).
//
// The information bits d(0).. of the 8-bit format are the RA octet least
// significant bit first (the TS 44.004 §7 octet order, like every other
// signalling octet). For the 11-bit format the value is laid in two octets,
// RA bits 10..3 in the first and bits 2..0 in the low bits of the second, and
// sent in the same order: d(0..7) = RA bits 3..10, d(8..10) = RA bits 0..2.
// This is the order of libosmocoding (osmo-bts-trx, osmo-pcu), our interop
// partner, checked bit for bit in TestRACHAgainstLibosmocoding. The six
// parity bits of the code g(D) = D⁶+D⁵+D³+D²+D+1, inverted, are added
// modulo 2 to the BSIC of the target cell, b(0) = MSB of the NCC … b(5) =
// LSB of the BCC, which gives the colour bits C(0)..C(5). Four tail bits
// follow, and the convolutional code gives 36 bits (8-bit format) or 42
// bits punctured to 36 (11-bit format).

const (
	rachCoded = 36
	rachClass = 8 + 6 + 4  // 18
	rach11    = 11 + 6 + 4 // 21
)

// rach11Punctured lists the coded bits of the 11-bit format that are not
// transmitted, §5.3.2.
var rach11Punctured = [6]int{0, 2, 5, 37, 39, 41}

func bsicBits(dst []byte, bsic tdma.BSIC) {
	v := bsic.Value()
	for k := range 6 {
		dst[k] = v >> (5 - k) & 1
	}
}

// rachBit returns which bit of the RA value is information bit d(k).
func rachBit(n, k int) int {
	if n == 8 {
		return k
	}
	if k < 8 {
		return k + 3
	}
	return k - 8
}

func rachInfo(u []byte, ra uint16, n int, bsic tdma.BSIC) {
	for k := range n {
		u[k] = byte(ra >> rachBit(n, k) & 1)
	}
	rachCode.encode(u[n:], u[:n])
	var b [6]byte
	bsicBits(b[:], bsic)
	for k := range 6 {
		u[n+k] ^= b[k]
	}
	clear(u[n+6 : n+10])
}

// EncodeRACH codes an 8-bit random access reference (the Channel Request
// message of TS 44.018 §9.1.8) for the cell with identity bsic into the 36
// coded bits of an access burst.
func EncodeRACH(dst *[36]byte, ra uint8, bsic tdma.BSIC) {
	var u [rachClass]byte
	rachInfo(u[:], uint16(ra), 8, bsic)
	ConvEncode(dst[:], u[:])
}

// DecodeRACH decodes the 36 coded bits of a received access burst. ok is
// true when the colour bits match bsic: the burst was sent to this cell
// without an error the code detects.
//
// Six colour bits are a weak check: on pure noise ok comes out true for
// about 1 burst in 64 (TestRACHOnNoise). Such false bursts show many
// errors, typically 5 to 12 of 36, so the caller should also bound
// q.BitErrors (and rely on the transceiver's burst detection) before
// answering with an Immediate Assignment.
func DecodeRACH(soft *[36]int8, bsic tdma.BSIC) (ra uint8, q Quality, ok bool) {
	var v Viterbi
	var u [rachClass]byte
	v.Decode(u[:], soft[:])
	for k := range 8 {
		ra |= u[k] << k
	}
	ok = checkColour(u[:8], u[8:14], bsic)
	return ra, Quality{convErrors(u[:], soft[:]), rachCoded}, ok
}

func checkColour(d, c []byte, bsic tdma.BSIC) bool {
	var want [6]byte
	rachCode.encode(want[:], d)
	var b [6]byte
	bsicBits(b[:], bsic)
	for k := range 6 {
		if want[k]^b[k] != c[k]&1 {
			return false
		}
	}
	return true
}

// EncodeRACH11 codes an 11-bit access reference (the EGPRS Packet Channel
// Request of TS 44.060 §11.2.5a) into the 36 coded bits of an access burst,
// TS 45.003 §5.3.2. Only the low 11 bits of ra are used. The burst must be
// sent with access-burst training sequence TS1 or TS2 (TS 45.002 §5.2.7),
// which tells the receiver to decode it with DecodeRACH11.
func EncodeRACH11(dst *[36]byte, ra uint16, bsic tdma.BSIC) {
	var u [rach11]byte
	rachInfo(u[:], ra&0x7ff, 11, bsic)
	var c [2 * rach11]byte
	ConvEncode(c[:], u[:])
	n, p := 0, 0
	for k := range c {
		if p < len(rach11Punctured) && rach11Punctured[p] == k {
			p++
			continue
		}
		dst[n] = c[k]
		n++
	}
}

// DecodeRACH11 decodes the 36 coded bits of an 11-bit access burst,
// §5.3.2. ok is true when the colour bits match bsic.
func DecodeRACH11(soft *[36]int8, bsic tdma.BSIC) (ra uint16, q Quality, ok bool) {
	var c [2 * rach11]int8
	n, p := 0, 0
	for k := range c {
		if p < len(rach11Punctured) && rach11Punctured[p] == k {
			p++ // punctured: leave as an erasure
			continue
		}
		c[k] = soft[n]
		n++
	}
	var v Viterbi
	var u [rach11]byte
	v.Decode(u[:], c[:])
	for k := range 11 {
		ra |= uint16(u[k]) << rachBit(11, k)
	}
	ok = checkColour(u[:11], u[11:17], bsic)
	var re [2 * rach11]byte
	ConvEncode(re[:], u[:])
	errs := 0
	n, p = 0, 0
	for k := range re {
		if p < len(rach11Punctured) && rach11Punctured[p] == k {
			p++
			continue
		}
		s := soft[n]
		if s == 0 || (s < 0) != (re[k] != 0) {
			errs++
		}
		n++
	}
	return ra, Quality{errs, rachCoded}, ok
}
