package usbfs

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

var testBus = Bus{Sysfs: "testdata/sysfs", Dev: "/dev/bus/usb"}

func TestScan(t *testing.T) {
	all, err := testBus.Scan()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range all {
		names = append(names, i.Name)
	}
	if want := []string{"usb1", "1-1", "1-1.1", "1-1.3", "2-1"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Scan() names = %v, want %v (sorted by bus/dev, broken entry skipped)", names, want)
	}
	var eth Info
	for _, i := range all {
		if i.Name == "1-1.1" {
			eth = i
		}
	}
	if len(eth.Interfaces) != 1 || eth.Interfaces[0].Driver != "smsc95xx" {
		t.Errorf("1-1.1 interfaces = %+v, want one bound to smsc95xx", eth.Interfaces)
	}
}

func TestFindLime(t *testing.T) {
	got, err := testBus.Find(0x0403, 0x601f)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Find(0403:601f) = %d devices, want 2", len(got))
	}
	usb2, usb3 := got[0], got[1]
	if usb3.Name != "2-1" || usb3.Bus != 2 || usb3.Dev != 3 || usb3.SpeedMbps != "5000" || usb3.Serial != "1D3AC4F6A1B2C3" {
		t.Errorf("USB3 Lime = %+v", usb3)
	}
	if p := usb3.DevPath(); p != "/dev/bus/usb/002/003" {
		t.Errorf("DevPath() = %q, want /dev/bus/usb/002/003", p)
	}
	if usb2.DevPath() != "/dev/bus/usb/001/005" || usb2.SpeedMbps != "480" {
		t.Errorf("USB2 Lime = %+v %s", usb2, usb2.DevPath())
	}
	wantEP := []struct {
		addr  uint8
		iface uint8
		in    bool
		mp    uint16
	}{{0x01, 0, false, 1024}, {0x02, 1, false, 1024}, {0x82, 1, true, 1024}, {0x03, 1, false, 1024}, {0x83, 1, true, 1024}}
	for _, w := range wantEP {
		it, ep, ok := usb3.Endpoint(w.addr)
		if !ok || it.Number != w.iface || ep.IsIn() != w.in || !ep.IsBulk() || ep.MaxPacket != w.mp {
			t.Errorf("Endpoint(0x%02x) = %+v %+v %v, want interface %d in %v bulk max %d", w.addr, it, ep, ok, w.iface, w.in, w.mp)
		}
	}
	if _, _, ok := usb3.Endpoint(0x84); ok {
		t.Error("Endpoint(0x84) found, want none")
	}
}

func TestFindMissing(t *testing.T) {
	_, err := testBus.Find(0x1d50, 0x6108)
	var ue *Error
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &ue) || ue.Op != "find" {
		t.Errorf("Find(absent) = %v, want *Error wrapping ErrNotFound", err)
	}
	if _, err := (Bus{Sysfs: "testdata/nope"}).Scan(); !errors.Is(err, ErrNotFound) {
		t.Errorf("Scan(no sysfs) = %v, want ErrNotFound", err)
	}
}

// TestPresent models a hot unplug and a replug in a copy of the tree.
func TestPresent(t *testing.T) {
	root := t.TempDir()
	d := filepath.Join(root, "2-1")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	for n, v := range map[string]string{"busnum": "2", "devnum": "3", "idVendor": "0403", "idProduct": "601f"} {
		if err := os.WriteFile(filepath.Join(d, n), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := Bus{Sysfs: root}
	l, err := b.Find(0x0403, 0x601f)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Present(l[0]) {
		t.Fatal("Present() = false while plugged")
	}
	os.WriteFile(filepath.Join(d, "devnum"), []byte("4\n"), 0o644) // replugged: new address
	if b.Present(l[0]) {
		t.Error("Present() = true after a replug gave a new device number")
	}
	os.RemoveAll(d)
	if b.Present(l[0]) {
		t.Error("Present() = true after unplug")
	}
}

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		errno syscall.Errno
		want  error
	}{
		{syscall.ENOENT, ErrNotFound}, {syscall.EBUSY, ErrBusy}, {syscall.ENODEV, ErrUnplugged},
		{syscall.ESHUTDOWN, ErrUnplugged}, {syscall.EACCES, ErrPermission}, {syscall.ETIMEDOUT, ErrTimeout},
		{syscall.EAGAIN, ErrAgain}, {syscall.EPIPE, ErrStall},
	} {
		if got := Classify(tt.errno); got != tt.want {
			t.Errorf("Classify(%v) = %v, want %v", tt.errno, got, tt.want)
		}
		err := opError("bulk", "/dev/bus/usb/002/003", tt.errno)
		if !errors.Is(err, tt.want) {
			t.Errorf("opError(%v) = %v, does not wrap %v", tt.errno, err, tt.want)
		}
	}
}
