// Package bcd packs the telephony digit strings of SMS addresses: TS
// 24.008 §10.5.4.7 (table 10.5.118) semi-octets, first digit in bits 4–1,
// '*' '#' 'a' 'b' 'c' as 0xA–0xE, and 0xF filling the high half of the
// last octet of an odd-length string. The RP addresses of TS 24.011
// §8.2.5.1/2 and the TP addresses of TS 23.040 §9.1.2.5 share it.
package bcd

import (
	"errors"
	"fmt"
)

// ErrDigit is returned for a character or semi-octet that is not a digit,
// or a filler that is not 0xF.
var ErrDigit = errors.New("bad BCD digit")

const digits = "0123456789*#abc"

// Len returns the octets n digits need.
func Len(n int) int { return (n + 1) / 2 }

// Valid reports an error if s holds a character outside 0–9 * # a b c.
func Valid(s string) error {
	for i := range len(s) {
		if nibble(s[i]) > 0xe {
			return fmt.Errorf("%w: %q at %d", ErrDigit, s[i], i)
		}
	}
	return nil
}

func nibble(c byte) byte {
	for i := range len(digits) {
		if digits[i] == c {
			return byte(i)
		}
	}
	return 0xff
}

// Append appends the semi-octets of s to dst.
func Append(dst []byte, s string) ([]byte, error) {
	if err := Valid(s); err != nil {
		return dst, err
	}
	for i := 0; i < len(s); i += 2 {
		v := nibble(s[i])
		if i+1 < len(s) {
			v |= nibble(s[i+1]) << 4
		} else {
			v |= 0xf0
		}
		dst = append(dst, v)
	}
	return dst, nil
}

// Decode returns the first n digits of b (n < 0: all, stopping at a
// 0xF filler in the last octet's high half). A 0xF elsewhere or a filler
// other than 0xF is an error, so that decoding is the inverse of Append.
func Decode(b []byte, n int) (string, error) {
	if n < 0 {
		n = 2 * len(b)
		if len(b) > 0 && b[len(b)-1]>>4 == 0xf {
			n--
		}
	}
	if Len(n) != len(b) {
		return "", fmt.Errorf("%w: %d digits in %d octets", ErrDigit, n, len(b))
	}
	out := make([]byte, n)
	for i := range n {
		v := b[i/2] >> (4 * (i % 2)) & 0xf
		if v == 0xf {
			return "", fmt.Errorf("%w: 0xF inside the digits at %d", ErrDigit, i)
		}
		out[i] = digits[v]
	}
	if n%2 == 1 && b[n/2]>>4 != 0xf {
		return "", fmt.Errorf("%w: filler %#x, want 0xF", ErrDigit, b[n/2]>>4)
	}
	return string(out), nil
}
