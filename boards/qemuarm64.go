package boards

import (
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// (This file is not named qemu_arm64.go: the _arm64 suffix would make it
// an arm64-only build constraint.)
//
// The QEMU arm64 "virt" machine: the development and CI target. It boots
// the image as a disk through U-Boot (Debian's u-boot-qemu as -bios), with
// the gokrazy arm64 kernel, which has virtio, xhci, usb-storage, SCSI disk,
// vfat, ext4 and the i6300esb watchdog built in. Its radio is the
// simulated air.
func init() {
	register(&Descriptor{
		Name:        "qemu-arm64",
		Description: "QEMU arm64 virt machine, U-Boot, simulated air (development and CI)",
		Model:       "linux,dummy-virt",
		GOARCH:      "arm64",
		Console:     "ttyAMA0",
		Boot:        "uboot-virt",
		Kernel: Blob{
			Source: "github.com/gokrazy/kernel.arm64@v0.0.0-20260705071517-37841c4d6ff1:vmlinuz",
			Name:   "vmlinuz",
			SHA256: "b054a610dd89ee458fc77ba4bc50228b5036853c6fcbec46441a2d11bf3d9a9b",
		},
		// U-Boot passes QEMU's own device tree (${fdtcontroladdr}).
		Image:              Layout{BootMiB: 128, DataMiB: 32},
		Cmdline:            "panic=10 oops=panic",
		BootDevice:         "/dev/vda1",
		DataDevice:         "/dev/vda2",
		Watchdog:           "/dev/watchdog",
		WatchdogTimeoutSec: 30,
		// QEMU user networking (-nic user,hostfwd=...): its built-in DHCP
		// server hands out 10.0.2.15/24, which the host port forward
		// reaches.
		Ethernet: "eth0",
		RF: RFChain{
			Frontend:    "sim",
			Bands:       []tdma.Band{tdma.GSM850, tdma.GSM900, tdma.RGSM900, tdma.DCS1800, tdma.PCS1900},
			MaxPowerDBm: 43,
			MinPowerDBm: -10,
		},
	})
}

// The QEMU arm64 virt machine with a LimeSDR Mini on its xHCI controller:
// the qemu-arm64 image whose radio is the "lime-usb" front end, for the
// image test that attaches the fake LimeSDR (boards/rf/lime/limetest)
// through QEMU's usb-redir device (boards/usbfs/usbredir), so the
// appliance's pure-Go USB path runs against a real kernel's USB stack
// (tools/mkimage/image TestQEMULimeUSB; docs/rf-bringup.md). Not a
// product: no QEMU has a LimeSDR of its own.
func init() {
	q, err := Lookup("qemu-arm64")
	if err != nil {
		panic(err)
	}
	d := *q
	d.Name = "qemu-arm64-limesdr"
	d.Description = "QEMU arm64 virt machine + LimeSDR Mini on USB (usb-redir; image test of the USB radio path)"
	d.RF = limeSDRMiniRF()
	register(&d)
}
