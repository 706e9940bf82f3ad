package fr

import "errors"

// ErrSignature is returned when a 33-byte frame does not start with the
// 0xD signature nibble of RFC 3551 §4.5.8.
var ErrSignature = errors.New("fr: frame signature is not 0xD")

// ErrFrameSize is returned for a frame buffer that is not 33 bytes long.
var ErrFrameSize = errors.New("fr: frame is not 33 bytes")
