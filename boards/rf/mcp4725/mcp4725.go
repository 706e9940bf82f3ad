package mcp4725

import (
	"fmt"

	"periph.io/x/conn/v3/i2c"
)

// DefaultAddr is the address of the MCP4725A0 with A0 = GND.
const DefaultAddr = 0x60

// Commands (§6.1).
const (
	cmdWriteDAC       = 0x40 // C2:C0 = 010
	cmdWriteDACEEPROM = 0x60 // C2:C0 = 011
	statusReady       = 0x80 // RDY/BSY
	statusPOR         = 0x40
	maxCode           = 4095
	storePolls        = 50 // EEPROM write takes up to 50 ms; each poll is an I2C read
)

// State is the decoded five-byte read-back.
type State struct {
	Ready      bool   // EEPROM write finished
	PowerOnRst bool   // POR flag
	PowerDown  uint8  // PD1:PD0 of the DAC register
	Code       uint16 // DAC register
	EEPROMPD   uint8  // PD1:PD0 stored in EEPROM
	EEPROMCode uint16 // code loaded at power-on
}

// Decode parses the five-byte read-back (§6.2, Figure 6-3).
func Decode(b []byte) (State, error) {
	if len(b) < 5 {
		return State{}, fmt.Errorf("%w: %d bytes, need 5", ErrShort, len(b))
	}
	return State{
		Ready:      b[0]&statusReady != 0,
		PowerOnRst: b[0]&statusPOR != 0,
		PowerDown:  b[0] >> 1 & 3,
		Code:       uint16(b[1])<<4 | uint16(b[2])>>4,
		EEPROMPD:   b[3] >> 5 & 3,
		EEPROMCode: uint16(b[3]&0x0f)<<8 | uint16(b[4]),
	}, nil
}

// Dev is an MCP4725.
type Dev struct {
	d    i2c.Dev
	w    [3]byte
	r    [5]byte
	code uint16
}

// New reads the DAC's state, which also checks that it answers. It does
// not change the output: the EEPROM holds the calibrated power-on code.
func New(b i2c.Bus, addr uint16) (*Dev, State, error) {
	if addr == 0 {
		addr = DefaultAddr
	}
	d := &Dev{d: i2c.Dev{Bus: b, Addr: addr}}
	s, err := d.Read()
	if err != nil {
		return nil, State{}, err
	}
	d.code = s.Code
	return d, s, nil
}

// Read returns the DAC and EEPROM state.
func (d *Dev) Read() (State, error) {
	if err := d.d.Tx(nil, d.r[:]); err != nil {
		return State{}, fmt.Errorf("mcp4725: read: %w", err)
	}
	return Decode(d.r[:])
}

// Set writes the DAC register with the fast-mode command (two bytes,
// PD1:PD0 = 00, normal operation).
func (d *Dev) Set(code uint16) error {
	if code > maxCode {
		return fmt.Errorf("%w: %d", ErrRange, code)
	}
	d.w[0], d.w[1] = byte(code>>8), byte(code)
	if err := d.d.Tx(d.w[:2], nil); err != nil {
		return fmt.Errorf("mcp4725: set %d: %w", code, err)
	}
	d.code = code
	return nil
}

// Store writes the DAC register and the EEPROM (the power-on code) and
// waits for the EEPROM write to finish. Use it sparingly: the EEPROM is
// rated for about a million writes; store a calibration, not every loop
// step.
func (d *Dev) Store(code uint16) error {
	if code > maxCode {
		return fmt.Errorf("%w: %d", ErrRange, code)
	}
	d.w = [3]byte{cmdWriteDACEEPROM, byte(code >> 4), byte(code << 4)}
	if err := d.d.Tx(d.w[:], nil); err != nil {
		return fmt.Errorf("mcp4725: store %d: %w", code, err)
	}
	d.code = code
	for i := 0; i < storePolls; i++ {
		s, err := d.Read()
		if err != nil {
			return err
		}
		if s.Ready {
			return nil
		}
	}
	return ErrBusy
}

// Code returns the last code written.
func (d *Dev) Code() uint16 { return d.code }

// String implements conn.Resource.
func (d *Dev) String() string { return fmt.Sprintf("mcp4725@0x%02x", d.d.Addr) }

// Halt leaves the output as it is: powering the trim DAC down would pull
// the reference off frequency.
func (d *Dev) Halt() error { return nil }
