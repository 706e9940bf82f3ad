package ss

import "errors"

var (
	// ErrShort is returned when a message or element ends early.
	ErrShort = errors.New("ss: message too short")
	// ErrPD is returned for a message that is not PD 0x0B.
	ErrPD = errors.New("ss: not a non-call-related SS message")
	// ErrTI is returned for transaction identifiers of 7 or more.
	ErrTI = errors.New("ss: unsupported transaction identifier")
	// ErrUnknownType is returned for a message type this package does
	// not know.
	ErrUnknownType = errors.New("ss: unknown message type")
	// ErrType is returned when a decoder is given another message type.
	ErrType = errors.New("ss: wrong message type")
	// ErrMissing is returned when a mandatory IE or element is absent.
	ErrMissing = errors.New("ss: mandatory element missing")
	// ErrBER is returned for malformed BER: indefinite or non-minimal
	// lengths, lengths past the end, unexpected tags, too deep nesting.
	ErrBER = errors.New("ss: malformed BER")
	// ErrValue is returned for an out-of-range value.
	ErrValue = errors.New("ss: bad value")
	// ErrBuffer is returned when a MarshalTo buffer is too small.
	ErrBuffer = errors.New("ss: buffer too small")
	// ErrAlphabet is returned for USSD text that cannot be coded, or a
	// data coding scheme this package cannot decode.
	ErrAlphabet = errors.New("ss: USSD alphabet")
)
