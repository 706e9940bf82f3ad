package fatfs

import "errors"

var (
	// ErrFormat means the bytes are not a FAT file system this package
	// understands (bad boot sector, impossible geometry, broken chain).
	ErrFormat = errors.New("fatfs: not a valid FAT file system")
	// ErrNotFound is returned for a path that does not exist.
	ErrNotFound = errors.New("fatfs: file not found")
	// ErrTooSmall means the files do not fit in the requested size.
	ErrTooSmall = errors.New("fatfs: file system too small")
	// ErrName means a file name cannot be stored.
	ErrName = errors.New("fatfs: invalid file name")
)
