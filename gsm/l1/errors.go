package l1

import "errors"

var (
	// ErrConfig is wrapped by every configuration problem reported by
	// Config.Validate and NewDownlink/NewUplink.
	ErrConfig = errors.New("l1: bad configuration")
	// ErrIMSI is returned for an IMSI that is not 6..15 decimal digits.
	ErrIMSI = errors.New("l1: bad IMSI")
	// ErrSIType is returned for a system information type the BCCH
	// scheduler does not carry, or an SI2quater index out of range.
	ErrSIType = errors.New("l1: bad system information type")
	// ErrCipherChan is returned by SetCipher for a channel that is not a
	// dedicated channel of the carrier's configuration.
	ErrCipherChan = errors.New("l1: no such dedicated channel to cipher")
)
