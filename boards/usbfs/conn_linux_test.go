//go:build linux

package usbfs

import (
	"errors"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestOpenMissing(t *testing.T) {
	_, err := OpenPath(filepath.Join(t.TempDir(), "001", "099"))
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenPath(missing) = %v, want ErrNotFound", err)
	}
}

// TestIoctlNumbers checks the encoded requests against the values the
// uapi header's macros give on a 64-bit target.
func TestIoctlNumbers(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("golden values are for 64-bit targets")
	}
	for _, tt := range []struct {
		name      string
		got, want uintptr
	}{
		{"USBDEVFS_BULK", ioBulk, 0xc0185502},
		{"USBDEVFS_SUBMITURB", ioSubmitURB, 0x8038550a},
		{"USBDEVFS_DISCARDURB", ioDiscardURB, 0x0000550b},
		{"USBDEVFS_REAPURB", ioReapURB, 0x4008550c},
		{"USBDEVFS_REAPURBNDELAY", ioReapURBNDelay, 0x4008550d},
		{"USBDEVFS_CLAIMINTERFACE", ioClaimInterface, 0x8004550f},
		{"USBDEVFS_RELEASEINTERFACE", ioReleaseIface, 0x80045510},
		{"USBDEVFS_DISCONNECT_CLAIM", ioDisconnectClaim, 0x8108551b},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
}

// TestConnOnNonUSBNode drives the real ioctl paths against /dev/null:
// every request fails with ENOTTY, typed, and nothing panics; the URB
// pool is allocated once and freed by Close.
func TestConnOnNonUSBNode(t *testing.T) {
	c, err := OpenPath("/dev/null")
	if err != nil {
		t.Skipf("no /dev/null: %v", err)
	}
	var ue *Error
	if err := c.Claim(0); !errors.As(err, &ue) || ue.Errno != syscall.ENOTTY || ue.Op != "claim" {
		t.Errorf("Claim = %v, want ENOTTY from the fallback CLAIMINTERFACE", err)
	}
	if _, err := c.Bulk(0x82, make([]byte, 64), time.Second); !errors.As(err, &ue) || ue.Errno != syscall.ENOTTY {
		t.Errorf("Bulk = %v, want ENOTTY", err)
	}
	urbs, err := c.AllocURBs(0x83, 4, 4096)
	if err != nil || len(urbs) != 4 || len(urbs[3].Buf) != 4096 {
		t.Fatalf("AllocURBs = %d, %v", len(urbs), err)
	}
	urbs[0].Buf[4095] = 1 // the mapping is writable
	if err := c.Submit(urbs[0]); !errors.As(err, &ue) || ue.Errno != syscall.ENOTTY {
		t.Errorf("Submit = %v, want ENOTTY", err)
	}
	if _, err := c.Reap(false); !errors.As(err, &ue) || ue.Errno != syscall.ENOTTY {
		t.Errorf("Reap = %v, want ENOTTY", err)
	}
	if c.Gone() {
		t.Error("Gone() after ENOTTY")
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if err := c.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
	if _, err := c.Bulk(0x02, make([]byte, 64), 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Bulk after Close = %v, want ErrClosed", err)
	}
}
