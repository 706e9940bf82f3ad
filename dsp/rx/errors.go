package rx

import "errors"

// ErrConfig reports an invalid receiver configuration.
var ErrConfig = errors.New("rx: invalid config")
