// Package usbfs is a small pure-Go (no cgo) USB host layer over Linux's
// usbfs: device discovery through sysfs (/sys/bus/usb/devices), opening
// /dev/bus/usb/BBB/DDD, claiming and releasing interfaces (detaching a
// kernel driver when one holds the interface), synchronous bulk transfers
// (USBDEVFS_BULK) and asynchronous ones through a fixed pool of URBs
// (USBDEVFS_SUBMITURB, REAPURB/REAPURBNDELAY, DISCARDURB) whose buffers
// are allocated once, outside the Go heap, and never per packet.
//
// Everything above the ioctls talks to the Device interface, so drivers
// (boards/rf/lime) and their fakes (boards/rf/lime/limetest) are tested
// without hardware. Errors are typed: a missing device wraps ErrNotFound,
// an interface another process or driver holds wraps ErrBusy (EBUSY), an
// unplugged device wraps ErrUnplugged (ENODEV, ESHUTDOWN), and once a
// device reports unplugged every later call fails the same way (hot-unplug
// detection; Present also checks sysfs).
//
// The real ioctls and sysfs discovery run against a real kernel in the
// image test: QEMU's usb-redir device puts a device exported by
// boards/usbfs/usbredir (the fake LimeSDR) on the guest's xHCI
// controller, and the appliance opens, streams from, loses and finds it
// again (tools/mkimage/image TestQEMULimeUSB).
//
// References: the Linux kernel's usbdevfs ABI (include/uapi/linux/
// usbdevice_fs.h, Documentation/driver-api/usb/usb.rst "/dev/bus/usb")
// and the sysfs USB attributes (Documentation/ABI/stable/sysfs-bus-usb).
//
// Place in the dependency order: a leaf under boards/, used by the USB
// radio drivers.
package usbfs
