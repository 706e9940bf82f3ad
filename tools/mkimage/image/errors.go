package image

import "errors"

var (
	// ErrChecksum means a fetched blob does not match the descriptor.
	ErrChecksum = errors.New("image: sha256 mismatch")
	// ErrBlob means a blob source cannot be resolved.
	ErrBlob = errors.New("image: cannot fetch blob")
	// ErrBoard means the board cannot be built into an image.
	ErrBoard = errors.New("image: board has no image")
)
