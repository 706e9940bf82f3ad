package usbfs

import "time"

// Device is an open USB device: the seam between the ioctls and the
// drivers above. *Conn implements it over usbfs; fakes (limetest)
// implement it in memory.
//
// One owner opens and closes a Device. Bulk, Submit and Reap may be called
// from different goroutines (a control loop and a stream loop); Close may
// be called from any goroutine and makes pending and later calls fail with
// ErrClosed (or ErrUnplugged when the device went away first).
type Device interface {
	// Claim claims interface iface, detaching a kernel driver that is
	// bound to it. It fails with ErrBusy when another process holds it.
	Claim(iface uint8) error
	// Release releases a claimed interface.
	Release(iface uint8) error
	// Bulk runs one synchronous bulk transfer on endpoint ep (bit 7 set:
	// IN, buf is filled; clear: OUT, buf is sent) and returns the number
	// of bytes moved. A zero timeout waits forever.
	Bulk(ep uint8, buf []byte, timeout time.Duration) (int, error)
	// AllocURBs returns n URBs for endpoint ep with size-byte buffers.
	// The buffers live as long as the Device and are reused for every
	// transfer; callers allocate once at set-up, never per packet.
	AllocURBs(ep uint8, n, size int) ([]*URB, error)
	// Submit queues u (u.Len bytes of u.Buf for OUT, up to u.Len for IN).
	Submit(u *URB) error
	// Reap returns a completed URB, waiting for one when wait is set and
	// returning ErrAgain otherwise. The URB's N and Err report the
	// outcome (a discarded URB has Err ErrClosed).
	Reap(wait bool) (*URB, error)
	// Discard cancels a submitted URB; it completes (with Err set) and
	// must still be reaped.
	Discard(u *URB) error
	// Close discards every URB in flight, releases the interfaces and
	// closes the device.
	Close() error
}

// URB is one asynchronous bulk transfer and its fixed buffer.
type URB struct {
	// Endpoint is fixed at allocation.
	Endpoint uint8
	// Buf is the transfer buffer (fixed at allocation, never
	// reallocated).
	Buf []byte
	// Len is how many bytes of Buf to send (OUT) or accept (IN); set
	// before Submit.
	Len int
	// N is the number of bytes actually transferred, set by Reap.
	N int
	// Err is the completion status, set by Reap (nil on success).
	Err error
	// Tag is the owner's (a sequence number, a slot index).
	Tag int64

	// impl is the implementation's handle (the kernel URB).
	impl any
}
