package lms7002m

import "errors"

var (
	// ErrChipID is returned when register 0x002F does not read as an LMS7002M.
	ErrChipID = errors.New("lms7002m: chip ID mismatch")
	// ErrRange reports a frequency, gain or option the chip cannot do.
	ErrRange = errors.New("lms7002m: out of range")
	// ErrVCO is returned when no capacitor-bank setting puts the VCO's
	// tuning voltage inside the comparator window.
	ErrVCO = errors.New("lms7002m: VCO tuning failed")
	// ErrShort reports a read-back shorter than a transaction.
	ErrShort = errors.New("lms7002m: short read-back")
)

// ErrTXOn is returned when the TX loopback is asked for while the TX pad
// is powered: a calibration never runs with the output stage on.
var ErrTXOn = errors.New("lms7002m: TX pad powered")

// ErrNoLoop is returned by CalibrateTX when the loop returns no trace of
// the test tone (the loopback path is not connected).
var ErrNoLoop = errors.New("lms7002m: no signal through the TX loopback")
