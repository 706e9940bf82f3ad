package coding

// Quality describes how clean a received block was: BitErrors of the Bits
// coded bits disagreed with the block re-encoded from the decoder's output.
// When the decoder's checks failed the figure is still computed against what
// the decoder produced, so it is only meaningful for blocks that decoded.
type Quality struct{ BitErrors, Bits int }

// BER returns the bit error ratio, or 0 for an empty quality figure.
func (q Quality) BER() float64 {
	if q.Bits == 0 {
		return 0
	}
	return float64(q.BitErrors) / float64(q.Bits)
}

// countErrors compares hard bits with the signs of soft bits. An erasure
// (soft value 0) counts as an error: it carried no information.
func countErrors(hard []byte, soft []int8) int {
	n := 0
	soft = soft[:len(hard)]
	for i, h := range hard {
		s := soft[i]
		if s == 0 || (s < 0) != (h != 0) {
			n++
		}
	}
	return n
}

// convErrors is countErrors against the code word of u (ConvEncode), made
// on the fly: the decoders' quality figure without a re-encoded copy.
func convErrors(u []byte, soft []int8) int {
	soft = soft[:2*len(u)]
	n, st := 0, 0
	for k, b := range u {
		b &= 1
		o := convOut[st][b]
		n += bitError(o>>1, soft[2*k]) + bitError(o&1, soft[2*k+1])
		st = (st<<1 | int(b)) & (convStates - 1)
	}
	return n
}

// bitError is 1 when soft s disagrees with hard bit h (0 or 1) or is an
// erasure, without a branch on the (random) soft sign.
func bitError(h byte, s int8) int {
	e := int((uint8(s)>>7)^h) & 1
	if s == 0 {
		e = 1
	}
	return e
}
