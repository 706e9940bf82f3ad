package core

import "errors"

// ErrConfig is returned for a network configuration that cannot run.
var ErrConfig = errors.New("core: bad configuration")
