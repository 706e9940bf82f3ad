package storage

import "errors"

// ErrName means a file name is not a plain name inside the store.
var ErrName = errors.New("storage: invalid file name")

// ErrNotWritable is returned by Check when the store cannot be written.
var ErrNotWritable = errors.New("storage: not writable")
