package g711

import "math/bits"

// LinearToALaw encodes one 16-bit linear sample as an A-law code,
// ITU-T G.711 Table 1. Only the 13 most significant bits are used.
func LinearToALaw(x int16) byte {
	v := int32(x) >> 3 // 13-bit two's complement
	mask := byte(0xD5) // positive: sign bit set, even bits inverted
	if v < 0 {
		mask = 0x55
		v = ^v // magnitude of the interval, symmetric about zero
	}
	// v is 0..4095. Segment 0 and 1 have the same step (2); segments 2..7
	// double it each time.
	var seg, m int32
	if v < 32 {
		m = v >> 1
	} else {
		seg = int32(bits.Len32(uint32(v))) - 5
		m = v >> uint(seg) & 0xF
	}
	return byte(seg<<4|m) ^ mask
}

// ALawToLinear decodes an A-law code to the centre of its interval,
// scaled to 16 bits, ITU-T G.711 Table 1.
func ALawToLinear(a byte) int16 { return aTable[a] }

// LinearToULaw encodes one 16-bit linear sample as a µ-law code,
// ITU-T G.711 Table 2. Only the 14 most significant bits are used.
func LinearToULaw(x int16) byte {
	v := int32(x) >> 2 // 14-bit two's complement
	mask := byte(0xFF) // positive: all bits inverted, sign bit becomes 1
	if v < 0 {
		mask = 0x7F
		v = -v
	}
	if v > 8158 {
		v = 8158 // the top of the last interval (decision value 8159)
	}
	v += 33 // bias: segments start at 33·2^seg - 33
	seg := int32(bits.Len32(uint32(v))) - 6
	return byte(seg<<4|(v>>uint(seg+1))&0xF) ^ mask
}

// ULawToLinear decodes a µ-law code to the centre of its interval, scaled
// to 16 bits, ITU-T G.711 Table 2.
func ULawToLinear(u byte) int16 { return uTable[u] }

// EncodeALaw encodes min(len(dst), len(src)) samples and returns the count.
func EncodeALaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = LinearToALaw(src[i])
	}
	return n
}

// DecodeALaw decodes min(len(dst), len(src)) codes and returns the count.
func DecodeALaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = aTable[src[i]]
	}
	return n
}

// EncodeULaw encodes min(len(dst), len(src)) samples and returns the count.
func EncodeULaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = LinearToULaw(src[i])
	}
	return n
}

// DecodeULaw decodes min(len(dst), len(src)) codes and returns the count.
func DecodeULaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = uTable[src[i]]
	}
	return n
}

// Decoding tables, computed once from the interval structure.
var aTable, uTable = func() (a, u [256]int16) {
	for c := 0; c < 256; c++ {
		a[c] = aDecode(byte(c))
		u[c] = uDecode(byte(c))
	}
	return a, u
}()

// aDecode: in 13-bit units a segment s >= 1 starts at 16·2^s with step
// 2^s (segment 0 starts at 0 with step 2); the output is the interval
// centre, scaled by 8.
func aDecode(a byte) int16 {
	a ^= 0x55
	m := int32(a & 0xF)
	seg := int32(a>>4) & 7
	var t int32
	if seg == 0 {
		t = m<<1 + 1
	} else {
		t = (m<<1 + 33) << uint(seg-1)
	}
	t <<= 3
	if a&0x80 == 0 {
		t = -t
	}
	return int16(t)
}

// uDecode: in 14-bit units segment s spans [2^(s+5) - 33, 2^(s+6) - 33)
// (segment 0 from 0) with step 2^(s+1); the output is the interval centre (2m+33)·2^s - 33 (the bottom interval of
// segment 0 decodes to 0), scaled by 4.
func uDecode(u byte) int16 {
	u = ^u
	m := int32(u & 0xF)
	seg := int32(u>>4) & 7
	t := (m<<1+33)<<uint(seg) - 33
	t <<= 2
	if u&0x80 != 0 {
		t = -t
	}
	return int16(t)
}
