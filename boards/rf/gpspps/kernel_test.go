//go:build linux

package gpspps

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

// TestKernelABI checks the PPS_FETCH request number and the struct
// layout against <linux/pps.h>: _IOWR('p', 0xa4, struct pps_fdata *)
// encodes the size of a pointer; struct pps_fdata is 64 bytes on LP64.
func TestKernelABI(t *testing.T) {
	want := uintptr(0xc00870a4)
	if unsafe.Sizeof(uintptr(0)) == 4 {
		want = 0xc00470a4
	}
	if ppsFetch != want {
		t.Errorf("PPS_FETCH = %#x, want %#x", ppsFetch, want)
	}
	if s := unsafe.Sizeof(ppsKtime{}); s != 16 {
		t.Errorf("sizeof(pps_ktime) = %d, want 16", s)
	}
	if s := unsafe.Sizeof(ppsFdata{}); unsafe.Sizeof(uintptr(0)) == 8 && s != 64 {
		t.Errorf("sizeof(pps_fdata) = %d, want 64", s)
	}
}

func TestFindKernelPPS(t *testing.T) {
	root := t.TempDir()
	for dev, name := range map[string]string{"pps0": "ktimer", "pps1": "pps@4.-1", "pps2": "pps@17"} {
		if err := os.MkdirAll(filepath.Join(root, dev), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dev, "name"), []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for gpio, want := range map[int]string{4: "/dev/pps1", 17: "/dev/pps2", 5: ""} {
		if got := findKernelPPS(root, gpio); got != want {
			t.Errorf("findKernelPPS(%d) = %q, want %q", gpio, got, want)
		}
	}
	if got := findKernelPPS(filepath.Join(root, "none"), 4); got != "" {
		t.Errorf("findKernelPPS(no sysfs) = %q, want \"\"", got)
	}
}
