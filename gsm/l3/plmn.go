package l3

import (
	"encoding/binary"
	"fmt"
)

// PLMN is a public land mobile network identity: a 3-digit mobile country
// code and a 2- or 3-digit mobile network code (TS 23.003 §2.2). Both are
// decimal digit strings that keep their leading zeros ("001", "01" and
// "001" are different MNCs).
type PLMN struct {
	MCC string
	MNC string
}

func (p PLMN) String() string { return p.MCC + "-" + p.MNC }

// Validate checks the digit counts.
func (p PLMN) Validate() error {
	if !Digits(p.MCC, 3, 3) {
		return fmt.Errorf("%w: MCC %q is not 3 decimal digits", ErrDigits, p.MCC)
	}
	if !Digits(p.MNC, 2, 3) {
		return fmt.Errorf("%w: MNC %q is not 2 or 3 decimal digits", ErrDigits, p.MNC)
	}
	return nil
}

// Digits reports whether s is lo to hi decimal digits: the check every
// digit-string identity makes (MCC, MNC and IMSI, TS 23.003 §2.2; MSISDN,
// §3.3; IMEI, §6.2). It is the one such check in the tree: config,
// registry and the identity decoders use it.
func Digits(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PLMNLen is the encoded length of a PLMN identity.
const PLMNLen = 3

// MarshalTo writes the 3-octet BCD form (TS 24.008 §10.5.1.3, figure
// 10.5.3):
//
//	  8   7   6   5   4   3   2   1
//	|  MCC digit 2  |  MCC digit 1  |  octet 1
//	|  MNC digit 3  |  MCC digit 3  |  octet 2   (MNC digit 3 = F for 2-digit MNC)
//	|  MNC digit 2  |  MNC digit 1  |  octet 3
func (p PLMN) MarshalTo(b []byte) (int, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	if len(b) < PLMNLen {
		return 0, fmt.Errorf("%w: PLMN needs 3 octets, have %d", ErrBuffer, len(b))
	}
	d3 := byte(0xf)
	if len(p.MNC) == 3 {
		d3 = p.MNC[2] - '0'
	}
	b[0] = (p.MCC[1]-'0')<<4 | (p.MCC[0] - '0')
	b[1] = d3<<4 | (p.MCC[2] - '0')
	b[2] = (p.MNC[1]-'0')<<4 | (p.MNC[0] - '0')
	return PLMNLen, nil
}

// Unmarshal parses the 3-octet BCD form. A digit above 9 other than the F
// filler in MNC digit 3 is an error.
func (p *PLMN) Unmarshal(b []byte) error {
	if len(b) < PLMNLen {
		return fmt.Errorf("%w: PLMN needs 3 octets, have %d", ErrShort, len(b))
	}
	var d [6]byte
	d[0], d[1], d[2] = b[0]&0xf, b[0]>>4, b[1]&0xf
	d[3], d[4], d[5] = b[2]&0xf, b[2]>>4, b[1]>>4
	n := 6
	if d[5] == 0xf {
		n = 5
	}
	for i := range n {
		if d[i] > 9 {
			return fmt.Errorf("%w: BCD digit %#x in PLMN % x", ErrDigits, d[i], b[:3])
		}
		d[i] += '0'
	}
	p.MCC = string(d[:3])
	p.MNC = string(d[3:n])
	return nil
}

// LAI is a location area identification (TS 24.008 §10.5.1.3).
type LAI struct {
	PLMN
	LAC uint16
}

func (l LAI) String() string { return fmt.Sprintf("%s-%d", l.PLMN, l.LAC) }

// LAILen is the length of the LAI value part.
const LAILen = 5

// MarshalTo writes the 5-octet value part: PLMN then LAC, big-endian.
func (l LAI) MarshalTo(b []byte) (int, error) {
	if len(b) < LAILen {
		return 0, fmt.Errorf("%w: LAI needs 5 octets, have %d", ErrBuffer, len(b))
	}
	if _, err := l.PLMN.MarshalTo(b); err != nil {
		return 0, err
	}
	binary.BigEndian.PutUint16(b[3:], l.LAC)
	return LAILen, nil
}

// Unmarshal parses the 5-octet value part.
func (l *LAI) Unmarshal(b []byte) error {
	if len(b) < LAILen {
		return fmt.Errorf("%w: LAI needs 5 octets, have %d", ErrShort, len(b))
	}
	if err := l.PLMN.Unmarshal(b); err != nil {
		return err
	}
	l.LAC = binary.BigEndian.Uint16(b[3:])
	return nil
}

// CellIdentityLen is the length of the Cell Identity value part (TS 24.008
// §10.5.1.1): the 16-bit CI, big-endian.
const CellIdentityLen = 2

// PutCellIdentity writes ci as the Cell Identity value part.
func PutCellIdentity(b []byte, ci uint16) (int, error) {
	if len(b) < 2 {
		return 0, fmt.Errorf("%w: Cell Identity needs 2 octets", ErrBuffer)
	}
	binary.BigEndian.PutUint16(b, ci)
	return 2, nil
}

// CellIdentity parses the Cell Identity value part.
func CellIdentity(b []byte) (uint16, error) {
	if len(b) < 2 {
		return 0, fmt.Errorf("%w: Cell Identity needs 2 octets, have %d", ErrShort, len(b))
	}
	return binary.BigEndian.Uint16(b), nil
}
