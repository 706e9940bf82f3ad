package mm

import (
	"fmt"
	"time"
)

// TimeZone is a time zone as the offset from UTC in quarters of an hour
// (TS 24.008 §10.5.3.8, coded as in TS 23.040 §9.2.3.11).
type TimeZone int8

// TimeZoneOf returns the zone of t's location at t, rounded to a quarter
// hour.
func TimeZoneOf(t time.Time) TimeZone {
	_, off := t.Zone()
	q := off / 900
	if off%900 >= 450 {
		q++
	} else if off%900 <= -450 {
		q--
	}
	return TimeZone(q)
}

func (z TimeZone) String() string {
	m := int(z) * 15
	sign := '+'
	if m < 0 {
		sign, m = '-', -m
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, m/60, m%60)
}

// byte returns the octet: two BCD digits of the number of quarter hours,
// the tens digit in bits 4–1 and the units in bits 8–5 (semi-octets
// swapped), with bit 4 the sign (1 = west of Greenwich).
func (z TimeZone) byte() (byte, error) {
	q := int(z)
	var sign byte
	if q < 0 {
		q, sign = -q, 0x08
	}
	if q > 79 {
		return 0, fmt.Errorf("%w: time zone %d quarter hours", ErrValue, int(z))
	}
	return byte(q%10)<<4 | byte(q/10) | sign, nil
}

func parseTimeZone(v byte) (TimeZone, error) {
	tens, units := v&0x07, v>>4
	if units > 9 {
		return 0, fmt.Errorf("%w: time zone %#02x", ErrValue, v)
	}
	q := int(tens)*10 + int(units)
	if v&0x08 != 0 {
		q = -q
	}
	return TimeZone(q), nil
}

// UniversalTime is the Universal Time and Local Time Zone value (TS 24.008
// §10.5.3.9): UTC as year (two digits), month, day, hour, minute, second,
// each a swapped-semi-octet BCD pair as in TS 23.040 §9.2.3.11, then the
// local time zone.
//
//	|  year units   |  year tens    |  octet 2 (after the IEI)
//	| month ... second, likewise    |  octets 3–7
//	| time zone (§10.5.3.8)         |  octet 8
type UniversalTime struct {
	Year, Month, Day     uint8 // Year is 0..99 (the year mod 100)
	Hour, Minute, Second uint8
	Zone                 TimeZone
}

// UniversalTimeOf returns the fields for t: its UTC date and time and the
// zone of its location.
func UniversalTimeOf(t time.Time) UniversalTime {
	u := t.UTC()
	return UniversalTime{
		Year: uint8(u.Year() % 100), Month: uint8(u.Month()), Day: uint8(u.Day()),
		Hour: uint8(u.Hour()), Minute: uint8(u.Minute()), Second: uint8(u.Second()),
		Zone: TimeZoneOf(t),
	}
}

// universalTimeLen is the length of the value part.
const universalTimeLen = 7

func (u UniversalTime) marshalTo(b []byte) error {
	f := [6]uint8{u.Year, u.Month, u.Day, u.Hour, u.Minute, u.Second}
	for i, v := range f {
		if v > 99 {
			return fmt.Errorf("%w: time field %d = %d", ErrValue, i, v)
		}
		b[i] = (v%10)<<4 | v/10
	}
	z, err := u.Zone.byte()
	b[6] = z
	return err
}

func (u *UniversalTime) unmarshal(b []byte) error {
	var f [6]uint8
	for i := range f {
		lo, hi := b[i]&0xf, b[i]>>4
		if lo > 9 || hi > 9 {
			return fmt.Errorf("%w: BCD time octet %#02x", ErrValue, b[i])
		}
		f[i] = lo*10 + hi
	}
	z, err := parseTimeZone(b[6])
	*u = UniversalTime{Year: f[0], Month: f[1], Day: f[2], Hour: f[3], Minute: f[4], Second: f[5], Zone: z}
	return err
}
