package bitio

import "errors"

var (
	// ErrShort is the sticky error of a Reader that ran past the end.
	ErrShort = errors.New("bitio: read past end of data")
	// ErrFull is the sticky error of a Writer that ran past its buffer.
	ErrFull = errors.New("bitio: write past end of buffer")
)
