package tp

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/sms/gsm7"
)

// MaxUDOctets is the longest TP-UD (TS 23.040 §9.2.3.24), and
// MaxSeptets the most GSM 7-bit septets it holds.
const (
	MaxUDOctets = 140
	MaxSeptets  = 160
)

// UserData is the user data of a TPDU as it travels: TP-UDHI (a header
// leads the octets), TP-UDL (septets for the GSM 7-bit alphabet, else
// octets; TS 23.040 §9.2.3.16) and the TP-UD octets, header included.
type UserData struct {
	HeaderIndicator bool
	Length          uint8
	Octets          []byte
}

// octetsFor returns the TP-UD octets a TP-UDL of udl means under a.
func octetsFor(a Alphabet, udl int) int {
	if a == GSM7 {
		return gsm7.PackedLen(udl, 0)
	}
	return udl
}

// decodeUD reads TP-UDL and TP-UD under dcs, checking the lengths and the
// header's structure. ud.HeaderIndicator must be set by the caller.
func decodeUD(d *l3.Decoder, dcs DCS, udhi bool) (UserData, error) {
	u := UserData{HeaderIndicator: udhi, Length: d.Byte()}
	if err := d.Err(); err != nil {
		return u, fmt.Errorf("%w: TP-UDL: %w", ErrShort, err)
	}
	a, err := dcs.Info()
	if err != nil {
		return u, err
	}
	n := octetsFor(a.Alphabet, int(u.Length))
	if a.Compressed {
		n = int(u.Length)
	}
	if (a.Alphabet == GSM7 && !a.Compressed && u.Length > MaxSeptets) || n > MaxUDOctets {
		return u, fmt.Errorf("%w: TP-UDL %d (%v)", ErrLength, u.Length, a.Alphabet)
	}
	if n != d.Left() {
		return u, fmt.Errorf("%w: TP-UDL %d means %d octets, %d present", ErrLength, u.Length, n, d.Left())
	}
	if u.Octets = d.V(n); n == 0 {
		u.Octets = nil
	}
	if udhi {
		_, hl, err := ParseUDH(u.Octets)
		if err != nil {
			return u, err
		}
		if a.Alphabet == GSM7 && !a.Compressed && int(u.Length) < (8*hl+6)/7 {
			return u, fmt.Errorf("%w: TP-UDL %d septets is shorter than the %d-octet header", ErrLength, u.Length, hl)
		}
	}
	return u, nil
}

func (u UserData) encode(e *l3.Encoder) {
	e.Byte(u.Length)
	e.V(u.Octets)
}

// Content is the meaning of user data under a TP-DCS.
type Content struct {
	Header   UDH
	Alphabet Alphabet
	Text     string // GSM7 and UCS2
	Data     []byte // Data8 (aliases the user data)
}

// fill returns the fill bits after a header of hl octets (TS 23.040
// §9.2.3.24) and the septets the header and fill take.
func fill(hl int) (bits, septets int) {
	if hl == 0 {
		return 0, 0
	}
	septets = (8*hl + 6) / 7
	return 7*septets - 8*hl, septets
}

// Decode interprets u under dcs. GSM 7-bit text must leave its spare
// bits zero; UCS2 text must be a whole number of 16-bit units (an
// unpaired surrogate decodes as U+FFFD).
func (u UserData) Decode(dcs DCS) (Content, error) {
	a, err := dcs.Alphabet()
	if err != nil {
		return Content{}, err
	}
	c := Content{Alphabet: a}
	body := u.Octets
	hl := 0
	if u.HeaderIndicator {
		if c.Header, hl, err = ParseUDH(u.Octets); err != nil {
			return Content{}, err
		}
		body = u.Octets[hl:]
	}
	switch a {
	case GSM7:
		fb, hs := fill(hl)
		n := int(u.Length) - hs
		if n < 0 || len(u.Octets) != gsm7.PackedLen(int(u.Length), 0) {
			return Content{}, fmt.Errorf("%w: TP-UDL %d septets with %d octets and a %d-octet header", ErrLength, u.Length, len(u.Octets), hl)
		}
		// The text starts fb bits into the octet after the header.
		s, err := gsm7.Unpack(make([]byte, 0, n), body, n, fb)
		if err != nil {
			return Content{}, fmt.Errorf("%w: %w", ErrLength, err)
		}
		if !gsm7.SpareBitsZero(body, n, fb) {
			return Content{}, fmt.Errorf("%w: non-zero bits after the last septet", ErrValue)
		}
		c.Text = gsm7.Decode(s)
	case UCS2:
		if len(body)%2 != 0 {
			return Content{}, fmt.Errorf("%w: UCS2 text of %d octets", ErrLength, len(body))
		}
		units := make([]uint16, len(body)/2)
		for i := range units {
			units[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
		}
		c.Text = string(utf16.Decode(units))
	default:
		c.Data = body
	}
	return c, nil
}

// EncodeUserData returns the user data for text (GSM7, UCS2) or data
// (Data8) under header h. It fails if the result exceeds 140 octets or
// the text is not in the alphabet.
func EncodeUserData(a Alphabet, h UDH, text string, data []byte) (UserData, error) {
	u := UserData{HeaderIndicator: len(h) > 0}
	var b []byte
	if len(h) > 0 {
		var err error
		if b, err = h.AppendTo(make([]byte, 0, MaxUDOctets)); err != nil {
			return UserData{}, err
		}
	}
	hl := len(b)
	switch a {
	case GSM7:
		s, err := gsm7.Encode(make([]byte, 0, MaxSeptets), text)
		if err != nil {
			return UserData{}, fmt.Errorf("%w: %w", ErrAlphabet, err)
		}
		fb, hs := fill(hl)
		if hs+len(s) > MaxSeptets {
			return UserData{}, fmt.Errorf("%w: %d septets of text after a %d-octet header", ErrTooLong, len(s), hl)
		}
		b = gsm7.Pack(b, s, fb)
		u.Length = uint8(hs + len(s))
		// A header alone still takes the octets its septets span.
		for len(b) < gsm7.PackedLen(int(u.Length), 0) {
			b = append(b, 0)
		}
	case UCS2:
		for _, r := range text {
			if r == utf8.RuneError {
				return UserData{}, fmt.Errorf("%w: invalid UTF-8", ErrAlphabet)
			}
			for _, x := range utf16.AppendRune(nil, r) {
				b = append(b, byte(x>>8), byte(x))
			}
		}
		u.Length = uint8(min(len(b), 255))
	case Data8:
		b = append(b, data...)
		u.Length = uint8(min(len(b), 255))
	default:
		return UserData{}, fmt.Errorf("%w: alphabet %d", ErrValue, a)
	}
	if len(b) > MaxUDOctets {
		return UserData{}, fmt.Errorf("%w: %d octets of user data", ErrTooLong, len(b))
	}
	u.Octets = b
	return u, nil
}
