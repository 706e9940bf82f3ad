package coding

import "fmt"

// TCH/EFS, the enhanced full-rate speech traffic channel (3GPP TS 45.003
// §3.1): the 244 bits of an EFR speech frame (TS 46.060) go through the
// preliminary channel coding of §3.1.1 and then the TCH/FS coding of
// §3.1.2 onwards unchanged (EncodeSpeech, Decode).
//
// The preliminary coding adds
//   - an 8-bit CRC, g(D) = D⁸ + D⁴ + D³ + D² + 1, not inverted, over the 65
//     most important bits (§3.1.1.1): they take class positions d(0)..d(64)
//     (read by the CRC in the order efrCRCOrder) and the parity bits
//     d(65)..d(72), so the 50 class Ia bits d(0)..d(49) are covered by both
//     this CRC and the 3-bit CRC of TCH/FS;
//   - two repetitions of each of four bits (§3.1.1.2; s(70), s(120), s(173)
//     and s(223) of the codec's numbering), which sit in class II as three
//     consecutive positions each, d(182)..d(193), for a majority vote.
//
// That gives 65 + 8 + 175 + 4×3 = 260 bits, the TCH/FS frame size.
//
// efrRTPToClass[i] is the class-order index d(k) of bit i of an EFR frame
// in the RTP payload format (RFC 3551 §4.5.9, ETSI TS 101 318: the
// signature nibble 0xC, then the 244 bits in TS 46.060 parameter order).
// For a repeated bit it is the first of its three positions. The table was
// obtained by probing libosmocoding's gsm0503_tch_fr_encode with one EFR
// frame bit set at a time (testdata/README.md) and is checked in tests
// against gr-gsm's TCH/F EFR decoder, whose table has another origin.
var efrRTPToClass = [efrBits]uint16{
	// LPC: the five split-matrix quantiser indices (38 bits).
	50, 24, 25, 37, 38, 43, 44, 26, 42, 27, 39, 40, 45, 51, 52, 41, 46, 28, 29, 47, 53, 77, 78, 30,
	54, 55, 79, 56, 80, 109, 110, 111, 112, 113, 114, 115, 180, 181,
	// Sub-frame 1: pitch lag, pitch gain, the 35 algebraic codebook bits, codebook gain.
	0, 1, 2, 3, 4, 5, 20, 31, 32, 16, 73, 105, 157, 81, 118, 138, 165, 82, 119, 139, 166, 83, 120,
	140, 167, 84, 121, 141, 168, 85, 122, 182, 196, 200, 220, 240, 201, 221, 241, 202, 222, 242,
	203, 223, 243, 204, 224, 244, 17, 61, 101, 153, 161,
	// Sub-frame 2: pitch lag, pitch gain, the 35 algebraic codebook bits, codebook gain.
	12, 13, 22, 35, 48, 116, 18, 74, 106, 158, 86, 123, 142, 169, 87, 124, 143, 170, 88, 125, 144,
	171, 89, 126, 145, 172, 90, 127, 185, 197, 205, 225, 245, 206, 226, 246, 207, 227, 247, 208,
	228, 248, 209, 229, 249, 19, 62, 102, 154, 162,
	// Sub-frame 3: pitch lag, pitch gain, the 35 algebraic codebook bits, codebook gain.
	6, 7, 8, 9, 10, 11, 21, 33, 34, 57, 75, 107, 159, 91, 128, 146, 173, 92, 129, 147, 174, 93, 130,
	148, 175, 94, 131, 149, 176, 95, 132, 188, 198, 210, 230, 250, 211, 231, 251, 212, 232, 252,
	213, 233, 253, 214, 234, 254, 59, 63, 103, 155, 163,
	// Sub-frame 4: pitch lag, pitch gain, the 35 algebraic codebook bits, codebook gain.
	14, 15, 23, 36, 49, 117, 58, 76, 108, 160, 96, 133, 150, 177, 97, 134, 194, 195, 98, 135, 151,
	178, 99, 136, 152, 179, 100, 137, 191, 199, 215, 235, 255, 216, 236, 256, 217, 237, 257, 218,
	238, 258, 219, 239, 259, 60, 64, 104, 156, 164,
}

const (
	efrBits      = 244
	efrProtected = 65 // d(0)..d(64) under the 8-bit CRC
	efrRepeat0   = 182
)

// efrRepeated lists the RTP bit indices of the four repeated bits, in the
// order of their positions d(182), d(185), d(188), d(191).
var efrRepeated = [4]uint16{69, 119, 172, 222}

// efrCode is the CRC of §3.1.1.1. Unlike the other cyclic codes of TS
// 45.003 its parity bits are the remainder itself, not inverted, so
// efrParity uses remainder rather than parity.
var efrCode = cyclicCode{8, 1<<4 | 1<<3 | 1<<2 | 1}

// EFRFrameSize is the size of an EFR speech frame in the RTP payload
// format.
const EFRFrameSize = 31

// efrCRCOrder lists the class positions of the 65 protected bits in the
// order the CRC reads them. It is not the class order: the sensitivity
// order of the class positions and the CRC's order of the same bits
// differ in the first 33 (d(6)..d(15) and d(18), d(19), d(21)..d(23) come
// after d(24)..d(32)). Found like efrRTPToClass, by probing libosmocoding
// with one bit set at a time and matching each parity change to the
// remainder of a single bit, and checked on random frames.
var efrCRCOrder = [efrProtected]uint8{
	0, 1, 2, 3, 4, 5, 16, 17, 20, 24, 25, 26, 27, 28, 29, 30, 31, 32,
	6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 19, 21, 22, 23,
	33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49,
	50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64,
}

// efrParity returns the 8 CRC bits of the 65 protected bits as a word.
func efrParity(d *[tchBits]byte) uint64 {
	var in [efrProtected]byte
	for j, k := range efrCRCOrder {
		in[j] = d[k]
	}
	return efrCode.remainder(in[:])
}

// EFRFromRTP applies the EFR preliminary channel coding (TS 45.003 §3.1.1)
// to an EFR frame in the RTP payload format and writes the 260 class-ordered
// bits that EncodeSpeech takes.
func EFRFromRTP(d *[260]byte, frame []byte) error {
	if len(frame) != EFRFrameSize {
		return fmt.Errorf("%w: have %d, want %d", ErrFrameSize, len(frame), EFRFrameSize)
	}
	if frame[0]>>4 != 0xC {
		return fmt.Errorf("%w: first octet %#02x", ErrFrameSignature, frame[0])
	}
	for i, k := range efrRTPToClass {
		bit := 4 + i
		d[k] = frame[bit/8] >> (7 - bit%8) & 1
	}
	for j := range efrRepeated {
		p := efrRepeat0 + 3*j
		d[p+1], d[p+2] = d[p], d[p]
	}
	p := efrParity(d)
	for i := range 8 {
		d[efrProtected+i] = byte(p >> (7 - i) & 1)
	}
	return nil
}

// EFRToRTP undoes the preliminary coding on 260 class-ordered bits (as
// TCHFDecoder.Decode returns them): each repeated bit is the majority of
// its three copies, and ok reports the 8-bit CRC. A frame is bad (TS
// 46.061 bad frame indication) if this CRC or the TCH/FS CRC fails.
func EFRToRTP(frame *[EFRFrameSize]byte, d *[260]byte) (ok bool) {
	*frame = [EFRFrameSize]byte{0xC0}
	for i, k := range efrRTPToClass {
		bit := 4 + i
		frame[bit/8] |= (d[k] & 1) << (7 - bit%8)
	}
	for j, i := range efrRepeated {
		p := efrRepeat0 + 3*j
		v := d[p]&1 + d[p+1]&1 + d[p+2]&1
		bit := 4 + int(i)
		frame[bit/8] &^= 1 << (7 - bit%8)
		if v >= 2 {
			frame[bit/8] |= 1 << (7 - bit%8)
		}
	}
	var w uint64
	for i := range 8 {
		w = w<<1 | uint64(d[efrProtected+i]&1)
	}
	return efrParity(d) == w
}

// EncodeEFR codes one EFR frame in the RTP payload format as a TCH/EFS
// block and writes the next four bursts' payloads to dst.
func (e *TCHFEncoder) EncodeEFR(dst *[4][116]byte, frame *[EFRFrameSize]byte) error {
	var d [tchBits]byte
	if err := EFRFromRTP(&d, frame[:]); err != nil {
		return err
	}
	e.EncodeSpeech(dst, &d)
	return nil
}

// DecodeEFR is Decode for a TCH/EFS channel: a speech block is returned as
// an EFR frame in the RTP payload format, and ok is false (a bad frame)
// unless both the TCH/FS CRC and the EFR CRC pass. FACCH blocks are
// handled as by Decode.
func (d *TCHFDecoder) DecodeEFR(efr *[EFRFrameSize]byte, facch *[23]byte, soft *[4][116]int8) (kind TCHFKind, q Quality, ok bool) {
	var bits [tchBits]byte
	kind, q, ok = d.Decode(&bits, facch, soft)
	if kind == TCHFSpeech {
		var scratch [EFRFrameSize]byte
		if efr == nil {
			efr = &scratch
		}
		crc := EFRToRTP(efr, &bits)
		ok = ok && crc
	}
	return kind, q, ok
}
