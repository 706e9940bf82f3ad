package usb

import (
	"bytes"
	"context"
	"fmt"

	"golang.org/x/sys/unix"
)

// Uevent is one kernel object event (Documentation/ABI: the netlink
// NETLINK_KOBJECT_UEVENT message "ACTION@DEVPATH\0KEY=VALUE\0...").
type Uevent struct {
	Action    string // add, remove, change, ...
	DevPath   string
	Subsystem string
	DevName   string // e.g. sda1
	DevType   string // disk, partition
	Env       map[string]string
}

// ParseUevent decodes one kernel uevent message. Messages from udev
// ("libudev" header) are rejected: only the kernel's are used.
func ParseUevent(b []byte) (Uevent, error) {
	var u Uevent
	fields := bytes.Split(b, []byte{0})
	if len(fields) == 0 || len(fields[0]) == 0 {
		return u, fmt.Errorf("%w: empty", ErrUevent)
	}
	head := string(fields[0])
	at := bytes.IndexByte(fields[0], '@')
	if at <= 0 || at == len(head)-1 {
		return u, fmt.Errorf("%w: header %q", ErrUevent, truncate(head))
	}
	u.Action, u.DevPath = head[:at], head[at+1:]
	u.Env = map[string]string{}
	for _, f := range fields[1:] {
		if len(f) == 0 {
			continue
		}
		k, v, ok := bytes.Cut(f, []byte{'='})
		if !ok {
			return u, fmt.Errorf("%w: field %q", ErrUevent, truncate(string(f)))
		}
		u.Env[string(k)] = string(v)
	}
	if a, ok := u.Env["ACTION"]; ok && a != u.Action {
		return u, fmt.Errorf("%w: ACTION %q disagrees with header %q", ErrUevent, a, u.Action)
	}
	u.Subsystem, u.DevName, u.DevType = u.Env["SUBSYSTEM"], u.Env["DEVNAME"], u.Env["DEVTYPE"]
	return u, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// ListenUevents opens a netlink socket for kernel uevents and sends each
// block-device event on ch (without blocking: a full channel means a rescan
// is already pending) until ctx ends, then returns nil. It returns an error
// at once if the socket cannot be opened (the caller then relies on
// polling). It blocks; run it on a goroutine you wait for.
func ListenUevents(ctx context.Context, ch chan<- Uevent) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_KOBJECT_UEVENT)
	if err != nil {
		return fmt.Errorf("usb: netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1}); err != nil {
		unix.Close(fd)
		return fmt.Errorf("usb: netlink bind: %w", err)
	}
	// Wake the blocking read when ctx ends.
	tv := unix.Timeval{Sec: 1}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	defer unix.Close(fd)
	buf := make([]byte, 8192)
	for ctx.Err() == nil {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil || n <= 0 {
			continue
		}
		u, err := ParseUevent(buf[:n])
		if err != nil || u.Subsystem != "block" {
			continue
		}
		select {
		case ch <- u:
		default:
		}
	}
	return nil
}
