package boards

import (
	"fmt"
	"sort"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Descriptor describes one board as data: what the image holds, how it
// boots, which pins do what, and the RF chain with its limits. The
// supervisor refuses to key the transmitter when the running hardware does
// not match Model.
type Descriptor struct {
	// Name is the short name used by build.sh and in the image file name.
	Name string
	// Description is a human-readable line for `./build.sh` listings.
	Description string
	// Model is the /proc/device-tree/model string of the hardware; a prefix
	// match is accepted. Empty means no device tree is expected (QEMU virt
	// still has one: "linux,dummy-virt").
	Model string
	// GOARCH and GOARM select the binary's target.
	GOARCH string
	GOARM  string
	// Console is the kernel console device, e.g. "ttyAMA0".
	Console string
	// Boot is the boot flow: "uboot-virt" (QEMU virt with U-Boot loading
	// from the disk) or "rpi" (Raspberry Pi GPU firmware).
	Boot string
	// Kernel, DeviceTrees and Firmware are the pinned blobs, with where
	// they come from and their sha256.
	Kernel      Blob
	DeviceTrees []Blob
	Firmware    []Blob
	// Image is the disk layout.
	Image Layout
	// Cmdline is the kernel command line without the console, which the
	// image builder adds from Console; the builder also appends
	// gsmbox.board=<Name>.
	Cmdline string
	// BootDevice and DataDevice are the block devices of the FAT boot
	// partition and the persistent data partition as the running kernel
	// names them ("/dev/vda1", "/dev/mmcblk0p2").
	BootDevice string
	DataDevice string
	// Watchdog is the hardware watchdog device ("/dev/watchdog"); empty
	// means the board has none and the supervisor runs without.
	Watchdog string
	// Ethernet is the wired interface [net] configures by default
	// ("eth0"); empty means the board has none (net.interface can still
	// name one, e.g. a USB adapter).
	Ethernet string
	// WatchdogTimeoutSec is the timeout the supervisor programs.
	WatchdogTimeoutSec int
	// ConfigTxt is the Raspberry Pi GPU firmware's config.txt ("rpi" boot
	// only).
	ConfigTxt string
	// Pins names the GPIO lines of the status LEDs, watchdog and RF
	// control, by role.
	Pins map[string]string
	// RF is the radio chain and its limits.
	RF RFChain
}

// Blob is one pinned file placed on the boot partition.
type Blob struct {
	// Source says where the build takes it from: a Go module path and
	// version with a path inside it ("github.com/gokrazy/kernel.arm64@v0.0.0-…:vmlinuz"),
	// or a Debian package and path ("deb:u-boot-qemu:/usr/lib/u-boot/qemu_arm64/u-boot.bin").
	Source string
	// Name is its file name on the boot partition.
	Name string
	// SHA256 is the expected hex digest; the build refuses a mismatch.
	SHA256 string
}

// Layout is the partition layout of the flashable image.
type Layout struct {
	// BootMiB and DataMiB are the sizes of the FAT boot partition and the
	// persistent data partition.
	BootMiB int
	DataMiB int
}

// RFChain is the board's radio: which front end and what it may do.
type RFChain struct {
	// Frontend names the driver: "sim" (simulated air), "hat" (gsmbox RF
	// HAT on SPI/GPIO), "lms7002m" (the chip on the host's SPI),
	// "lime-usb" (a LimeSDR Mini or LimeNET Micro over USB:
	// boards/rf/lime), or "trx" (an external transceiver over the TRX
	// protocol).
	Frontend string
	// Bands the hardware's filters and PA support.
	Bands []tdma.Band
	// MaxPowerDBm is the highest output power the board may ever transmit.
	MaxPowerDBm float64
	// MinPowerDBm is the lowest power the PA chain can be set to.
	MinPowerDBm float64
	// Chain describes the discrete front end (chips, buses, pins), for
	// hardware front ends; nil for "sim" and "trx".
	Chain *rf.Chain
}

// SupportsBand reports whether the RF chain covers band b.
func (r RFChain) SupportsBand(b tdma.Band) bool {
	for _, x := range r.Bands {
		if x == b {
			return true
		}
	}
	return false
}

var registry = map[string]*Descriptor{}

// register adds a descriptor; each board file calls it from init.
func register(d *Descriptor) {
	if _, dup := registry[d.Name]; dup {
		panic("boards: duplicate board " + d.Name)
	}
	registry[d.Name] = d
}

// Lookup returns the named board's descriptor.
func Lookup(name string) (*Descriptor, error) {
	d, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q (known: %v)", ErrUnknownBoard, name, Names())
	}
	return d, nil
}

// Names lists the known boards, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
