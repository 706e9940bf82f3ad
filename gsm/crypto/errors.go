package crypto

import "errors"

var (
	// ErrAlgorithm is returned for an algorithm name or value that is not known.
	ErrAlgorithm = errors.New("crypto: unknown authentication algorithm")
	// ErrKeySyntax is returned when a hex key or challenge does not parse.
	ErrKeySyntax = errors.New("crypto: invalid hex value")
)
