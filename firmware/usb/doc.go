// Package usb is the USB-stick configuration workflow: notice a stick
// (netlink kernel uevents, with polling of /sys/block as the fallback),
// mount its FAT file system, read gsmbox.toml (and look for
// subscribers.csv), validate it with config.Parse, apply it atomically
// keeping the last good configuration (config.Diff says which service must
// restart; only that one is restarted), write gsmbox-report.txt back to the
// stick (what changed, every error with its line, the cell's status, the
// version), show the result on the LEDs, sync and unmount, and print a
// console line containing "safe to remove". A bad file changes nothing that
// runs.
//
// Mounting, the kernel's uevents and /sys go behind small interfaces, so
// the whole workflow is tested without hardware.
//
// Place in the dependency order: platform (firmware/); imports boards,
// firmware/config, firmware/leds, firmware/storage and x/sys/unix.
package usb
