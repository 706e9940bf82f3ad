package registry

import (
	"strings"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// IMEI is an international mobile equipment identity (3GPP TS 23.003
// §6.2.1): an 8-digit TAC and a 6-digit serial number. The Luhn check digit
// (TS 23.003 Annex B) is not stored: it is computed from the 14 digits, and
// the software version of an IMEISV (§6.2.2) is not part of the identity.
// The zero value means unknown.
type IMEI struct{ d [14]byte }

// IsZero reports whether the IMEI is unknown.
func (m IMEI) IsZero() bool { return m.d == [14]byte{} }

func (m IMEI) valid() bool {
	for _, c := range m.d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Digits14 returns TAC and SNR, without the check digit.
func (m IMEI) Digits14() string {
	if m.IsZero() {
		return ""
	}
	return string(m.d[:])
}

// CheckDigit returns the Luhn check digit of TS 23.003 Annex B: from the
// least significant digit D1, every second digit (D1, D3, ...) is doubled
// and the digits of the products summed with the undoubled digits; the
// check digit brings that sum up to a multiple of 10.
func (m IMEI) CheckDigit() byte { return luhn(m.d[:]) }

func luhn(d []byte) byte {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 0 { // D1, D3, ... counted from the right
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return byte('0' + (10-sum%10)%10)
}

// String returns the 15-digit IMEI with its check digit, or "".
func (m IMEI) String() string {
	if m.IsZero() {
		return ""
	}
	return string(m.d[:]) + string(m.CheckDigit())
}

// ParseIMEI parses an IMEI typed by an operator or read from a file: 14
// digits (the check digit is computed), 15 digits (the check digit must be
// right: it exists to catch typing errors, TS 22.016 §3), or a 16-digit
// IMEISV (the software version is dropped). Spaces, '-' and '/' are
// ignored. "" parses to the zero IMEI.
func ParseIMEI(s string) (IMEI, error) {
	t := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '/' {
			return -1
		}
		return r
	}, s)
	var m IMEI
	if t == "" {
		return m, nil
	}
	if !l3.Digits(t, 14, 16) {
		return IMEI{}, fieldErr("imei", "%q is not 14, 15 (with check digit) or 16 (IMEISV) digits", s)
	}
	copy(m.d[:], t[:14])
	if len(t) == 15 && t[14] != m.CheckDigit() {
		return IMEI{}, fieldErr("imei", "%q has check digit %c, want %c", s, t[14], m.CheckDigit())
	}
	return m, nil
}

// IMEIFromAir takes the digits of an IMEI or IMEISV Mobile Identity (TS
// 24.008 §10.5.1.4) as a phone sent them. The 15th digit of an IMEI is not
// checked: the MS may send it as 0 rather than the check digit (TS 22.016
// §3: the check digit is not part of the digits transmitted).
func IMEIFromAir(digits string) (IMEI, error) {
	if !l3.Digits(digits, 14, 16) {
		return IMEI{}, fieldErr("imei", "%q is not 14..16 decimal digits", digits)
	}
	var m IMEI
	copy(m.d[:], digits[:14])
	return m, nil
}
