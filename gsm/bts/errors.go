package bts

import "errors"

// ErrConfig is returned by New for settings the cell cannot run with.
var ErrConfig = errors.New("bts: bad cell configuration")

// ErrRequest is logged (and counted in DedicatedStats.DownFailed) for a
// request from the core that the channel cannot carry out.
var ErrRequest = errors.New("bts: request refused")
