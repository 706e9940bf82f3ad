package iq

import "errors"

// ErrPartial reports a file whose length is not a whole number of samples
// (8 bytes each).
var ErrPartial = errors.New("iq: partial sample at end of stream")
