package usb

import "errors"

var (
	// ErrUevent means a netlink message is not a kernel uevent.
	ErrUevent = errors.New("usb: malformed uevent")
	// ErrMount wraps a failure to mount or unmount the stick.
	ErrMount = errors.New("usb: mount failed")
)

// ErrTooLarge means a file on the stick is over its size limit and was not
// read.
var ErrTooLarge = errors.New("usb: file too large")
