//go:build !linux

package usbfs

import "fmt"

// Conn is not available off Linux.
type Conn struct{ Device }

// Open fails off Linux: usbfs is a Linux interface.
func Open(i Info) (*Conn, error) { return OpenPath(i.DevPath()) }

// OpenPath fails off Linux.
func OpenPath(path string) (*Conn, error) {
	return nil, &Error{Op: "open", Path: path, Err: fmt.Errorf("usbfs needs Linux")}
}
