//go:build linux

package usbfs

import (
	"testing"
	"unsafe"
)

// TestURBLayout checks struct usbdevfs_urb's field offsets against the C
// layout on this target's word size (uapi usbdevice_fs.h).
func TestURBLayout(t *testing.T) {
	var u rawURB
	w := unsafe.Sizeof(uintptr(0))
	want := map[string][2]uintptr{ // name: {offset, 32-bit offset}
		"Status":       {4, 4},
		"Flags":        {8, 8},
		"Buffer":       {16, 12},
		"BufferLength": {24, 16},
		"ActualLength": {28, 20},
		"Signr":        {44, 36},
		"UserContext":  {48, 40},
	}
	got := map[string]uintptr{
		"Status": unsafe.Offsetof(u.Status), "Flags": unsafe.Offsetof(u.Flags), "Buffer": unsafe.Offsetof(u.Buffer),
		"BufferLength": unsafe.Offsetof(u.BufferLength), "ActualLength": unsafe.Offsetof(u.ActualLength),
		"Signr": unsafe.Offsetof(u.Signr), "UserContext": unsafe.Offsetof(u.UserContext),
	}
	for name, o := range want {
		exp := o[0]
		if w == 4 {
			exp = o[1]
		}
		if got[name] != exp {
			t.Errorf("offset of %s = %d, want %d", name, got[name], exp)
		}
	}
	size := map[uintptr]uintptr{8: 56, 4: 44}[w]
	if unsafe.Sizeof(u) != size {
		t.Errorf("sizeof(usbdevfs_urb) = %d, want %d", unsafe.Sizeof(u), size)
	}
	bt := unsafe.Sizeof(bulkTransfer{})
	if want := map[uintptr]uintptr{8: 24, 4: 16}[w]; bt != want {
		t.Errorf("sizeof(usbdevfs_bulktransfer) = %d, want %d", bt, want)
	}
}
