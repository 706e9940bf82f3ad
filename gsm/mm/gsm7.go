package mm

import (
	"errors"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/sms/gsm7"
)

// Network names in the GSM 7-bit default alphabet (3GPP TS 23.038
// §6.2.1, packing §6.1.2.1.1), through gsm/sms/gsm7, the one copy of the
// alphabet that SMS and USSD use too.

// gsm7Septets returns the septets s needs, or ErrAlphabet naming the
// first character outside the alphabet.
func gsm7Septets(s string) (int, error) {
	n, err := gsm7.Count(s)
	if errors.Is(err, gsm7.ErrAlphabet) {
		return 0, fmt.Errorf("%w: %v", ErrAlphabet, err)
	}
	return n, err
}

// GSM7Encodable reports whether s can be sent in the default alphabet.
func GSM7Encodable(s string) bool { return gsm7.Encodable(s) }

// packGSM7 packs the septets of s into dst, which must hold
// (7*septets+7)/8 octets, and returns the octets written and the septet
// count.
func packGSM7(dst []byte, s string) (int, int, error) {
	n, err := gsm7Septets(s)
	if err != nil {
		return 0, 0, err
	}
	octets := gsm7.PackedLen(n, 0)
	if len(dst) < octets {
		return 0, 0, fmt.Errorf("%w: packed text needs %d octets", ErrValue, octets)
	}
	var buf [256]byte
	septets, err := gsm7.Encode(buf[:0], s)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %v", ErrAlphabet, err)
	}
	gsm7.Pack(dst[:0], septets, 0)
	return octets, n, nil
}

// unpackGSM7 decodes n septets packed in b (an escape before a code the
// extension table lacks gives the basic character, TS 23.038 §6.2.1.1; a
// trailing lone escape is dropped). Septets b does not hold are left out.
func unpackGSM7(b []byte, n int) string {
	n = min(n, len(b)*8/7)
	septets, err := gsm7.Unpack(nil, b, n, 0)
	if err != nil {
		return ""
	}
	return gsm7.Decode(septets)
}
