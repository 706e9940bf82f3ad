package tmp102

import "errors"

var (
	// ErrShort reports a read-back shorter than a register.
	ErrShort = errors.New("tmp102: short read")
	// ErrNotFound reports a configuration register that is not a TMP102's.
	ErrNotFound = errors.New("tmp102: no TMP102 found")
)
