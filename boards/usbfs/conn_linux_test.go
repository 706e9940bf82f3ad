//go:build linux

package usbfs

import (
	"errors"
	"path/filepath"
	"runtime"
	"testing"
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
