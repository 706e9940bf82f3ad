package ad5662

import "errors"

// ErrConnect wraps an SPI connection failure.
var ErrConnect = errors.New("ad5662: connect")
