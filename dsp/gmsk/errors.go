package gmsk

import "errors"

// ErrConfig reports an invalid modulator configuration.
var ErrConfig = errors.New("gmsk: invalid config")
