package rr

import "errors"

var (
	// ErrShort is returned when a message or IE is shorter than its layout.
	ErrShort = errors.New("rr: message too short")
	// ErrType is returned when a message is not of the type being decoded.
	ErrType = errors.New("rr: unexpected message type")
	// ErrBuffer is returned when an output buffer is too small.
	ErrBuffer = errors.New("rr: buffer too small")
	// ErrFreqList is returned when an ARFCN set fits no frequency list
	// format, or a frequency list is malformed.
	ErrFreqList = errors.New("rr: frequency list")
	// ErrRange is returned for an IE field value outside its range.
	ErrRange = errors.New("rr: value out of range")
	// ErrConfig is returned by BuildSystemInformation for a bad CellConfig.
	ErrConfig = errors.New("rr: bad cell config")
	// ErrUnsupported is returned by the Decode functions for RR messages
	// this package does not decode.
	ErrUnsupported = errors.New("rr: message not supported")
	// ErrPseudoLength is returned for a bad L2 pseudo length octet.
	ErrPseudoLength = errors.New("rr: bad L2 pseudo length")
)
