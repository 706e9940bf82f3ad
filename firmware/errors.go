package firmware

import (
	"errors"
	"fmt"
)

var (
	// ErrNoBoard means the board name is neither in the initramfs nor on
	// the kernel command line.
	ErrNoBoard = errors.New("firmware: board unknown")
	// ErrModelMismatch means /proc/device-tree/model does not match the
	// board descriptor.
	ErrModelMismatch = errors.New("firmware: hardware does not match the board descriptor")
)

// MountError is a failed mount.
type MountError struct {
	Source, Target, FSType string
	Err                    error
}

func (e *MountError) Error() string {
	return fmt.Sprintf("mount %s on %s (%s): %v", e.Source, e.Target, e.FSType, e.Err)
}

func (e *MountError) Unwrap() error { return e.Err }
