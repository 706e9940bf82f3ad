package l3

import (
	"encoding/binary"
	"fmt"
)

// IdentityType is the type of identity of a Mobile Identity IE (TS 24.008
// §10.5.1.4, table 10.5.4).
type IdentityType uint8

// Identity types.
const (
	IdentityNone   IdentityType = 0
	IdentityIMSI   IdentityType = 1
	IdentityIMEI   IdentityType = 2
	IdentityIMEISV IdentityType = 3
	IdentityTMSI   IdentityType = 4 // TMSI or P-TMSI
	IdentityTMGI   IdentityType = 5
)

var identityNames = [...]string{"none", "IMSI", "IMEI", "IMEISV", "TMSI", "TMGI"}

func (t IdentityType) String() string {
	if int(t) < len(identityNames) {
		return identityNames[t]
	}
	return fmt.Sprintf("IdentityType(%d)", uint8(t))
}

// MobileIdentity is the value of a Mobile Identity IE (TS 24.008 §10.5.1.4).
// Digits holds the IMSI, IMEI or IMEISV digits; TMSI the TMSI/P-TMSI.
type MobileIdentity struct {
	Type   IdentityType
	Digits string
	TMSI   uint32
}

// IMSI returns an IMSI identity.
func IMSI(digits string) MobileIdentity { return MobileIdentity{Type: IdentityIMSI, Digits: digits} }

// TMSI returns a TMSI identity.
func TMSI(v uint32) MobileIdentity { return MobileIdentity{Type: IdentityTMSI, TMSI: v} }

func (m MobileIdentity) String() string {
	switch m.Type {
	case IdentityTMSI:
		return fmt.Sprintf("TMSI %#08x", m.TMSI)
	case IdentityNone:
		return "no identity"
	}
	return m.Type.String() + " " + m.Digits
}

// maxDigits bounds each digit identity (TS 23.003 §2.2, §6.2).
func (t IdentityType) digitRange() (lo, hi int) {
	switch t {
	case IdentityIMSI:
		return 6, 15
	case IdentityIMEI:
		return 14, 15 // 14 digits plus the optional check digit
	case IdentityIMEISV:
		return 16, 16
	}
	return 0, 0
}

// MarshalSize returns the length of the value part (without IEI and length
// octet).
func (m MobileIdentity) MarshalSize() int {
	switch m.Type {
	case IdentityTMSI:
		return 5
	case IdentityNone:
		return 1
	}
	return len(m.Digits)/2 + 1
}

// Validate checks the identity against TS 23.003 digit counts.
func (m MobileIdentity) Validate() error {
	switch m.Type {
	case IdentityTMSI, IdentityNone:
		return nil
	case IdentityIMSI, IdentityIMEI, IdentityIMEISV:
		lo, hi := m.Type.digitRange()
		if !Digits(m.Digits, lo, hi) {
			return fmt.Errorf("%w: %s %q needs %d..%d decimal digits", ErrIdentity, m.Type, m.Digits, lo, hi)
		}
		return nil
	}
	return fmt.Errorf("%w: cannot encode type %s", ErrIdentity, m.Type)
}

// MarshalTo writes the value part:
//
//	  8   7   6   5   4   3   2   1
//	| identity digit 1 |odd| type   |  octet 3
//	| digit 3         | digit 2     |  octet 4 ...
//	| 1111 or digit p+1 | digit p   |  last octet (filler if even count)
//
// A TMSI is octet 3 = 1111 0 100 followed by the 4 TMSI octets; "no
// identity" is the single octet 1111 0 000.
func (m MobileIdentity) MarshalTo(b []byte) (int, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	n := m.MarshalSize()
	if len(b) < n {
		return 0, fmt.Errorf("%w: mobile identity needs %d octets, have %d", ErrBuffer, n, len(b))
	}
	switch m.Type {
	case IdentityTMSI:
		b[0] = 0xf0 | byte(IdentityTMSI)
		binary.BigEndian.PutUint32(b[1:], m.TMSI)
		return 5, nil
	case IdentityNone:
		b[0] = 0xf0
		return 1, nil
	}
	odd := byte(len(m.Digits) & 1)
	b[0] = (m.Digits[0]-'0')<<4 | odd<<3 | byte(m.Type)
	for i := 1; i < len(m.Digits); i += 2 {
		lo := m.Digits[i] - '0'
		hi := byte(0xf)
		if i+1 < len(m.Digits) {
			hi = m.Digits[i+1] - '0'
		}
		b[(i+1)/2] = hi<<4 | lo
	}
	return n, nil
}

// Unmarshal parses the value part of length len(b).
func (m *MobileIdentity) Unmarshal(b []byte) error {
	if len(b) < 1 {
		return fmt.Errorf("%w: empty mobile identity", ErrShort)
	}
	*m = MobileIdentity{Type: IdentityType(b[0] & 7)}
	switch m.Type {
	case IdentityNone:
		return nil
	case IdentityTMSI:
		if len(b) != 5 {
			return fmt.Errorf("%w: TMSI identity of %d octets, want 5", ErrIdentity, len(b))
		}
		m.TMSI = binary.BigEndian.Uint32(b[1:])
		return nil
	case IdentityIMSI, IdentityIMEI, IdentityIMEISV:
	default:
		return fmt.Errorf("%w: unsupported type %s", ErrIdentity, m.Type)
	}
	odd := b[0]&8 != 0
	n := 2*len(b) - 1
	if !odd {
		n--
	}
	lo, hi := m.Type.digitRange()
	if n < lo || n > hi {
		return fmt.Errorf("%w: %s of %d digits, want %d..%d", ErrIdentity, m.Type, n, lo, hi)
	}
	if !odd && b[len(b)-1]>>4 != 0xf {
		return fmt.Errorf("%w: even %s without filler", ErrIdentity, m.Type)
	}
	var d [16]byte
	d[0] = b[0] >> 4
	for i := 1; i < n; i++ {
		v := b[(i+1)/2]
		if i%2 == 1 {
			d[i] = v & 0xf
		} else {
			d[i] = v >> 4
		}
	}
	for i := range n {
		if d[i] > 9 {
			return fmt.Errorf("%w: BCD digit %#x", ErrIdentity, d[i])
		}
		d[i] += '0'
	}
	m.Digits = string(d[:n])
	return nil
}
