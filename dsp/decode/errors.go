package decode

import "errors"

// ErrRate is returned for a sample rate that cannot be converted to 4
// samples per symbol.
var ErrRate = errors.New("decode: unsupported sample rate")
