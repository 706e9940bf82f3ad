package mm

import "errors"

var (
	// ErrPD is returned when a message does not carry the MM protocol
	// discriminator.
	ErrPD = errors.New("mm: not an MM message")
	// ErrSkip is returned for a non-zero skip indicator: TS 24.007
	// §11.2.3.1.2 says such a message is ignored.
	ErrSkip = errors.New("mm: non-zero skip indicator")
	// ErrType is returned when a decoder is given another message type.
	ErrType = errors.New("mm: wrong message type")
	// ErrUnknownType is returned by Decode for a message type it does not
	// know (TS 24.008 §8.4: answered with MM Status cause #97).
	ErrUnknownType = errors.New("mm: unknown message type")
	// ErrValue is returned for a field value that is reserved or out of
	// range (e.g. a BCD digit above 9 in a time stamp).
	ErrValue = errors.New("mm: bad field value")
	// ErrAlphabet is returned when a network name cannot be written in the
	// chosen character set.
	ErrAlphabet = errors.New("mm: character not in the GSM 7-bit default alphabet")
	// ErrConfig is returned by Config.Validate.
	ErrConfig = errors.New("mm: bad configuration")
	// ErrRegistry wraps a failure of the Registry (lookup, vector, TMSI
	// allocation); the state machine releases the connection with cause
	// #17 network failure.
	ErrRegistry = errors.New("mm: registry failure")
)
