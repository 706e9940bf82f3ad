package logbuf

import "errors"

// ErrPersist wraps a failure to write the log to storage.
var ErrPersist = errors.New("logbuf: persist failed")
