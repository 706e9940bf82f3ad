package tp

import (
	"fmt"
	"time"
)

// VPF is the TP-Validity-Period-Format (TS 23.040 §9.2.3.3), bits 4–3 of
// an SMS-SUBMIT's first octet.
type VPF uint8

// Validity period formats.
const (
	VPFNone     VPF = 0 // no TP-VP
	VPFEnhanced VPF = 1 // 7 octets, §9.2.3.12.3
	VPFRelative VPF = 2 // 1 octet, §9.2.3.12.1
	VPFAbsolute VPF = 3 // 7 octets, a Timestamp, §9.2.3.12.2
)

// VP is a TP-Validity-Period in one of its three formats. Only the field
// named by Format is used.
type VP struct {
	Format   VPF
	Relative uint8
	Absolute Timestamp
	Enhanced [7]byte // use ParseEnhancedVP / EnhancedVP.Marshal
}

func (v VP) size() int {
	switch v.Format {
	case VPFRelative:
		return 1
	case VPFEnhanced, VPFAbsolute:
		return 7
	}
	return 0
}

// RelativeDuration returns the period a relative TP-VP octet stands for
// (TS 23.040 §9.2.3.12.1).
func RelativeDuration(v uint8) time.Duration {
	switch {
	case v <= 143:
		return time.Duration(v+1) * 5 * time.Minute
	case v <= 167:
		return 12*time.Hour + time.Duration(v-143)*30*time.Minute
	case v <= 196:
		return time.Duration(v-166) * 24 * time.Hour
	}
	return time.Duration(v-192) * 7 * 24 * time.Hour
}

// RelativeVP returns the smallest relative TP-VP octet whose period is
// at least d (at most 255, 63 weeks).
func RelativeVP(d time.Duration) uint8 {
	for v := 0; v < 255; v++ {
		if RelativeDuration(uint8(v)) >= d {
			return uint8(v)
		}
	}
	return 255
}

// Expiry returns when a message with this validity period, received by
// the SC at scts, expires; ok is false when v holds no period (the SC
// applies its default).
func (v VP) Expiry(scts time.Time) (t time.Time, ok bool, err error) {
	switch v.Format {
	case VPFRelative:
		return scts.Add(RelativeDuration(v.Relative)), true, nil
	case VPFAbsolute:
		t, err := v.Absolute.Time()
		return t, err == nil, err
	case VPFEnhanced:
		e, err := ParseEnhancedVP(v.Enhanced)
		if err != nil {
			return time.Time{}, false, err
		}
		d, ok := e.Duration()
		if !ok {
			return time.Time{}, false, nil
		}
		return scts.Add(d), true, nil
	}
	return time.Time{}, false, nil
}

// EnhancedKind is the validity period functionality indicator of an
// enhanced TP-VP (TS 23.040 §9.2.3.12.3, bits 3–1 of its first octet).
type EnhancedKind uint8

// Enhanced validity period kinds.
const (
	EnhancedNone     EnhancedKind = 0 // no validity period
	EnhancedRelative EnhancedKind = 1 // one octet as the relative format
	EnhancedSeconds  EnhancedKind = 2 // one octet, 0–255 seconds
	EnhancedHMS      EnhancedKind = 3 // three semi-octet pairs: hours, minutes, seconds
)

// EnhancedVP is the meaning of an enhanced TP-VP:
//
//	| ext | single shot | reserved (3) | functionality indicator (3) |  octet 1
//	| the period: 0, 1 or 3 octets, then zero fill to 7 octets      |
//
// The extension bit (further functionality octets) and indicators 4–7
// are reserved; ParseEnhancedVP rejects them.
type EnhancedVP struct {
	SingleShot bool
	Kind       EnhancedKind
	Relative   uint8         // EnhancedRelative
	Seconds    uint8         // EnhancedSeconds
	HMS        time.Duration // EnhancedHMS: whole seconds below 100 hours
}

// Duration returns the period, if the kind carries one.
func (e EnhancedVP) Duration() (time.Duration, bool) {
	switch e.Kind {
	case EnhancedRelative:
		return RelativeDuration(e.Relative), true
	case EnhancedSeconds:
		return time.Duration(e.Seconds) * time.Second, true
	case EnhancedHMS:
		return e.HMS, true
	}
	return 0, false
}

// ParseEnhancedVP decodes seven enhanced TP-VP octets. Octets after the
// period must be zero, as §9.2.3.12.3 fills them.
func ParseEnhancedVP(b [7]byte) (EnhancedVP, error) {
	if b[0]&0xb8 != 0 || b[0]&7 > 3 {
		return EnhancedVP{}, fmt.Errorf("%w: enhanced validity period octet %#02x", ErrValue, b[0])
	}
	e := EnhancedVP{SingleShot: b[0]&0x40 != 0, Kind: EnhancedKind(b[0] & 7)}
	used := 1
	switch e.Kind {
	case EnhancedRelative:
		e.Relative, used = b[1], 2
	case EnhancedSeconds:
		e.Seconds, used = b[1], 2
	case EnhancedHMS:
		var v [3]uint8
		for i := range v {
			lo, hi := b[1+i]&0xf, b[1+i]>>4
			if lo > 9 || hi > 9 {
				return EnhancedVP{}, fmt.Errorf("%w: enhanced validity period semi-octets %#02x", ErrValue, b[1+i])
			}
			v[i] = lo*10 + hi
		}
		if v[1] > 59 || v[2] > 59 {
			return EnhancedVP{}, fmt.Errorf("%w: enhanced validity period %d:%d:%d", ErrValue, v[0], v[1], v[2])
		}
		e.HMS = time.Duration(v[0])*time.Hour + time.Duration(v[1])*time.Minute + time.Duration(v[2])*time.Second
		used = 4
	}
	for _, x := range b[used:] {
		if x != 0 {
			return EnhancedVP{}, fmt.Errorf("%w: enhanced validity period fill % x", ErrValue, b[used:])
		}
	}
	return e, nil
}

// Marshal returns the seven octets of e.
func (e EnhancedVP) Marshal() ([7]byte, error) {
	var b [7]byte
	if e.Kind > EnhancedHMS {
		return b, fmt.Errorf("%w: enhanced validity period kind %d", ErrValue, e.Kind)
	}
	b[0] = byte(e.Kind)
	if e.SingleShot {
		b[0] |= 0x40
	}
	switch e.Kind {
	case EnhancedRelative:
		b[1] = e.Relative
	case EnhancedSeconds:
		b[1] = e.Seconds
	case EnhancedHMS:
		s := int64(e.HMS / time.Second)
		if s < 0 || s >= 100*3600 || e.HMS%time.Second != 0 {
			return b, fmt.Errorf("%w: enhanced validity period %v", ErrValue, e.HMS)
		}
		for i, v := range [...]int64{s / 3600, s / 60 % 60, s % 60} {
			b[1+i] = byte(v%10)<<4 | byte(v/10)
		}
	}
	return b, nil
}
