package usbfs

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// SysfsRoot is where the kernel lists USB devices.
const SysfsRoot = "/sys/bus/usb/devices"

// DevRoot is where usbfs device nodes live.
const DevRoot = "/dev/bus/usb"

// Info describes one USB device as sysfs lists it.
type Info struct {
	// Name is the sysfs name, the port path ("1-1.3").
	Name           string
	Bus, Dev       int
	Vendor         uint16
	Product        uint16
	Manufacturer   string
	ProductName    string
	Serial         string
	SpeedMbps      string // "480" (USB 2.0 high speed), "5000" (USB 3 SuperSpeed)
	Interfaces     []Interface
	sysfs, devRoot string
}

// Interface is one interface (alternate setting 0 as sysfs shows it).
type Interface struct {
	Number     uint8
	AltSetting uint8
	Class      uint8
	// Driver is the kernel driver bound to it ("" when none).
	Driver    string
	Endpoints []Endpoint
}

// Endpoint is one endpoint descriptor.
type Endpoint struct {
	Address    uint8 // bit 7 set: IN (device to host)
	Attributes uint8 // bits 1..0: 2 = bulk
	MaxPacket  uint16
}

// IsIn reports whether the endpoint is IN.
func (e Endpoint) IsIn() bool { return e.Address&0x80 != 0 }

// IsBulk reports whether the endpoint is a bulk endpoint.
func (e Endpoint) IsBulk() bool { return e.Attributes&3 == 2 }

// DevPath is the usbfs node: /dev/bus/usb/BBB/DDD.
func (i Info) DevPath() string {
	root := i.devRoot
	if root == "" {
		root = DevRoot
	}
	return filepath.Join(root, fmt.Sprintf("%03d", i.Bus), fmt.Sprintf("%03d", i.Dev))
}

// ID returns "vvvv:pppp".
func (i Info) ID() string { return fmt.Sprintf("%04x:%04x", i.Vendor, i.Product) }

func (i Info) String() string {
	return fmt.Sprintf("%s bus %03d dev %03d %s %q %q serial %q %s Mbit/s",
		i.Name, i.Bus, i.Dev, i.ID(), i.Manufacturer, i.ProductName, i.Serial, i.SpeedMbps)
}

// Endpoint looks an endpoint up by address across the interfaces.
func (i Info) Endpoint(addr uint8) (Interface, Endpoint, bool) {
	for _, it := range i.Interfaces {
		for _, e := range it.Endpoints {
			if e.Address == addr {
				return it, e, true
			}
		}
	}
	return Interface{}, Endpoint{}, false
}

// Bus is a view of sysfs and /dev/bus/usb, rooted where tests put a fake
// tree.
type Bus struct {
	Sysfs string // default SysfsRoot
	Dev   string // default DevRoot
}

func (b Bus) roots() (string, string) {
	s, d := b.Sysfs, b.Dev
	if s == "" {
		s = SysfsRoot
	}
	if d == "" {
		d = DevRoot
	}
	return s, d
}

// Scan lists every USB device (not the interfaces' own entries) sorted by
// bus and device number. Unreadable entries are skipped.
func (b Bus) Scan() ([]Info, error) {
	root, dev := b.roots()
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, opError("scan", root, err)
	}
	var out []Info
	for _, e := range ents {
		name := e.Name()
		if strings.Contains(name, ":") { // "1-1:1.0" is an interface
			continue
		}
		info, err := readDevice(filepath.Join(root, name))
		if err != nil {
			continue
		}
		info.Name, info.devRoot = name, dev
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bus != out[j].Bus {
			return out[i].Bus < out[j].Bus
		}
		return out[i].Dev < out[j].Dev
	})
	return out, nil
}

// Find lists the devices with vendor:product vid:pid; it returns
// ErrNotFound when there is none.
func (b Bus) Find(vid, pid uint16) ([]Info, error) {
	all, err := b.Scan()
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, i := range all {
		if i.Vendor == vid && i.Product == pid {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, &Error{Op: "find", Path: fmt.Sprintf("%04x:%04x", vid, pid), Err: ErrNotFound}
	}
	return out, nil
}

// Present reports whether the device i is still plugged in: its sysfs
// entry exists with the same bus and device numbers (a replug gets a new
// device number).
func (b Bus) Present(i Info) bool {
	root, _ := b.roots()
	d := filepath.Join(root, i.Name)
	bus, err1 := readInt(d, "busnum", 10)
	dev, err2 := readInt(d, "devnum", 10)
	return err1 == nil && err2 == nil && bus == i.Bus && dev == i.Dev
}

func readDevice(dir string) (Info, error) {
	var i Info
	var err error
	if i.Bus, err = readInt(dir, "busnum", 10); err != nil {
		return i, err
	}
	if i.Dev, err = readInt(dir, "devnum", 10); err != nil {
		return i, err
	}
	v, err := readInt(dir, "idVendor", 16)
	if err != nil {
		return i, err
	}
	p, err := readInt(dir, "idProduct", 16)
	if err != nil {
		return i, err
	}
	i.Vendor, i.Product = uint16(v), uint16(p)
	i.Manufacturer = readStr(dir, "manufacturer")
	i.ProductName = readStr(dir, "product")
	i.Serial = readStr(dir, "serial")
	i.SpeedMbps = readStr(dir, "speed")
	i.sysfs = dir
	base := filepath.Base(dir)
	ifs, _ := filepath.Glob(filepath.Join(dir, base+":*"))
	sort.Strings(ifs)
	for _, d := range ifs {
		it, err := readInterface(d)
		if err != nil {
			continue
		}
		i.Interfaces = append(i.Interfaces, it)
	}
	return i, nil
}

func readInterface(dir string) (Interface, error) {
	var it Interface
	n, err := readInt(dir, "bInterfaceNumber", 16)
	if err != nil {
		return it, err
	}
	it.Number = uint8(n)
	if a, err := readInt(dir, "bAlternateSetting", 10); err == nil {
		it.AltSetting = uint8(a)
	}
	if c, err := readInt(dir, "bInterfaceClass", 16); err == nil {
		it.Class = uint8(c)
	}
	if l, err := os.Readlink(filepath.Join(dir, "driver")); err == nil {
		it.Driver = filepath.Base(l)
	}
	eps, _ := filepath.Glob(filepath.Join(dir, "ep_*"))
	sort.Strings(eps)
	for _, d := range eps {
		a, err := readInt(d, "bEndpointAddress", 16)
		if err != nil {
			continue
		}
		at, _ := readInt(d, "bmAttributes", 16)
		mp, _ := readInt(d, "wMaxPacketSize", 16)
		it.Endpoints = append(it.Endpoints, Endpoint{Address: uint8(a), Attributes: uint8(at), MaxPacket: uint16(mp)})
	}
	return it, nil
}

func readStr(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func readInt(dir, name string, base int) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), base, 32)
	if err != nil {
		return 0, fmt.Errorf("usbfs: %s/%s: %w", dir, name, err)
	}
	return int(v), nil
}
