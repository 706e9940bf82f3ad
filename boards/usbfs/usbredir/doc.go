// Package usbredir is the usb-host side of the usbredir protocol (USB
// network redirection, protocol description version 0.7, the
// "usb-redirection-protocol" document of the spice usbredir project): it
// exports one USB device, described by its descriptors and served by a
// Handler, over a reliable byte stream to a usb-guest such as QEMU's
// `-device usb-redir`. Inside the guest the device is a real USB device
// on the emulated xHCI controller: the guest kernel enumerates it, binds
// usbfs to it and runs its transfers, so a Go driver that speaks
// /dev/bus/usb ioctls (boards/usbfs) can be tested against a real Linux
// USB stack without hardware.
//
// What it implements (from the protocol description; no usbredir code is
// used):
//   - the hello exchange and capability negotiation (64-bit packet ids,
//     32-bit bulk lengths, the device version in device_connect, the
//     endpoints' max packet size in ep_info, disconnect acknowledgement);
//   - device_connect preceded by ep_info and interface_info, and
//     device_disconnect (Server.Disconnect);
//   - set/get configuration and alternate setting, reset;
//   - control packets: the standard device requests (GET_DESCRIPTOR for
//     the device, configuration and string descriptors, GET_STATUS,
//     CLEAR/SET_FEATURE) answered from the descriptors, every other
//     request (class and vendor requests) passed to the Handler;
//   - bulk packets in both directions, one worker per endpoint so the
//     transfers of an endpoint complete in order, with the guest's cancel
//     (cancel_data_packet) reaching a Handler blocked in a transfer
//     through its context.
//
// Isochronous, interrupt-receiving, bulk-stream and buffered-bulk
// requests are answered with an error status: the devices this package
// exports (a LimeSDR's FT601) have none of them.
//
// Bad input (a packet type out of place, a length that does not fit its
// type, a transfer above MaxTransfer, more than MaxInFlight transfers
// unanswered) ends the connection with an error naming the packet; it
// never panics. Decode and the whole server are fuzzed (FuzzDecode,
// FuzzServe; corpus in testdata/fuzz).
//
// Place in the dependency order: it sits beside boards/usbfs and imports
// nothing of gsmbox's; boards/rf/lime/limetest exports its fake LimeSDR
// through it (limetest.Redir), and the QEMU image test
// (tools/mkimage/image, TestQEMULimeUSB) boots the appliance on it.
package usbredir
