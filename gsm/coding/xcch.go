package coding

// xCCH: the block format shared by BCCH, PCH, AGCH, SDCCH and SACCH,
// 3GPP TS 45.003 §4.1. A 23-octet L2 frame becomes 184 bits d(0)..d(183),
// octet by octet, each octet least significant bit first (TS 44.004 §7,
// TS 45.003 §4.1.1); 40 Fire code parity bits and 4 tail bits make the 228
// bits u(k); the convolutional code gives 456 bits c(k), interleaved over 4
// bursts with both stealing flags set to 1 (§4.1.5: the block is
// signalling).

const (
	xcchInfoBits = 184
	xcchClassI   = xcchInfoBits + 40 + 4 // 228
	codedBits    = 456
)

// encodeBlock228 turns a 23-octet L2 frame into the 456 coded bits of
// §4.1.1–§4.1.3 (also FACCH, §4.2.1–§4.2.3).
func encodeBlock228(c *[codedBits]byte, msg *[23]byte) {
	var u [xcchClassI]byte
	unpackLSB(u[:xcchInfoBits], msg[:])
	fireCode.encode(u[xcchInfoBits:], u[:xcchInfoBits])
	// u[224:228] is the zero tail.
	ConvEncode(c[:], u[:])
}

// decodeBlock228 is the inverse of encodeBlock228 on soft bits. It returns
// the quality of the block and whether the Fire code checks.
func decodeBlock228(msg *[23]byte, c *[codedBits]int8) (Quality, bool) {
	var v Viterbi
	var u [xcchClassI]byte
	v.Decode(u[:], c[:])
	ok := fireCode.check(u[:xcchInfoBits], u[xcchInfoBits:xcchInfoBits+40])
	packLSB(msg[:], u[:xcchInfoBits])
	return Quality{convErrors(u[:], c[:]), codedBits}, ok
}

// EncodeXCCH codes one 23-octet L2 frame onto the payloads of its four
// normal bursts, in transmission order, stealing flags included.
// TS 45.003 §4.1.
func EncodeXCCH(dst *[4][116]byte, msg *[23]byte) {
	var c [codedBits]byte
	encodeBlock228(&c, msg)
	for k, p := range xcchMap {
		dst[p.b][p.pos] = c[k]
	}
	for b := range dst {
		dst[b][flagHL] = 1
		dst[b][flagHU] = 1
	}
}

// DecodeXCCH decodes the payloads of four received bursts back into a
// 23-octet L2 frame. The bool is true when the Fire code checks; msg is
// written either way. The stealing flags are not looked at.
func DecodeXCCH(msg *[23]byte, soft *[4][116]int8) (Quality, bool) {
	var c [codedBits]int8
	for k, p := range xcchMap {
		c[k] = soft[p.b][p.pos]
	}
	return decodeBlock228(msg, &c)
}
