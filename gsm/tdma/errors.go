package tdma

import "errors"

// ErrBand is returned for a band name that is not known.
var ErrBand = errors.New("tdma: unknown band")
