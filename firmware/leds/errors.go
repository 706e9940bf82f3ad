package leds

import "errors"

// ErrUnknownPattern is returned for a pattern name that does not exist.
var ErrUnknownPattern = errors.New("leds: unknown pattern")
