package ina219

import "errors"

var (
	// ErrConfig reports an impossible shunt/current combination.
	ErrConfig = errors.New("ina219: bad configuration")
	// ErrOverflow is returned when the bus-voltage register's OVF flag
	// says the power or current calculation overflowed.
	ErrOverflow = errors.New("ina219: math overflow")
	// ErrShort reports a read-back shorter than a register.
	ErrShort = errors.New("ina219: short read")
	// ErrReadBack reports a configuration that did not read back as written.
	ErrReadBack = errors.New("ina219: read-back mismatch")
)
