package ss

import (
	"fmt"
	"unicode/utf16"

	"github.com/gsmbox/gsmbox/gsm/sms/gsm7"
)

// USSD data coding schemes (TS 23.038 §5, the CBS coding) this package
// writes.
const (
	DCSGSM7 = 0x0f // GSM 7-bit default alphabet, language unspecified
	DCSUCS2 = 0x48 // general data coding, UCS2, no class
)

// MaxUSSDString is the longest USSD-String (TS 29.002: 1..160 octets;
// 182 septets of 7-bit text).
const MaxUSSDString = 160

// USSD is a USSD-DataCodingScheme and USSD-String pair: the coded text of
// a USSD request or response.
type USSD struct {
	DCS    uint8
	String []byte
}

// EncodeUSSD codes text in the GSM 7-bit default alphabet with USSD
// padding (TS 23.038 §6.1.2.3.1) when it fits, else in UCS2.
func EncodeUSSD(text string) (USSD, error) {
	var u USSD
	if s, err := gsm7.Encode(nil, text); err == nil {
		u = USSD{DCS: DCSGSM7, String: gsm7.PackUSSD(nil, s)}
	} else {
		var b []byte
		for _, x := range utf16.Encode([]rune(text)) {
			b = append(b, byte(x>>8), byte(x))
		}
		u = USSD{DCS: DCSUCS2, String: b}
	}
	if len(u.String) == 0 || len(u.String) > MaxUSSDString {
		return USSD{}, fmt.Errorf("%w: USSD string of %d octets", ErrValue, len(u.String))
	}
	return u, nil
}

// alphabet interprets a CBS data coding scheme (TS 23.038 §5): 0 GSM
// 7-bit, 1 8-bit, 2 UCS2. Language groups 0000, 0010 and 0011 and the
// reserved groups are GSM 7-bit as §5 asks of a receiver; 0001 0000 is
// GSM 7-bit with a language prefix (kept in the text); 0001 0001 (UCS2
// with a 7-bit language prefix), compressed text and the UDH group 1001
// are refused.
func alphabet(dcs uint8) (int, error) {
	switch {
	case dcs>>4 == 1:
		if dcs == 0x10 {
			return 0, nil
		}
	case dcs>>6 == 1: // 01xx: general data coding
		if dcs&0x20 != 0 {
			break
		}
		switch dcs >> 2 & 3 {
		case 0, 3:
			return 0, nil
		case 1:
			return 1, nil
		case 2:
			return 2, nil
		}
	case dcs>>4 == 0xf:
		if dcs&4 != 0 {
			return 1, nil
		}
		return 0, nil
	case dcs>>4 == 9:
	default:
		return 0, nil
	}
	return 0, fmt.Errorf("%w: data coding scheme %#02x", ErrAlphabet, dcs)
}

// Text decodes the string under its data coding scheme. 8-bit data comes
// back as its octets, one rune each.
func (u USSD) Text() (string, error) {
	a, err := alphabet(u.DCS)
	if err != nil {
		return "", err
	}
	switch a {
	case 0:
		return gsm7.Decode(gsm7.UnpackUSSD(nil, u.String)), nil
	case 2:
		if len(u.String)%2 != 0 {
			return "", fmt.Errorf("%w: UCS2 string of %d octets", ErrAlphabet, len(u.String))
		}
		units := make([]uint16, len(u.String)/2)
		for i := range units {
			units[i] = uint16(u.String[2*i])<<8 | uint16(u.String[2*i+1])
		}
		return string(utf16.Decode(units)), nil
	}
	r := make([]rune, len(u.String))
	for i, b := range u.String {
		r[i] = rune(b)
	}
	return string(r), nil
}

// USSDArg is the USSD-Arg parameter of processUnstructuredSS-Request,
// unstructuredSS-Request and unstructuredSS-Notify (TS 29.002 §7.6.4):
//
//	30 len { 04 01 dcs, 04 len string, [04 01 alertingPattern], [80 len msisdn], ... }
//
// Extra keeps any later extension elements as raw BER.
type USSDArg struct {
	USSD
	HasAlertingPattern bool
	AlertingPattern    uint8
	MSISDN             []byte // ISDN-AddressString octets, nil when absent
	Extra              []byte
}

// USSDRes is the USSD-Res result of processUnstructuredSS-Request and
// unstructuredSS-Request: 30 len { 04 01 dcs, 04 len string, ... }.
type USSDRes struct {
	USSD
	Extra []byte
}

func (u *USSD) contentSize() int { return 3 + tlvSize(len(u.String)) }

func (u *USSD) check() error {
	if len(u.String) < 1 || len(u.String) > MaxUSSDString {
		return fmt.Errorf("%w: USSD string of %d octets", ErrValue, len(u.String))
	}
	return nil
}

func (u *USSD) append(dst []byte) []byte {
	dst = append(dst, tagOctets, 1, u.DCS)
	return appendTLV(dst, tagOctets, u.String)
}

// Marshal returns the parameter's BER encoding (for Component.Param).
func (a *USSDArg) Marshal() ([]byte, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	n := a.contentSize() + len(a.Extra)
	if a.HasAlertingPattern {
		n += 3
	}
	if a.MSISDN != nil {
		n += tlvSize(len(a.MSISDN))
	}
	b := appendHeader(make([]byte, 0, tlvSize(n)), tagSequence, n)
	b = a.append(b)
	if a.HasAlertingPattern {
		b = append(b, tagOctets, 1, a.AlertingPattern)
	}
	if a.MSISDN != nil {
		b = appendTLV(b, 0x80, a.MSISDN)
	}
	return append(b, a.Extra...), nil
}

// Marshal returns the result's BER encoding (for Component.Param).
func (r *USSDRes) Marshal() ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	n := r.contentSize() + len(r.Extra)
	b := appendHeader(make([]byte, 0, tlvSize(n)), tagSequence, n)
	b = r.append(b)
	return append(b, r.Extra...), nil
}

// parseUSSD reads the sequence's DCS and string and returns what follows.
func parseUSSD(b []byte) (USSD, []byte, error) {
	seq, rest, err := readElement(b, false)
	if err != nil {
		return USSD{}, nil, err
	}
	if seq.tag != tagSequence || len(rest) != 0 {
		return USSD{}, nil, fmt.Errorf("%w: USSD parameter is not one SEQUENCE", ErrBER)
	}
	dcs, v, err := readElement(seq.value, false)
	if err != nil {
		return USSD{}, nil, err
	}
	str, v, err := readElement(v, false)
	if err != nil {
		return USSD{}, nil, err
	}
	if dcs.tag != tagOctets || len(dcs.value) != 1 || str.tag != tagOctets {
		return USSD{}, nil, fmt.Errorf("%w: USSD data coding scheme and string", ErrBER)
	}
	u := USSD{DCS: dcs.value[0], String: str.value}
	if err := u.check(); err != nil {
		return USSD{}, nil, err
	}
	if err := checkElements(v, 1); err != nil {
		return USSD{}, nil, err
	}
	return u, v, nil
}

// Unmarshal parses a USSD-Arg.
func (a *USSDArg) Unmarshal(b []byte) error {
	u, v, err := parseUSSD(b)
	if err != nil {
		return err
	}
	*a = USSDArg{USSD: u}
	if len(v) > 0 {
		if e, r, _ := readElement(v, false); e.tag == tagOctets && len(e.value) == 1 {
			a.HasAlertingPattern, a.AlertingPattern, v = true, e.value[0], r
		}
	}
	if len(v) > 0 {
		if e, r, _ := readElement(v, false); e.tag == 0x80 {
			a.MSISDN, v = e.value, r
		}
	}
	if len(v) > 0 {
		a.Extra = v
	}
	return nil
}

// Unmarshal parses a USSD-Res.
func (r *USSDRes) Unmarshal(b []byte) error {
	u, v, err := parseUSSD(b)
	if err != nil {
		return err
	}
	*r = USSDRes{USSD: u}
	if len(v) > 0 {
		r.Extra = v
	}
	return nil
}

// NewUSSDInvoke returns an Invoke of op (59, 60 or 61) carrying text.
func NewUSSDInvoke(invokeID int8, op Opcode, text string) (Component, error) {
	u, err := EncodeUSSD(text)
	if err != nil {
		return Component{}, err
	}
	arg := USSDArg{USSD: u}
	p, err := arg.Marshal()
	if err != nil {
		return Component{}, err
	}
	return Component{Type: Invoke, InvokeID: invokeID, Op: op, Param: p}, nil
}

// NewUSSDResult returns the ReturnResult of op carrying text.
func NewUSSDResult(invokeID int8, op Opcode, text string) (Component, error) {
	u, err := EncodeUSSD(text)
	if err != nil {
		return Component{}, err
	}
	res := USSDRes{USSD: u}
	p, err := res.Marshal()
	if err != nil {
		return Component{}, err
	}
	return Component{Type: ReturnResult, InvokeID: invokeID, HasResult: true, Op: op, Param: p}, nil
}

// USSDText returns the text of a USSD Invoke (USSD-Arg) or ReturnResult
// (USSD-Res).
func (c *Component) USSDText() (string, error) {
	switch {
	case c.Type == Invoke && c.Param != nil:
		var a USSDArg
		if err := a.Unmarshal(c.Param); err != nil {
			return "", err
		}
		return a.Text()
	case c.Type == ReturnResult && c.HasResult && c.Param != nil:
		var r USSDRes
		if err := r.Unmarshal(c.Param); err != nil {
			return "", err
		}
		return r.Text()
	}
	return "", fmt.Errorf("%w: %v without a USSD parameter", ErrMissing, c.Type)
}
