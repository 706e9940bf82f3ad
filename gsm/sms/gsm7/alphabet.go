package gsm7

import "fmt"

// Escape is the septet that selects the extension table for the septet
// after it (TS 23.038 §6.2.1).
const Escape = 0x1b

// CR is the carriage return septet, used as padding by USSD and cell
// broadcast packing (TS 23.038 §6.1.2.3.1).
const CR = 0x0d

// basic is the default alphabet (TS 23.038 §6.2.1, table 1); position
// 0x1B is the escape and holds no character.
var basic = [128]rune{
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', 0, 'Æ', 'æ', 'ß', 'É',
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
}

// ext is the extension table (TS 23.038 §6.2.1.1): the septet after an
// escape, and its character. 0x0A is the page break.
var ext = [...]struct {
	code byte
	r    rune
}{
	{0x0a, '\f'}, {0x14, '^'}, {0x28, '{'}, {0x29, '}'}, {0x2f, '\\'},
	{0x3c, '['}, {0x3d, '~'}, {0x3e, ']'}, {0x40, '|'}, {0x65, '€'},
}

// reverse maps a character to its septet; extension characters have the
// high bit set (0x80|code).
var reverse = func() map[rune]byte {
	m := make(map[rune]byte, 138)
	for i, r := range basic {
		if i != Escape {
			m[r] = byte(i)
		}
	}
	for _, e := range ext {
		m[e.r] = 0x80 | e.code
	}
	return m
}()

// lookup returns the septet code of r and whether it needs the escape.
func lookup(r rune) (code byte, isExt, ok bool) {
	if (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == ' ' {
		return byte(r), false, true
	}
	v, ok := reverse[r]
	return v & 0x7f, v&0x80 != 0, ok
}

// Count returns the number of septets s needs (an extension character
// counts two), or an error naming the first character outside the
// alphabet.
func Count(s string) (int, error) {
	n := 0
	for i, r := range s {
		_, x, ok := lookup(r)
		if !ok {
			return 0, fmt.Errorf("%w: %q at byte %d", ErrAlphabet, r, i)
		}
		n++
		if x {
			n++
		}
	}
	return n, nil
}

// RuneSeptets returns the septets r needs (1 or 2), or 0 if r is not in
// the alphabet.
func RuneSeptets(r rune) int {
	_, x, ok := lookup(r)
	switch {
	case !ok:
		return 0
	case x:
		return 2
	}
	return 1
}

// Encodable reports whether s can be written in the default alphabet and
// its extension table.
func Encodable(s string) bool {
	_, err := Count(s)
	return err == nil
}

// Encode appends the septets of s to dst, one septet per byte.
func Encode(dst []byte, s string) ([]byte, error) {
	for i, r := range s {
		c, x, ok := lookup(r)
		if !ok {
			return dst, fmt.Errorf("%w: %q at byte %d", ErrAlphabet, r, i)
		}
		if x {
			dst = append(dst, Escape)
		}
		dst = append(dst, c)
	}
	return dst, nil
}

// Decode returns the text of septets (values above 0x7F are masked). An
// escape before a code the extension table lacks gives the default
// alphabet's character for that code (TS 23.038 §6.2.1.1); an escape
// before an escape (reserved for a further table) gives a space, and a
// lone trailing escape is dropped.
func Decode(septets []byte) string {
	out := make([]rune, 0, len(septets))
	esc := false
	for _, v := range septets {
		v &= 0x7f
		switch {
		case esc:
			esc = false
			r := basic[v]
			if v == Escape {
				r = ' '
			}
			for _, e := range ext {
				if e.code == v {
					r = e.r
				}
			}
			out = append(out, r)
		case v == Escape:
			esc = true
		default:
			out = append(out, basic[v])
		}
	}
	return string(out)
}
