// Package watchdog arms the hardware watchdog (/dev/watchdog: the i6300esb
// on QEMU, bcm2835_wdt on the Raspberry Pi) and feeds it only while every
// health check passes: the TDMA clock advances, no critical service is
// stuck in back-off, and storage is writable. When a check fails the
// feeding stops and the hardware resets the box after its timeout.
//
// The device goes behind the Device interface (u-root's pkg/watchdog for
// the real one, Fake for tests); time comes from firmware/clock.
//
// Place in the dependency order: platform (firmware/); imports
// firmware/clock and u-root's pkg/watchdog.
package watchdog
