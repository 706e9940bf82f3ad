package ms

import "errors"

// Errors.
var (
	// ErrConfig: a Phone's configuration is unusable.
	ErrConfig = errors.New("ms: bad configuration")
	// ErrIMSI: the SIM's IMSI is not 6 to 15 digits.
	ErrIMSI = errors.New("ms: bad IMSI")
)
