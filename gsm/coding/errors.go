package coding

import "errors"

// ErrFrameSize is returned when a speech frame in the RTP payload format
// (RFC 3551 §4.5.8, ETSI TS 101 318) does not have 33 octets.
var ErrFrameSize = errors.New("coding: GSM FR frame must be 33 octets")

// ErrFrameSignature is returned when a speech frame in the RTP payload format
// does not start with the 0xD signature nibble.
var ErrFrameSignature = errors.New("coding: GSM FR frame lacks the 0xD signature")
