package a5

import "errors"

var (
	// ErrBanned is returned when A5/2 is requested.
	ErrBanned = errors.New("a5: A5/2 is withdrawn and not supported")
	// ErrUnsupported is returned for an algorithm this package does not implement.
	ErrUnsupported = errors.New("a5: unsupported algorithm")
	// ErrSyntax is returned by ParseAlg for text that names no algorithm.
	ErrSyntax = errors.New("a5: invalid algorithm name")
)
