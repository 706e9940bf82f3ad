package smsc

import "errors"

var (
	// ErrNotFound is returned for an unknown message ID.
	ErrNotFound = errors.New("smsc: no such message")
	// ErrDamaged is returned when a record does not decode.
	ErrDamaged = errors.New("smsc: damaged record")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("smsc: store closed")
)
