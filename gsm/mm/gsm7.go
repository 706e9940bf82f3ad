package mm

import "fmt"

// The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038
// §6.2.1, §6.2.1.1), and the packing of septets into octets (§6.1.2.1.1:
// septet i occupies bits 7i..7i+6 of the string, least significant bit
// first).

// gsm7Basic is the default alphabet table; 0x1B is the escape to the
// extension table.
var gsm7Basic = [128]rune{
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', 0x1b, 'Æ', 'æ', 'ß', 'É',
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
}

const gsm7Escape = 0x1b

// gsm7Ext is the extension table: the septet after an escape, and its
// character.
var gsm7Ext = [...]struct {
	code byte
	r    rune
}{
	{0x0a, '\f'}, {0x14, '^'}, {0x28, '{'}, {0x29, '}'}, {0x2f, '\\'},
	{0x3c, '['}, {0x3d, '~'}, {0x3e, ']'}, {0x40, '|'}, {0x65, '€'},
}

// gsm7Code returns the septets of r: one, or the escape and one.
func gsm7Code(r rune) (code byte, ext, ok bool) {
	if r < 0x80 && r != gsm7Escape {
		// Fast path for the ASCII letters, digits and most punctuation,
		// which sit at their ASCII positions.
		if (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == ' ' {
			return byte(r), false, true
		}
	}
	for i, c := range gsm7Basic {
		if c == r && i != gsm7Escape {
			return byte(i), false, true
		}
	}
	for _, e := range gsm7Ext {
		if e.r == r {
			return e.code, true, true
		}
	}
	return 0, false, false
}

// gsm7Septets returns the number of septets s needs, or an error naming
// the first character outside the alphabet.
func gsm7Septets(s string) (int, error) {
	n := 0
	for i, r := range s {
		_, ext, ok := gsm7Code(r)
		if !ok {
			return 0, fmt.Errorf("%w: %q at byte %d", ErrAlphabet, r, i)
		}
		n++
		if ext {
			n++
		}
	}
	return n, nil
}

// GSM7Encodable reports whether s can be written in the GSM 7-bit default
// alphabet with its extension table.
func GSM7Encodable(s string) bool {
	_, err := gsm7Septets(s)
	return err == nil
}

// packGSM7 packs the septets of s into dst, which must hold
// (7*septets+7)/8 octets, and returns the octets written and the septet
// count.
func packGSM7(dst []byte, s string) (int, int, error) {
	n, err := gsm7Septets(s)
	if err != nil {
		return 0, 0, err
	}
	octets := (7*n + 7) / 8
	if len(dst) < octets {
		return 0, 0, fmt.Errorf("%w: packed text needs %d octets", ErrValue, octets)
	}
	clear(dst[:octets])
	pos := 0
	put := func(v byte) {
		i, sh := pos/8, pos%8
		dst[i] |= v << sh
		if sh > 1 {
			dst[i+1] |= v >> (8 - sh)
		}
		pos += 7
	}
	for _, r := range s {
		code, ext, _ := gsm7Code(r)
		if ext {
			put(gsm7Escape)
		}
		put(code)
	}
	return octets, n, nil
}

// unpackGSM7 decodes n septets packed in b. An escape followed by a code
// the extension table lacks gives the basic character (TS 23.038 §6.2.1.1
// note); a trailing lone escape is dropped.
func unpackGSM7(b []byte, n int) string {
	out := make([]rune, 0, n)
	esc := false
	for i := range n {
		pos := 7 * i
		j, sh := pos/8, pos%8
		v := b[j] >> sh
		if sh > 1 && j+1 < len(b) {
			v |= b[j+1] << (8 - sh)
		}
		v &= 0x7f
		switch {
		case esc:
			esc = false
			r := gsm7Basic[v]
			for _, e := range gsm7Ext {
				if e.code == v {
					r = e.r
				}
			}
			if v == gsm7Escape {
				r = ' ' // an escape to a further table we do not know
			}
			out = append(out, r)
		case v == gsm7Escape:
			esc = true
		default:
			out = append(out, gsm7Basic[v])
		}
	}
	return string(out)
}
