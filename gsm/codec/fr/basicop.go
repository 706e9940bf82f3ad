package fr

import "math/bits"

// Fixed-point basic operations of 3GPP TS 46.010 §5.1. Words are int16 and
// long words int32; every operation saturates exactly where the reference
// does, because bit-exactness depends on it.

const (
	minWord  = -32768
	maxWord  = 32767
	minLWord = -2147483648
	maxLWord = 2147483647
)

func sat16(v int32) int16 {
	if v > maxWord {
		return maxWord
	}
	if v < minWord {
		return minWord
	}
	return int16(v)
}

// add is add(var1, var2): 16-bit addition with saturation.
func add(a, b int16) int16 { return sat16(int32(a) + int32(b)) }

// sub is sub(var1, var2): 16-bit subtraction with saturation.
func sub(a, b int16) int16 { return sat16(int32(a) - int32(b)) }

// mult is mult(var1, var2) = (var1*var2) >> 15, with mult(-32768,-32768) = 32767.
func mult(a, b int16) int16 {
	if a == minWord && b == minWord {
		return maxWord
	}
	return int16((int32(a) * int32(b)) >> 15)
}

// multR is mult_r(var1, var2): mult with rounding.
func multR(a, b int16) int16 {
	if a == minWord && b == minWord {
		return maxWord
	}
	return int16((int32(a)*int32(b) + 16384) >> 15)
}

// abs16 is abs(var1) with abs(-32768) = 32767.
func abs16(a int16) int16 {
	if a < 0 {
		if a == minWord {
			return maxWord
		}
		return -a
	}
	return a
}

// lMult is L_mult(var1, var2) = var1*var2 << 1. The codec never calls it
// with both operands -32768, where it would saturate.
func lMult(a, b int16) int32 {
	if a == minWord && b == minWord {
		return maxLWord
	}
	return int32(a) * int32(b) << 1
}

// lAdd is L_add(L_var1, L_var2): 32-bit addition with saturation.
func lAdd(a, b int32) int32 {
	s := int64(a) + int64(b)
	if s > maxLWord {
		return maxLWord
	}
	if s < minLWord {
		return minLWord
	}
	return int32(s)
}

// norm is norm(L_var1): the number of left shifts that bring a non-zero
// L_var1 into [2^30, 2^31) for positive or [-2^31, -2^30] for negative
// values. norm(0) is undefined by the spec and never used by the codec.
func norm(v int32) int16 {
	if v < 0 {
		if v <= -1073741824 {
			return 0
		}
		v = ^v
	}
	if v == 0 {
		return 31
	}
	return int16(bits.LeadingZeros32(uint32(v)) - 1)
}

// div is div(num, denum) for 0 <= num <= denum: the 15-bit fraction
// num/denum, truncated; div(x, x) = 32767 and div(0, x) = 0.
func div(num, denum int16) int16 {
	if num <= 0 || denum <= 0 {
		return 0
	}
	lnum := int32(num)
	lden := int32(denum)
	var d int16
	for k := 0; k < 15; k++ {
		d <<= 1
		lnum <<= 1
		if lnum >= lden {
			lnum -= lden
			d++
		}
	}
	return d
}

// asr is an arithmetic right shift by n, a left shift for negative n, as
// the decoder's APCM inverse quantisation needs for a shift of -1.
func asr(a int16, n int16) int16 {
	switch {
	case n >= 16:
		if a < 0 {
			return -1
		}
		return 0
	case n <= -16:
		return 0
	case n < 0:
		return a << uint(-n)
	}
	return a >> uint(n)
}

// asl is an arithmetic left shift by n, a right shift for negative n.
func asl(a int16, n int16) int16 {
	switch {
	case n >= 16:
		return 0
	case n <= -16:
		if a < 0 {
			return -1
		}
		return 0
	case n < 0:
		return asr(a, -n)
	}
	return a << uint(n)
}
