package tp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/sms/gsm7"
	"github.com/gsmbox/gsmbox/gsm/sms/internal/bcd"
)

// TON is the type of number (TS 23.040 §9.1.2.5).
type TON uint8

// Types of number.
const (
	TONUnknown       TON = 0
	TONInternational TON = 1
	TONNational      TON = 2
	TONNetwork       TON = 3
	TONSubscriber    TON = 4
	TONAlphanumeric  TON = 5 // GSM 7-bit default alphabet, packed
	TONAbbreviated   TON = 6
)

// NPI is the numbering plan identification (TS 23.040 §9.1.2.5).
type NPI uint8

// Numbering plans.
const (
	NPIUnknown  NPI = 0
	NPIISDN     NPI = 1 // E.164
	NPIData     NPI = 3 // X.121
	NPITelex    NPI = 4
	NPISC1      NPI = 5 // service centre specific
	NPISC2      NPI = 6
	NPINational NPI = 8
	NPIPrivate  NPI = 9
	NPIERMES    NPI = 10
)

// MaxAddressDigits is the longest numeric address: 10 octets of
// semi-octets (TS 23.040 §9.1.2.5: the address is 2–12 octets).
const MaxAddressDigits = 20

// MaxAlphanumeric is the longest alphanumeric address in septets (80
// bits of packed septets).
const MaxAlphanumeric = 11

// Address is a TP address (TP-OA, TP-DA, TP-RA; TS 23.040 §9.1.2.5):
//
//	  8   7   6   5   4   3   2   1
//	|     address length (semi-octets of the value)   |  octet 1
//	| 1 |    TON    |      NPI      |                    octet 2
//	| digit 2       | digit 1       |                    octets 3..12: BCD,
//	| 1111 or digit | digit 3       |  0xF fill; TON 5: packed 7-bit text
//
// Digits holds the number ('0'–'9', '*', '#', 'a'–'c'), or for TON 5 the
// alphanumeric text (at most 11 septets of the default alphabet).
type Address struct {
	TON    TON
	NPI    NPI
	Digits string
}

// Number returns an international E.164 address when s starts with '+',
// else an unknown-type ISDN one.
func Number(s string) Address {
	if len(s) > 0 && s[0] == '+' {
		return Address{TON: TONInternational, NPI: NPIISDN, Digits: s[1:]}
	}
	return Address{TON: TONUnknown, NPI: NPIISDN, Digits: s}
}

// Alphanumeric returns an alphanumeric address (TON 5) holding name.
func Alphanumeric(name string) Address {
	return Address{TON: TONAlphanumeric, NPI: NPIUnknown, Digits: name}
}

// String returns the number with a '+' for international ones, or the
// alphanumeric text.
func (a Address) String() string {
	if a.TON == TONInternational {
		return "+" + a.Digits
	}
	return a.Digits
}

// semiOctets returns the address length field and the value octets.
func (a Address) lengths() (semi, octets int, err error) {
	if a.TON > 7 || a.NPI > 15 {
		return 0, 0, fmt.Errorf("%w: TON %d NPI %d", ErrValue, a.TON, a.NPI)
	}
	if a.TON == TONAlphanumeric {
		n, err := gsm7.Count(a.Digits)
		if err != nil {
			return 0, 0, fmt.Errorf("%w: alphanumeric address: %w", ErrAlphabet, err)
		}
		if n > MaxAlphanumeric {
			return 0, 0, fmt.Errorf("%w: alphanumeric address of %d septets, max %d", ErrLength, n, MaxAlphanumeric)
		}
		return (7*n + 3) / 4, gsm7.PackedLen(n, 0), nil
	}
	if err := bcd.Valid(a.Digits); err != nil {
		return 0, 0, fmt.Errorf("%w: address: %w", ErrValue, err)
	}
	if len(a.Digits) > MaxAddressDigits {
		return 0, 0, fmt.Errorf("%w: address of %d digits, max %d", ErrLength, len(a.Digits), MaxAddressDigits)
	}
	return len(a.Digits), bcd.Len(len(a.Digits)), nil
}

// MarshalSize returns the encoded length (2–12 octets).
func (a Address) MarshalSize() int {
	_, n, _ := a.lengths()
	return 2 + n
}

// MarshalTo writes the address into b.
func (a Address) MarshalTo(b []byte) (int, error) {
	semi, n, err := a.lengths()
	if err != nil {
		return 0, err
	}
	if len(b) < 2+n {
		return 0, fmt.Errorf("%w: address needs %d octets", ErrBuffer, 2+n)
	}
	b[0], b[1] = byte(semi), 0x80|byte(a.TON)<<4|byte(a.NPI)
	var v []byte
	if a.TON == TONAlphanumeric {
		s, _ := gsm7.Encode(make([]byte, 0, MaxAlphanumeric*2), a.Digits)
		v = gsm7.Pack(b[2:2], s, 0)
	} else {
		v, _ = bcd.Append(b[2:2], a.Digits)
	}
	return 2 + len(v), nil
}

// decodeAddress reads an address from d; its errors also match
// ErrAddress.
func decodeAddress(d *l3.Decoder, what string) (Address, error) {
	a, err := readAddress(d, what)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %w", ErrAddress, err)
	}
	return a, nil
}

func readAddress(d *l3.Decoder, what string) (Address, error) {
	semi := int(d.Byte())
	toa := d.Byte()
	if err := d.Err(); err != nil {
		return Address{}, fmt.Errorf("%w: %s: %w", ErrShort, what, err)
	}
	if semi > MaxAddressDigits {
		return Address{}, fmt.Errorf("%w: %s of %d semi-octets, max %d", ErrLength, what, semi, MaxAddressDigits)
	}
	if toa&0x80 == 0 {
		return Address{}, fmt.Errorf("%w: %s type-of-address octet %#02x without bit 8", ErrValue, what, toa)
	}
	a := Address{TON: TON(toa >> 4 & 7), NPI: NPI(toa & 0xf)}
	v := d.V((semi + 1) / 2)
	if err := d.Err(); err != nil {
		return Address{}, fmt.Errorf("%w: %s value: %w", ErrShort, what, err)
	}
	if a.TON == TONAlphanumeric {
		n := semi * 4 / 7
		if (7*n+3)/4 != semi || !gsm7.SpareBitsZero(v, n, 0) {
			return Address{}, fmt.Errorf("%w: %s: %d semi-octets is not a whole number of septets", ErrLength, what, semi)
		}
		s, err := gsm7.Unpack(make([]byte, 0, MaxAlphanumeric+1), v, n, 0)
		if err != nil {
			return Address{}, fmt.Errorf("%w: %s: %w", ErrLength, what, err)
		}
		a.Digits = gsm7.Decode(s)
		// The text must re-encode to the same septets (no lone or
		// unknown escapes), so that the address round-trips.
		if back, err := gsm7.Encode(nil, a.Digits); err != nil || string(back) != string(s) {
			return Address{}, fmt.Errorf("%w: %s: alphanumeric septets % x", ErrValue, what, s)
		}
		return a, nil
	}
	digits, err := bcd.Decode(v, semi)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %s: %w", ErrValue, what, err)
	}
	a.Digits = digits
	return a, nil
}
