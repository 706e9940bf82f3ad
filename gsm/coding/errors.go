package coding

import "errors"

// ErrFrameSize is returned when a speech frame in the RTP payload format
// (RFC 3551 §4.5.8/§4.5.9, ETSI TS 101 318) does not have its codec's size:
// 33 octets for GSM FR, 31 for EFR.
var ErrFrameSize = errors.New("coding: speech frame of the wrong size")

// ErrFrameSignature is returned when a speech frame in the RTP payload format
// does not start with its codec's signature nibble (0xD for GSM FR, 0xC for
// EFR).
var ErrFrameSignature = errors.New("coding: speech frame lacks its signature nibble")
