package rp

import "errors"

var (
	// ErrShort is returned when a message ends before a field.
	ErrShort = errors.New("rp: message too short")
	// ErrType is returned for an unknown or unexpected RP message type.
	ErrType = errors.New("rp: wrong message type")
	// ErrValue is returned for a reserved or out-of-range field value.
	ErrValue = errors.New("rp: bad field value")
	// ErrLength is returned for an element of a wrong length.
	ErrLength = errors.New("rp: bad element length")
	// ErrTrailing is returned for octets after the last element.
	ErrTrailing = errors.New("rp: trailing octets")
	// ErrBuffer is returned when a MarshalTo buffer is too small.
	ErrBuffer = errors.New("rp: buffer too small")
)
