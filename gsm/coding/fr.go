package coding

import "fmt"

// GSM 06.10 full-rate speech frames in the RTP payload format (RFC 3551
// §4.5.8, ETSI TS 101 318; also the .gsm file format of toast): 33 octets,
// the signature nibble 0xD and then the 76 codec parameters of TS 46.010
// Table 1.1 in order (LARc1..LARc8, then per sub-frame Nc, bc, Mc, xmaxc,
// xMc0..xMc12), each most significant bit first: 260 bits.
//
// The channel coder wants the same 260 bits ordered by subjective importance,
// d(0)..d(259) of TS 45.003 §3.1.1 Table 2. frRTPToClass[i] is the class-order
// index d(k) of RTP frame bit i (counted after the signature). The table was
// obtained by probing libosmocoding's gsm0503_tch_fr_encode with one bit set
// at a time (testdata/README.md) and is checked in tests against gr-gsm's
// TCH/F decoder, whose table comes from OpenBTS: two independent
// transcriptions of Table 2.
var frRTPToClass = [tchBits]uint16{
	0, 5, 8, 43, 64, 191, 6, 9, 20, 65, 192, 258, 7, 10, 66, 193, 198, 11, 44, 68,
	199, 200, 21, 50, 69, 201, 22, 51, 194, 259, 45, 70, 195, 67, 196, 197,
	// Sub-frame 1: Nc, bc, Mc, xmaxc, xMc0..12.
	12, 23, 27, 31, 35, 46, 56, 52, 71, 60, 131, 1, 16, 39, 75, 135, 202,
	79, 139, 206, 80, 140, 207, 81, 141, 208, 82, 142, 209, 83, 143, 210,
	84, 144, 211, 85, 145, 212, 86, 146, 213, 87, 147, 214, 88, 148, 215,
	89, 149, 216, 90, 150, 217, 91, 151, 218,
	// Sub-frame 2.
	13, 24, 28, 32, 36, 47, 57, 53, 72, 61, 132, 2, 17, 40, 76, 136, 203,
	92, 152, 219, 93, 153, 220, 94, 154, 221, 95, 155, 222, 96, 156, 223,
	97, 157, 224, 98, 158, 225, 99, 159, 226, 100, 160, 227, 101, 161, 228,
	102, 162, 229, 103, 163, 230, 104, 164, 231,
	// Sub-frame 3.
	14, 25, 29, 33, 37, 48, 58, 54, 73, 62, 133, 3, 18, 41, 77, 137, 204,
	105, 165, 232, 106, 166, 233, 107, 167, 234, 108, 168, 235, 109, 169, 236,
	110, 170, 237, 111, 171, 238, 112, 172, 239, 113, 173, 240, 114, 174, 241,
	115, 175, 242, 116, 176, 243, 117, 177, 244,
	// Sub-frame 4.
	15, 26, 30, 34, 38, 49, 59, 55, 74, 63, 134, 4, 19, 42, 78, 138, 205,
	118, 178, 245, 119, 179, 246, 120, 180, 247, 121, 181, 248, 122, 182, 249,
	123, 183, 250, 124, 184, 251, 125, 185, 252, 126, 186, 253, 127, 187, 254,
	128, 188, 255, 129, 189, 256, 130, 190, 257,
}

// FRFrameSize is the size of a GSM 06.10 frame in the RTP payload format.
const FRFrameSize = 33

// FRFromRTP converts a GSM 06.10 frame in the RTP payload format into the
// 260 class-ordered bits EncodeSpeech takes.
func FRFromRTP(d *[260]byte, frame []byte) error {
	if len(frame) != FRFrameSize {
		return fmt.Errorf("%w: have %d, want %d", ErrFrameSize, len(frame), FRFrameSize)
	}
	if frame[0]>>4 != 0xD {
		return fmt.Errorf("%w: first octet %#02x", ErrFrameSignature, frame[0])
	}
	for i, k := range frRTPToClass {
		bit := 4 + i
		d[k] = frame[bit/8] >> (7 - bit%8) & 1
	}
	return nil
}

// FRToRTP converts 260 class-ordered speech bits (as TCHFDecoder.Decode
// returns them) into a GSM 06.10 frame in the RTP payload format.
func FRToRTP(frame *[FRFrameSize]byte, d *[260]byte) {
	*frame = [FRFrameSize]byte{0xD0}
	for i, k := range frRTPToClass {
		bit := 4 + i
		frame[bit/8] |= (d[k] & 1) << (7 - bit%8)
	}
}
