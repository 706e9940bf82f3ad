package initramfs

import "errors"

// ErrBuild means compiling one of the archive's binaries failed.
var ErrBuild = errors.New("initramfs: build failed")
