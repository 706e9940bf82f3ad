package coding

// Interleaving and mapping on bursts, 3GPP TS 45.003 §4.1.4–§4.1.5 (xCCH,
// block rectangular over 4 bursts) and §3.1.3–§3.1.4 (TCH/FS and FACCH/F,
// block diagonal over 8 bursts).
//
// Coded bit c(k), k = 0..455, goes to position
//
//	j = 2·((49·k) mod 57) + ((k mod 8) div 4)
//
// of burst B0 + (k mod 4) for xCCH and of burst B0 + 4n + (k mod 8) for
// TCH/FS block n. A burst's 114 interleaved bits i(B,0..113) are mapped
// around the stealing flags: e(B,j) = i(B,j) and e(B,59+j) = i(B,57+j) for
// j = 0..56, e(B,57) = hl(B), e(B,58) = hu(B). Our burst payload arrays of
// 116 bits are e(B,0..115), the layout tdma.Normal expects.

// Positions of the stealing flags in a 116-bit burst payload.
const (
	flagHL = 57
	flagHU = 58
)

// ePos maps an interleaved position j (0..113) to the burst payload index.
func ePos(j int) int {
	if j < 57 {
		return j
	}
	return j + 2
}

// blockPos is where coded bit k lands: burst index and payload index.
type blockPos struct {
	b   uint8
	pos uint8
}

// xcchMap and tchMap hold the interleaver as tables, built once.
var xcchMap, tchMap = func() (x, t [456]blockPos) {
	for k := range 456 {
		j := 2*((49*k)%57) + (k%8)/4
		x[k] = blockPos{uint8(k % 4), uint8(ePos(j))}
		t[k] = blockPos{uint8(k % 8), uint8(ePos(j))}
	}
	return x, t
}()

// packLSB packs bits into octets, the first bit of each group of eight in
// the least significant position (TS 44.004 §7: octets are sent bit 1
// first).
func packLSB(dst []byte, bits []byte) {
	for i := range dst {
		var o byte
		for j := range 8 {
			o |= (bits[8*i+j] & 1) << j
		}
		dst[i] = o
	}
}

// unpackLSB is the inverse of packLSB.
func unpackLSB(dst []byte, octets []byte) {
	for i, o := range octets {
		for j := range 8 {
			dst[8*i+j] = o >> j & 1
		}
	}
}
