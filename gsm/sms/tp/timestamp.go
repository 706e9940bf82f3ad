package tp

import (
	"fmt"
	"time"
)

// TimestampLen is the length of a TP-SCTS, TP-DT or absolute TP-VP.
const TimestampLen = 7

// Timestamp is a TP-Service-Centre-Time-Stamp (TS 23.040 §9.2.3.11), also
// the format of TP-DT (§9.2.3.13) and the absolute TP-VP (§9.2.3.12.2):
// seven octets of two swapped semi-octets each,
//
//	| year | month | day | hour | minute | second | time zone |
//
// where the time zone is in quarters of an hour, its sign in bit 4 of
// the octet (the tens digit's bit 3). The fields hold decimal values
// (Year 0–99); Unmarshal rejects semi-octets above 9.
type Timestamp struct {
	Year, Month, Day, Hour, Minute, Second uint8
	TZ                                     int8 // quarter hours east of UTC, -79..79
}

// TimestampOf returns t as a Timestamp in t's zone, rounded down to
// whole seconds and quarter hours of offset.
func TimestampOf(t time.Time) Timestamp {
	_, off := t.Zone()
	return Timestamp{
		Year: uint8(t.Year() % 100), Month: uint8(t.Month()), Day: uint8(t.Day()),
		Hour: uint8(t.Hour()), Minute: uint8(t.Minute()), Second: uint8(t.Second()),
		TZ: int8(off / 900),
	}
}

// Time returns the instant ts names (years 00–99 are 2000–2099).
func (ts Timestamp) Time() (time.Time, error) {
	if ts.Month < 1 || ts.Month > 12 || ts.Day < 1 || ts.Day > 31 || ts.Hour > 23 || ts.Minute > 59 || ts.Second > 59 || ts.Year > 99 {
		return time.Time{}, fmt.Errorf("%w: time stamp %+v", ErrValue, ts)
	}
	loc := time.FixedZone("", int(ts.TZ)*900)
	return time.Date(2000+int(ts.Year), time.Month(ts.Month), int(ts.Day), int(ts.Hour), int(ts.Minute), int(ts.Second), 0, loc), nil
}

func swapped(v uint8) (byte, error) {
	if v > 99 {
		return 0, fmt.Errorf("%w: %d is not two digits", ErrValue, v)
	}
	return (v%10)<<4 | v/10, nil
}

// MarshalTo writes the seven octets into b.
func (ts Timestamp) MarshalTo(b []byte) (int, error) {
	if len(b) < TimestampLen {
		return 0, fmt.Errorf("%w: time stamp needs 7 octets", ErrBuffer)
	}
	for i, v := range [...]uint8{ts.Year, ts.Month, ts.Day, ts.Hour, ts.Minute, ts.Second} {
		o, err := swapped(v)
		if err != nil {
			return 0, err
		}
		b[i] = o
	}
	q := int(ts.TZ)
	sign := byte(0)
	if q < 0 {
		q, sign = -q, 8
	}
	if q > 79 {
		return 0, fmt.Errorf("%w: time zone of %d quarter hours", ErrValue, ts.TZ)
	}
	b[6] = byte(q%10)<<4 | sign | byte(q/10)
	return TimestampLen, nil
}

// Unmarshal parses seven octets.
func (ts *Timestamp) Unmarshal(b []byte) error {
	if len(b) < TimestampLen {
		return fmt.Errorf("%w: time stamp needs 7 octets, have %d", ErrShort, len(b))
	}
	var v [6]uint8
	for i := range v {
		lo, hi := b[i]&0xf, b[i]>>4
		if lo > 9 || hi > 9 {
			return fmt.Errorf("%w: time stamp octet %d is %#02x", ErrValue, i, b[i])
		}
		v[i] = lo*10 + hi
	}
	units := b[6] >> 4
	if units > 9 {
		return fmt.Errorf("%w: time zone octet %#02x", ErrValue, b[6])
	}
	q := int8(b[6]&7)*10 + int8(units)
	if b[6]&8 != 0 {
		if q == 0 {
			return fmt.Errorf("%w: time zone -0", ErrValue) // not canonical
		}
		q = -q
	}
	*ts = Timestamp{Year: v[0], Month: v[1], Day: v[2], Hour: v[3], Minute: v[4], Second: v[5], TZ: q}
	return nil
}
