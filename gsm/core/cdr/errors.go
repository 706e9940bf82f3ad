package cdr

import "errors"

// Errors.
var (
	ErrOpen  = errors.New("cdr: cannot open the log")
	ErrWrite = errors.New("cdr: cannot write the log")
)
