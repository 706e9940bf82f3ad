package bts

import "errors"

// ErrConfig is returned by New for settings the cell cannot run with.
var ErrConfig = errors.New("bts: bad cell configuration")
