package cc

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Type of number (§10.5.4.7 octet 3 bits 7–5).
const (
	TONUnknown       = 0
	TONInternational = 1
	TONNational      = 2
	TONNetwork       = 3
	TONSubscriber    = 4
	TONAbbreviated   = 6
)

// Numbering plan identification (§10.5.4.7 octet 3 bits 4–1).
const (
	NPIUnknown  = 0
	NPIISDN     = 1 // ISDN/telephony numbering plan (E.164/E.163)
	NPIData     = 3
	NPITelex    = 4
	NPINational = 8
	NPIPrivate  = 9
)

// Presentation indicator (§10.5.4.9 octet 3a bits 7–6).
const (
	PresentationAllowed      = 0
	PresentationRestricted   = 1
	PresentationNotAvailable = 2
)

// Number is a party BCD number: the Called Party BCD Number (TS 24.008
// §10.5.4.7), the Calling Party BCD Number (§10.5.4.9), the Connected
// Number (§10.5.4.13) and the Redirecting Party BCD Number (§10.5.4.21b):
//
//	  8   7   6   5   4   3   2   1
//	|ext| type of number|  NPI      |  octet 3
//	| 1 |pres.  | 0 0 0 |screening  |  octet 3a (not in the called number)
//	|   digit 2     |   digit 1     |  octet 4
//	|   digit 4     |   digit 3     |  ...; an odd count ends with 1111
//
// Digits are "0"–"9", "*", "#", "a", "b" and "c" (BCD codes 0–9, 1010 to
// 1110).
type Number struct {
	TON             uint8 // 0..7
	NPI             uint8 // 0..15
	HasPresentation bool  // octet 3a present
	Presentation    uint8 // 0..3
	Screening       uint8 // 0..3
	Digits          string
}

const bcdDigits = "0123456789*#abc"

func (n *Number) valueLen() int {
	k := 1 + (len(n.Digits)+1)/2
	if n.HasPresentation {
		k++
	}
	return k
}

// putTLV writes the number as a TLV IE with IEI iei; maxValue is the
// message's limit on the value length.
func (n *Number) putTLV(e *enc, iei byte, maxValue int) {
	if n.TON > 7 || n.NPI > 15 || n.Presentation > 3 || n.Screening > 3 || n.valueLen() > maxValue {
		e.bad("number %+v (at most %d octets)", *n, maxValue)
		return
	}
	e.Byte(iei)
	mark := e.BeginLV()
	o3 := n.TON<<4 | n.NPI
	if !n.HasPresentation {
		o3 |= 0x80
	}
	e.Byte(o3)
	if n.HasPresentation {
		e.Byte(0x80 | n.Presentation<<5 | n.Screening)
	}
	for i := 0; i < len(n.Digits); i += 2 {
		lo := bcdCode(n.Digits[i])
		hi := byte(0xf)
		if i+1 < len(n.Digits) {
			hi = bcdCode(n.Digits[i+1])
		}
		if lo > 0xe || hi > 0xf || (hi == 0xf && i+1 < len(n.Digits)) {
			e.bad("digits %q", n.Digits)
			return
		}
		e.Byte(hi<<4 | lo)
	}
	e.EndLV(mark)
}

func bcdCode(c byte) byte {
	for i := range len(bcdDigits) {
		if bcdDigits[i] == c {
			return byte(i)
		}
	}
	return 0xff
}

// Unmarshal parses a number value (without IEI and length). A 1111 code
// is the end mark: digits after it are ignored.
func (n *Number) Unmarshal(v []byte, with3a bool) error {
	*n = Number{}
	if len(v) < 1 {
		return fmt.Errorf("%w: empty number", l3.ErrLength)
	}
	n.TON, n.NPI = v[0]>>4&7, v[0]&0xf
	i := 1
	if v[0]&0x80 == 0 {
		if !with3a || len(v) < 2 {
			return fmt.Errorf("%w: number octet 3 extended without octet 3a", l3.ErrLength)
		}
		n.HasPresentation = true
		n.Presentation, n.Screening = v[1]>>5&3, v[1]&3
		i = 2
	}
	var buf [2 * 41]byte
	k := 0
	for _, b := range v[i:] {
		lo, hi := b&0xf, b>>4
		if lo == 0xf {
			break
		}
		buf[k] = bcdDigits[lo]
		k++
		if hi == 0xf {
			break
		}
		buf[k] = bcdDigits[hi]
		k++
	}
	n.Digits = string(buf[:k])
	return nil
}

// decodeNumber reads an optional number TLV with IEI iei.
func decodeNumber(d *l3.Decoder, iei byte, maxValue int, with3a bool, n *Number) (bool, error) {
	v, ok := d.TLV(iei, 1, maxValue)
	if !ok {
		return false, nil
	}
	return true, n.Unmarshal(v, with3a)
}

func (n *Number) size() int { return 2 + n.valueLen() }

// Maximum value lengths of the number IEs (TS 24.008 Tables 9.67, 9.70,
// §10.5.4.7/9/13).
const (
	calledMaxDown  = 17 // Setup network to MS: 3–19
	calledMaxUp    = 41 // Setup MS to network: 3–43
	callingMax     = 12 // 3–14
	connectedMax   = 12 // 3–14
	redirectingMax = 17 // 3–19
)
