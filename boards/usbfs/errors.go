package usbfs

import (
	"errors"
	"fmt"
	"syscall"
)

var (
	// ErrNotFound: no device matches, or its device node is gone.
	ErrNotFound = errors.New("usbfs: device not found")
	// ErrBusy: another process or a kernel driver that cannot be
	// detached holds the interface (EBUSY).
	ErrBusy = errors.New("usbfs: device busy")
	// ErrUnplugged: the device went away (ENODEV, ESHUTDOWN).
	ErrUnplugged = errors.New("usbfs: device unplugged")
	// ErrPermission: the device node is not accessible (EACCES, EPERM).
	ErrPermission = errors.New("usbfs: permission denied")
	// ErrTimeout: a synchronous transfer timed out (ETIMEDOUT).
	ErrTimeout = errors.New("usbfs: transfer timed out")
	// ErrClosed: the device or pool was closed.
	ErrClosed = errors.New("usbfs: closed")
	// ErrNoURB: the pool has no free URB (all are in flight).
	ErrNoURB = errors.New("usbfs: no free URB")
	// ErrAgain: no URB has completed yet (non-blocking reap).
	ErrAgain = errors.New("usbfs: no completed URB")
	// ErrStall: the endpoint stalled (EPIPE).
	ErrStall = errors.New("usbfs: endpoint stalled")
)

// Error is a failed usbfs operation on one device.
type Error struct {
	Op    string // "open", "claim", "bulk", "submit", "reap", …
	Path  string // device node or sysfs name
	Errno syscall.Errno
	Err   error // one of the Err* sentinels, or the errno itself
}

func (e *Error) Error() string {
	if e.Errno != 0 {
		return fmt.Sprintf("usbfs: %s %s: %v (%v)", e.Op, e.Path, e.Err, e.Errno)
	}
	return fmt.Sprintf("usbfs: %s %s: %v", e.Op, e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Classify maps an errno to the package's sentinel errors.
func Classify(errno syscall.Errno) error {
	switch errno {
	case syscall.ENOENT, syscall.ENXIO:
		return ErrNotFound
	case syscall.EBUSY:
		return ErrBusy
	case syscall.ENODEV, syscall.ESHUTDOWN:
		return ErrUnplugged
	case syscall.EACCES, syscall.EPERM:
		return ErrPermission
	case syscall.ETIMEDOUT:
		return ErrTimeout
	case syscall.EAGAIN:
		return ErrAgain
	case syscall.EPIPE:
		return ErrStall
	}
	return errno
}

func opError(op, path string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return &Error{Op: op, Path: path, Errno: errno, Err: Classify(errno)}
	}
	return &Error{Op: op, Path: path, Err: err}
}
