package sim

import "errors"

// ErrConfig reports an invalid air or link configuration.
var ErrConfig = errors.New("sim: invalid config")
