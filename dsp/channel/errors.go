package channel

import "errors"

// ErrConfig reports an invalid link configuration.
var ErrConfig = errors.New("channel: invalid config")
