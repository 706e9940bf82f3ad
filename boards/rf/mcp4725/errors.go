package mcp4725

import "errors"

var (
	// ErrRange reports a code above 4095.
	ErrRange = errors.New("mcp4725: code out of range")
	// ErrShort reports a read-back shorter than five bytes.
	ErrShort = errors.New("mcp4725: short read")
	// ErrBusy is returned when the EEPROM write does not finish.
	ErrBusy = errors.New("mcp4725: EEPROM write did not complete")
)
