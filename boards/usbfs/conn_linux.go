//go:build linux

package usbfs

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl numbers (include/uapi/linux/usbdevice_fs.h), encoded with the
// generic _IOC layout used by arm, arm64 and x86: dir<<30 | size<<16 |
// 'U'<<8 | nr, dir 1 = write, 2 = read.
func ioc(dir, nr, size uintptr) uintptr { return dir<<30 | size<<16 | 'U'<<8 | nr }

const (
	iocW = 1
	iocR = 2

	urbTypeBulk             = 3
	disconnectClaimExceptDr = 0x02 // USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER
)

type bulkTransfer struct {
	Ep, Len, Timeout uint32
	Data             unsafe.Pointer
}

type disconnectClaim struct {
	Interface, Flags uint32
	Driver           [256]byte
}

// rawURB is struct usbdevfs_urb without ISO descriptors; Go's natural
// alignment gives the C layout on 32- and 64-bit targets.
type rawURB struct {
	Type, Endpoint  uint8
	_               [2]byte
	Status          int32
	Flags           uint32
	Buffer          uintptr // mmap'd memory, outside the Go heap
	BufferLength    int32
	ActualLength    int32
	StartFrame      int32
	NumberOfPackets int32
	ErrorCount      int32
	Signr           uint32
	UserContext     uintptr
}

var (
	ioBulk            = ioc(iocR|iocW, 2, unsafe.Sizeof(bulkTransfer{}))
	ioSubmitURB       = ioc(iocR, 10, unsafe.Sizeof(rawURB{}))
	ioDiscardURB      = ioc(0, 11, 0)
	ioReapURB         = ioc(iocW, 12, unsafe.Sizeof(uintptr(0)))
	ioReapURBNDelay   = ioc(iocW, 13, unsafe.Sizeof(uintptr(0)))
	ioClaimInterface  = ioc(iocR, 15, 4)
	ioReleaseIface    = ioc(iocR, 16, 4)
	ioDisconnectClaim = ioc(iocR, 27, unsafe.Sizeof(disconnectClaim{}))
)

// Conn is an open usbfs device node.
type Conn struct {
	path string
	fd   int

	mu       sync.Mutex
	closed   bool
	gone     bool
	claimed  map[uint8]bool
	urbs     map[uintptr]*URB // kernel URB address → URB
	inFlight map[*URB]bool
	maps     [][]byte
}

var _ Device = (*Conn)(nil)

// Open opens the device i's usbfs node.
func Open(i Info) (*Conn, error) { return OpenPath(i.DevPath()) }

// OpenPath opens a usbfs node by path.
func OpenPath(path string) (*Conn, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, opError("open", path, err)
	}
	return &Conn{path: path, fd: fd, claimed: map[uint8]bool{}, urbs: map[uintptr]*URB{}, inFlight: map[*URB]bool{}}, nil
}

func (c *Conn) String() string { return c.path }

// Gone reports whether the device has reported itself unplugged.
func (c *Conn) Gone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone
}

func (c *Conn) ioctl(op string, req uintptr, arg unsafe.Pointer) error {
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(c.fd), req, uintptr(arg))
	if e == 0 {
		return nil
	}
	err := opError(op, c.path, e)
	if errors.Is(err, ErrUnplugged) {
		c.mu.Lock()
		c.gone = true
		c.mu.Unlock()
	}
	return err
}

func (c *Conn) check(op string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return &Error{Op: op, Path: c.path, Err: ErrUnplugged}
	}
	if c.closed {
		return &Error{Op: op, Path: c.path, Err: ErrClosed}
	}
	return nil
}

// Claim implements Device: one USBDEVFS_DISCONNECT_CLAIM detaches a bound
// kernel driver (unless that driver is usbfs, i.e. another process) and
// claims; kernels without it get a plain CLAIMINTERFACE.
func (c *Conn) Claim(iface uint8) error {
	if err := c.check("claim"); err != nil {
		return err
	}
	dc := disconnectClaim{Interface: uint32(iface), Flags: disconnectClaimExceptDr}
	copy(dc.Driver[:], "usbfs")
	err := c.ioctl("claim", ioDisconnectClaim, unsafe.Pointer(&dc))
	var ue *Error
	if errors.As(err, &ue) && (ue.Errno == syscall.ENOTTY || ue.Errno == syscall.EINVAL) {
		n := uint32(iface)
		err = c.ioctl("claim", ioClaimInterface, unsafe.Pointer(&n))
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.claimed[iface] = true
	c.mu.Unlock()
	return nil
}

// Release implements Device.
func (c *Conn) Release(iface uint8) error {
	n := uint32(iface)
	err := c.ioctl("release", ioReleaseIface, unsafe.Pointer(&n))
	c.mu.Lock()
	delete(c.claimed, iface)
	c.mu.Unlock()
	return err
}

// Bulk implements Device.
func (c *Conn) Bulk(ep uint8, buf []byte, timeout time.Duration) (int, error) {
	if err := c.check("bulk"); err != nil {
		return 0, err
	}
	if len(buf) == 0 {
		return 0, nil
	}
	bt := bulkTransfer{Ep: uint32(ep), Len: uint32(len(buf)), Timeout: uint32(timeout / time.Millisecond), Data: unsafe.Pointer(&buf[0])}
	r, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(c.fd), ioBulk, uintptr(unsafe.Pointer(&bt)))
	if e != 0 {
		err := opError(fmt.Sprintf("bulk ep 0x%02x", ep), c.path, e)
		if errors.Is(err, ErrUnplugged) {
			c.mu.Lock()
			c.gone = true
			c.mu.Unlock()
		}
		return 0, err
	}
	return int(r), nil
}

// AllocURBs implements Device: the URB structures and buffers are one
// anonymous mapping, so the kernel's pointers into them never refer to
// the Go heap.
func (c *Conn) AllocURBs(ep uint8, n, size int) ([]*URB, error) {
	if n <= 0 || size <= 0 {
		return nil, fmt.Errorf("usbfs: AllocURBs(%d, %d)", n, size)
	}
	const hdr = 64 // ≥ sizeof(rawURB), keeps buffers 64-byte aligned
	stride := hdr + (size+63)&^63
	mem, err := unix.Mmap(-1, 0, n*stride, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, opError("alloc", c.path, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maps = append(c.maps, mem)
	out := make([]*URB, n)
	for i := range out {
		off := i * stride
		raw := (*rawURB)(unsafe.Pointer(&mem[off]))
		buf := mem[off+hdr : off+hdr+size : off+hdr+size]
		raw.Type, raw.Endpoint = urbTypeBulk, ep
		raw.Buffer = uintptr(unsafe.Pointer(&buf[0]))
		u := &URB{Endpoint: ep, Buf: buf, Len: size, impl: raw}
		c.urbs[uintptr(unsafe.Pointer(raw))] = u
		out[i] = u
	}
	return out, nil
}

// Submit implements Device.
func (c *Conn) Submit(u *URB) error {
	if err := c.check("submit"); err != nil {
		return err
	}
	raw, ok := u.impl.(*rawURB)
	if !ok {
		return fmt.Errorf("usbfs: submit: URB not allocated by this device")
	}
	if u.Len < 0 || u.Len > len(u.Buf) {
		return fmt.Errorf("usbfs: submit: length %d outside buffer of %d", u.Len, len(u.Buf))
	}
	raw.Status, raw.ActualLength, raw.Flags = 0, 0, 0
	raw.BufferLength = int32(u.Len)
	u.N, u.Err = 0, nil
	c.mu.Lock()
	c.inFlight[u] = true
	c.mu.Unlock()
	if err := c.ioctl(fmt.Sprintf("submit ep 0x%02x", u.Endpoint), ioSubmitURB, unsafe.Pointer(raw)); err != nil {
		c.mu.Lock()
		delete(c.inFlight, u)
		c.mu.Unlock()
		return err
	}
	return nil
}

// Reap implements Device.
func (c *Conn) Reap(wait bool) (*URB, error) {
	var p uintptr
	req := ioReapURBNDelay
	if wait {
		req = ioReapURB
	}
	if err := c.ioctl("reap", req, unsafe.Pointer(&p)); err != nil {
		return nil, err
	}
	c.mu.Lock()
	u := c.urbs[p]
	delete(c.inFlight, u)
	c.mu.Unlock()
	if u == nil {
		return nil, fmt.Errorf("usbfs: reap: unknown URB %#x", p)
	}
	raw := u.impl.(*rawURB)
	u.N = int(raw.ActualLength)
	if raw.Status != 0 {
		errno := syscall.Errno(-raw.Status)
		err := Classify(errno)
		if errno == syscall.ENOENT || errno == syscall.ECONNRESET {
			err = ErrClosed // discarded
		}
		u.Err = &Error{Op: fmt.Sprintf("urb ep 0x%02x", u.Endpoint), Path: c.path, Errno: errno, Err: err}
		if errors.Is(err, ErrUnplugged) || errno == syscall.EPROTO {
			c.mu.Lock()
			c.gone = errors.Is(err, ErrUnplugged) || c.gone
			c.mu.Unlock()
		}
	}
	return u, nil
}

// Discard implements Device.
func (c *Conn) Discard(u *URB) error {
	raw, ok := u.impl.(*rawURB)
	if !ok {
		return fmt.Errorf("usbfs: discard: URB not allocated by this device")
	}
	return c.ioctl("discard", ioDiscardURB, unsafe.Pointer(raw))
}

// Close implements Device.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return &Error{Op: "close", Path: c.path, Err: ErrClosed}
	}
	c.closed = true
	var fl []*URB
	for u := range c.inFlight {
		fl = append(fl, u)
	}
	var ifs []uint8
	for i := range c.claimed {
		ifs = append(ifs, i)
	}
	c.mu.Unlock()
	for _, u := range fl {
		_ = c.Discard(u)
	}
	// Reap what the discards completed so the kernel lets go of the
	// buffers before they are unmapped.
	for range fl {
		var p uintptr
		if c.ioctl("reap", ioReapURBNDelay, unsafe.Pointer(&p)) != nil {
			break
		}
	}
	for _, i := range ifs {
		_ = c.Release(i)
	}
	err := unix.Close(c.fd)
	c.mu.Lock()
	for _, m := range c.maps {
		_ = unix.Munmap(m)
	}
	c.maps = nil
	c.mu.Unlock()
	if err != nil {
		return opError("close", c.path, err)
	}
	return nil
}

// Exists reports whether a usbfs node exists at path (a cheap hot-unplug
// check for callers that have no sysfs).
func Exists(path string) bool { _, err := os.Stat(path); return err == nil }
