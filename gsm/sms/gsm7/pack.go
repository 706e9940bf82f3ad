package gsm7

import "fmt"

// PackedLen returns the octets n septets fill after fill leading fill
// bits (TS 23.040 §9.2.3.24: fill bits align the first septet after a
// user data header on a septet boundary). No septets take no octets.
func PackedLen(n, fill int) int {
	if n <= 0 {
		return 0
	}
	return (fill + 7*n + 7) / 8
}

// Pack appends to dst the septets packed as TS 23.038 §6.1.2.1.1 says:
// septet i occupies bits fill+7i .. fill+7i+6 of the string, least
// significant bit first, after fill zero bits (0..6). Unused bits of the
// last octet are zero.
func Pack(dst []byte, septets []byte, fill int) []byte {
	start := len(dst)
	n := PackedLen(len(septets), fill)
	for range n {
		dst = append(dst, 0)
	}
	b := dst[start:]
	pos := fill
	for _, v := range septets {
		v &= 0x7f
		i, sh := pos/8, pos%8
		b[i] |= v << sh
		if sh > 1 {
			b[i+1] |= v >> (8 - sh)
		}
		pos += 7
	}
	return dst
}

// Unpack appends to dst the n septets packed in b after fill bits, the
// inverse of Pack. It fails if b is shorter than PackedLen(n, fill).
func Unpack(dst []byte, b []byte, n, fill int) ([]byte, error) {
	if n < 0 || fill < 0 || fill > 7 || len(b) < PackedLen(n, fill) {
		return dst, fmt.Errorf("%w: %d septets after %d fill bits need %d octets, have %d",
			ErrShort, n, fill, PackedLen(max(n, 0), max(fill, 0)), len(b))
	}
	pos := fill
	for range n {
		i, sh := pos/8, pos%8
		v := b[i] >> sh
		if sh > 1 {
			v |= b[i+1] << (8 - sh)
		}
		dst = append(dst, v&0x7f)
		pos += 7
	}
	return dst, nil
}

// SpareBitsZero reports whether the bits of b after the n septets (and
// fill bits) are zero, as a canonical packing leaves them.
func SpareBitsZero(b []byte, n, fill int) bool {
	used := fill + 7*n
	if used%8 == 0 || used/8 >= len(b) {
		return true
	}
	return b[used/8]>>(used%8) == 0
}

// PackUSSD appends septets packed for USSD and cell broadcast (TS 23.038
// §6.1.2.3.1): when the last octet would have 7 spare bits, a CR fills
// them so the receiver does not read an '@'; when the text ends with a
// CR on an octet boundary, a further CR marks that CR as text.
func PackUSSD(dst []byte, septets []byte) []byte {
	n := len(septets)
	switch {
	case n%8 == 7:
		return Pack(dst, append(septets[:n:n], CR), 0)
	case n%8 == 0 && n > 0 && septets[n-1]&0x7f == CR:
		// A wanted final CR on an octet boundary would be taken for
		// padding; the second CR keeps it (the receiver sees CR CR,
		// which §6.1.1 defines to act as one CR).
		return Pack(dst, append(septets[:n:n], CR), 0)
	}
	return Pack(dst, septets, 0)
}

// UnpackUSSD appends the septets of a USSD or cell broadcast string of
// len(b) octets (TS 23.038 §6.1.2.3.1): it takes every whole septet and
// drops a final CR that is padding.
func UnpackUSSD(dst []byte, b []byte) []byte {
	n := len(b) * 8 / 7
	start := len(dst)
	dst, _ = Unpack(dst, b, n, 0)
	// n%8 == 0 exactly when the septets end on an octet boundary.
	if got := dst[start:]; n > 0 && n%8 == 0 && got[n-1] == CR {
		dst = dst[:len(dst)-1]
	}
	return dst
}
