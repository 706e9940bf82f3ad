package phy

import "errors"

// ErrClosed is returned by a Carrier that has stopped for good (its
// stream or link closed): the cell loop ends without an error.
var ErrClosed = errors.New("phy: closed")
