package lan

import "errors"

var (
	// ErrNoLease is a DHCP exchange that ended without a usable lease.
	ErrNoLease = errors.New("no DHCP lease")
	// ErrBackwards is an NTP answer that would put the clock before the
	// last-known time: refused.
	ErrBackwards = errors.New("time before the last-known time")
	// ErrNoRTC means the board has no RTC device.
	ErrNoRTC = errors.New("no RTC")
)
