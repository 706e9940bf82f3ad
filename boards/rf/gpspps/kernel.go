//go:build linux

package gpspps

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// The kernel's PPS API (Linux uapi <linux/pps.h>, RFC 2783): with the
// pps-gpio driver bound to the PPS line (device tree overlay pps-gpio,
// gpiopin=N), the edge is timestamped in the GPIO interrupt handler, not
// after a wake-up of this process: microseconds of jitter instead of tens
// of them. The timestamps are CLOCK_REALTIME, so the Fit the edges are
// read against must use RealtimeNow.

// ppsKtime is struct pps_ktime: __s64 sec; __s32 nsec; __u32 flags.
type ppsKtime struct {
	Sec   int64
	Nsec  int32
	Flags uint32
}

// ppsKinfo is struct pps_kinfo.
type ppsKinfo struct {
	AssertSequence uint32
	ClearSequence  uint32
	AssertTu       ppsKtime
	ClearTu        ppsKtime
	CurrentMode    int32
	_              int32 // the C struct's tail padding to 8 bytes
}

// ppsFdata is struct pps_fdata: the event and the fetch timeout.
type ppsFdata struct {
	Info    ppsKinfo
	Timeout ppsKtime
}

// ppsFetch is PPS_FETCH = _IOWR('p', 0xa4, struct pps_fdata *): the uapi
// encodes the size of a pointer, not of the struct.
var ppsFetch = uintptr(3<<30 | uint32(unsafe.Sizeof(uintptr(0)))<<16 | 'p'<<8 | 0xa4)

// RealtimeNow reads CLOCK_REALTIME in nanoseconds: the clock of the
// kernel's PPS timestamps.
func RealtimeNow() int64 { return time.Now().UnixNano() }

// KernelPPS reads PPS events from a /dev/ppsN device and returns the
// sample count at each edge from a Fit on the realtime clock. It
// implements the clock service's PPS source (Next).
type KernelPPS struct {
	f   *os.File
	fit *Fit
	// FirstWait and Wait bound the wait for an edge, as Receiver's.
	FirstWait, Wait time.Duration
	seq             uint32
	seen            bool
}

// OpenKernelPPS opens path (/dev/ppsN). fit must be on RealtimeNow.
func OpenKernelPPS(path string, fit *Fit) (*KernelPPS, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("gpspps: %w", err)
	}
	return &KernelPPS{f: f, fit: fit, FirstWait: 2 * time.Second, Wait: 1200 * time.Millisecond}, nil
}

// Close closes the device.
func (k *KernelPPS) Close() error { return k.f.Close() }

// Next waits for the next assert edge or a timeout.
func (k *KernelPPS) Next() (Event, error) {
	wait := k.Wait
	if !k.seen {
		wait = k.FirstWait
	}
	deadline := time.Now().Add(wait)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			k.seen = false
			return Event{Timeout: true}, nil
		}
		var fd ppsFdata
		fd.Timeout = ppsKtime{Sec: int64(left / time.Second), Nsec: int32(left % time.Second)}
		_, _, e := syscall.Syscall(syscall.SYS_IOCTL, k.f.Fd(), ppsFetch, uintptr(unsafe.Pointer(&fd)))
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.ETIMEDOUT:
			k.seen = false
			return Event{Timeout: true}, nil
		case e != 0:
			return Event{}, fmt.Errorf("gpspps: PPS_FETCH %s: %w", k.f.Name(), e)
		}
		if fd.Info.AssertSequence == k.seq && k.seen {
			continue // no new assert edge (a clear edge woke us)
		}
		k.seq, k.seen = fd.Info.AssertSequence, true
		ts := fd.Info.AssertTu.Sec*1e9 + int64(fd.Info.AssertTu.Nsec)
		t, err := k.fit.CounterAt(ts)
		if err != nil {
			return Event{}, fmt.Errorf("%w: %w", ErrCounter, err)
		}
		return Event{Ticks: t}, nil
	}
}

// FindKernelPPS returns the /dev/ppsN of the pps-gpio device on GPIO
// line gpio (its sysfs name is the device-tree node, "pps@N" with the
// Raspberry Pi overlay), or "" when there is none.
func FindKernelPPS(gpio int) string {
	return findKernelPPS("/sys/class/pps", gpio)
}

func findKernelPPS(root string, gpio int) string {
	ents, err := os.ReadDir(root)
	if err != nil {
		return ""
	}
	want := fmt.Sprintf("pps@%d", gpio)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(root, e.Name(), "name"))
		if err != nil {
			continue
		}
		name := strings.TrimSpace(string(b))
		if name == want || strings.HasPrefix(name, want+".") {
			return "/dev/" + e.Name()
		}
	}
	return ""
}
