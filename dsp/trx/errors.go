package trx

import "errors"

// ErrConfig reports an invalid transceiver configuration.
var ErrConfig = errors.New("trx: invalid config")
