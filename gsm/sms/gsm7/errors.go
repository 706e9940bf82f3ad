package gsm7

import "errors"

var (
	// ErrAlphabet is returned when a character is not in the default
	// alphabet or its extension table.
	ErrAlphabet = errors.New("gsm7: character not in the GSM 7-bit default alphabet")
	// ErrShort is returned when packed octets hold fewer septets than
	// asked for.
	ErrShort = errors.New("gsm7: packed data too short")
)
