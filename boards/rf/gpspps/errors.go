package gpspps

import "errors"

// ErrCounter wraps a failure to read the sample counter.
var ErrCounter = errors.New("gpspps: sample counter")
