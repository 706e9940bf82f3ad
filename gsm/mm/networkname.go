package mm

import (
	"fmt"
	"unicode/utf16"
)

// Coding schemes of a Network Name (TS 24.008 §10.5.3.5a).
const (
	CodingGSM7 = 0 // GSM 7-bit default alphabet, packed (TS 23.038)
	CodingUCS2 = 1 // UCS2, 16 bits per character (big-endian UTF-16 here)
)

// NetworkName is the value of a Network Name IE (TS 24.008 §10.5.3.5a), the
// full or short name a phone shows for the network:
//
//	  8   7   6   5   4   3   2   1
//	|ext| coding sch|CI | spare bits|  octet 3: ext = 1; CI: add the country
//	|          text string          |  initials; spare bits in the last octet
//
// Text is the name as a Go string; Coding says how it travels. A name
// outside the GSM 7-bit alphabet needs CodingUCS2 (NewNetworkName picks).
type NetworkName struct {
	Text   string
	Coding uint8 // CodingGSM7 or CodingUCS2
	AddCI  bool  // the MS adds the country initials to the text
}

// NewNetworkName returns the name s in the GSM 7-bit alphabet if it can be
// written there, else in UCS2.
func NewNetworkName(s string) NetworkName {
	if GSM7Encodable(s) {
		return NetworkName{Text: s, Coding: CodingGSM7}
	}
	return NetworkName{Text: s, Coding: CodingUCS2}
}

// MarshalSize returns the length of the value part (octet 3 and the text).
func (n NetworkName) MarshalSize() int {
	switch n.Coding {
	case CodingGSM7:
		s, _ := gsm7Septets(n.Text)
		return 1 + (7*s+7)/8
	case CodingUCS2:
		u := 0
		for _, r := range n.Text {
			u += utf16.RuneLen(r)
		}
		return 1 + 2*u
	}
	return 1
}

// MarshalTo writes the value part into b.
func (n NetworkName) MarshalTo(b []byte) (int, error) {
	size := n.MarshalSize()
	if len(b) < size {
		return 0, fmt.Errorf("%w: network name needs %d octets, have %d", ErrValue, size, len(b))
	}
	b[0] = 0x80 | (n.Coding&7)<<4
	if n.AddCI {
		b[0] |= 0x08
	}
	switch n.Coding {
	case CodingGSM7:
		_, septets, err := packGSM7(b[1:size], n.Text)
		if err != nil {
			return 0, err
		}
		b[0] |= byte((8 - 7*septets%8) % 8)
	case CodingUCS2:
		i := 1
		for _, r := range n.Text {
			if utf16.RuneLen(r) == 2 {
				r1, r2 := utf16.EncodeRune(r)
				b[i], b[i+1], b[i+2], b[i+3] = byte(r1>>8), byte(r1), byte(r2>>8), byte(r2)
				i += 4
				continue
			}
			if r < 0 || r > 0xffff {
				r = 0xfffd
			}
			b[i], b[i+1] = byte(r>>8), byte(r)
			i += 2
		}
	default:
		return 0, fmt.Errorf("%w: network name coding scheme %d", ErrValue, n.Coding)
	}
	return size, nil
}

// Unmarshal parses a value part. Coding schemes other than GSM 7-bit and
// UCS2 are reserved and give ErrValue.
func (n *NetworkName) Unmarshal(b []byte) error {
	if len(b) < 1 {
		return fmt.Errorf("%w: empty network name", ErrValue)
	}
	*n = NetworkName{Coding: b[0] >> 4 & 7, AddCI: b[0]&0x08 != 0}
	text := b[1:]
	switch n.Coding {
	case CodingGSM7:
		spare := int(b[0] & 7)
		bits := 8*len(text) - spare
		if bits < 0 {
			bits = 0
		}
		n.Text = unpackGSM7(text, bits/7)
	case CodingUCS2:
		u := make([]uint16, len(text)/2)
		for i := range u {
			u[i] = uint16(text[2*i])<<8 | uint16(text[2*i+1])
		}
		n.Text = string(utf16.Decode(u))
	default:
		return fmt.Errorf("%w: network name coding scheme %d", ErrValue, n.Coding)
	}
	return nil
}
