package l3

import "errors"

var (
	// ErrShort is returned when input ends before a field or IE.
	ErrShort = errors.New("l3: message too short")
	// ErrLength is returned when an IE's length is outside its allowed range.
	ErrLength = errors.New("l3: bad IE length")
	// ErrBuffer is returned when an encoder's buffer is too small.
	ErrBuffer = errors.New("l3: buffer too small")
	// ErrDigits is returned for a PLMN or identity digit string that is not
	// made of the right number of decimal digits.
	ErrDigits = errors.New("l3: bad digits")
	// ErrIdentity is returned for a malformed or unsupported mobile identity.
	ErrIdentity = errors.New("l3: bad mobile identity")
	// ErrMissing is returned when a mandatory IE is absent.
	ErrMissing = errors.New("l3: mandatory IE missing")
)
