package cc

import "github.com/gsmbox/gsmbox/gsm/l3"

// The Setup, Call Proceeding and Call Confirmed messages may carry two
// bearer capabilities, announced by a Repeat Indicator (TS 24.008
// §10.5.4.22: 1 circular for successive selection, 3 sequential, 4
// fallback).

func bearersSize(hasRepeat, has1 bool, b1 *BearerCapability, has2 bool, b2 *BearerCapability) int {
	n := 0
	if hasRepeat {
		n++
	}
	if has1 {
		n += b1.size()
	}
	if has2 {
		n += b2.size()
	}
	return n
}

func putBearers(e *enc, hasRepeat bool, repeat uint8, has1 bool, b1 *BearerCapability, has2 bool, b2 *BearerCapability) {
	if hasRepeat {
		e.TVHalf(ieiRepeat, repeat)
	}
	if has1 {
		b1.putTLV(e)
	}
	if has2 {
		b2.putTLV(e)
	}
}

// bearerSlots points at a message's repeat indicator and bearer
// capability fields for decoding.
type bearerSlots struct {
	hasRepeat *bool
	repeat    *uint8
	has1      *bool
	b1        *BearerCapability
	has2      *bool
	b2        *BearerCapability
}

// decode consumes a repeat indicator or a bearer capability; a third
// bearer capability is ignored (§8.6.3).
func (s bearerSlots) decode(d *l3.Decoder) (bool, error) {
	if d.IsHalf(ieiRepeat) {
		*s.repeat, *s.hasRepeat = d.TVHalf(ieiRepeat)
		return true, nil
	}
	if !d.Is(ieiBearer) {
		return false, nil
	}
	v, ok := d.TLV(ieiBearer, 1, bearerMax)
	switch {
	case !ok:
	case !*s.has1:
		*s.has1 = true
		return true, s.b1.Unmarshal(v)
	case !*s.has2:
		*s.has2 = true
		return true, s.b2.Unmarshal(v)
	}
	return true, nil
}
