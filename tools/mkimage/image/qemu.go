package image

import (
	"strconv"
	"strings"
)

// UBootQEMU is Debian's U-Boot for the QEMU arm64 virt machine (package
// u-boot-qemu).
const UBootQEMU = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"

// QEMUOptions describe one boot of the qemu-arm64 image.
type QEMUOptions struct {
	// Image is the disk image (out/qemu-arm64.img).
	Image string
	// USB is an optional raw disk image attached as a USB stick.
	USB string
	// MemMiB is the guest RAM; 0 means 1024.
	MemMiB int
	// BIOS overrides UBootQEMU.
	BIOS string
	// USBController adds the xHCI controller (id xhci) even without a
	// stick, so one can be hot-plugged later through QMP.
	USBController bool
	// QMP is a Unix socket path for QEMU's machine protocol, "" for none.
	QMP string
	// HostFwd, when not 0, gives the guest a virtio NIC on QEMU user
	// networking with host 127.0.0.1:HostFwd forwarded to guest port 443
	// (the web console); 0 means no network.
	HostFwd int
	// USBRedir, when set, attaches a usbredir device on the xHCI
	// controller: QEMU connects to a usb-host (a usbredir server such as
	// boards/usbfs/usbredir's) at this TCP address, "127.0.0.1:PORT".
	USBRedir string
}

// QEMUArgs returns the qemu-system-aarch64 arguments that boot the image
// as a disk through U-Boot (not -kernel/-initrd): console on stdio, the
// i6300esb watchdog, no network unless HostFwd, and QEMU exiting when the guest powers off
// or reboots.
func QEMUArgs(o QEMUOptions) []string {
	mem := o.MemMiB
	if mem == 0 {
		mem = 1024
	}
	bios := o.BIOS
	if bios == "" {
		bios = UBootQEMU
	}
	args := []string{
		"-M", "virt", "-cpu", "cortex-a72", "-m", strconv.Itoa(mem),
		"-nographic", "-no-reboot",
		"-bios", bios,
		"-drive", "if=virtio,format=raw,file=" + o.Image,
		"-device", "i6300esb",
	}
	if o.HostFwd != 0 {
		args = append(args, "-nic", "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:"+strconv.Itoa(o.HostFwd)+"-:443")
	} else {
		args = append(args, "-nic", "none")
	}
	if o.USB != "" || o.USBController || o.USBRedir != "" {
		args = append(args, "-device", "qemu-xhci,id=xhci")
	}
	if o.USB != "" {
		args = append(args,
			"-drive", "if=none,id=stick,format=raw,file="+o.USB,
			"-device", "usb-storage,drive=stick")
	}
	if o.USBRedir != "" {
		host, port, _ := strings.Cut(o.USBRedir, ":")
		args = append(args,
			"-chardev", "socket,id=usbredir0,host="+host+",port="+port,
			"-device", "usb-redir,chardev=usbredir0,bus=xhci.0,id=usbredir0")
	}
	if o.QMP != "" {
		args = append(args, "-qmp", "unix:"+o.QMP+",server=on,wait=off")
	}
	return args
}
