package tmp102

import (
	"fmt"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// Registers (§7.5.1).
const (
	RegTemp   = 0x00
	RegConfig = 0x01
	RegTLow   = 0x02
	RegTHigh  = 0x03
)

// DefaultAddr is the address with ADD0 = GND.
const DefaultAddr = 0x48

const (
	cfgR1R0 = 0x60 // first configuration byte: converter resolution, read-only 11
	lsb     = 62500 * physic.MicroKelvin
)

// Dev is a TMP102.
type Dev struct {
	d i2c.Dev
	w [1]byte
	r [2]byte
}

// New checks that a TMP102 answers at addr (0 means 0x48): its
// configuration register's read-only resolution bits must read 11.
func New(b i2c.Bus, addr uint16) (*Dev, error) {
	if addr == 0 {
		addr = DefaultAddr
	}
	d := &Dev{d: i2c.Dev{Bus: b, Addr: addr}}
	if err := d.read(RegConfig); err != nil {
		return nil, err
	}
	if d.r[0]&cfgR1R0 != cfgR1R0 {
		return nil, fmt.Errorf("%w at 0x%02x: configuration %02x%02x, resolution bits not 11", ErrNotFound, addr, d.r[0], d.r[1])
	}
	return d, nil
}

// Sense reads the temperature.
func (d *Dev) Sense() (physic.Temperature, error) {
	if err := d.read(RegTemp); err != nil {
		return 0, err
	}
	return Decode(d.r[:])
}

// Decode converts a temperature register read-back: 12-bit two's
// complement in bits 15..4, or 13-bit in bits 15..3 when bit 0 (EM) is set.
func Decode(b []byte) (physic.Temperature, error) {
	if len(b) < 2 {
		return 0, fmt.Errorf("%w: %d bytes, need 2", ErrShort, len(b))
	}
	v := int16(uint16(b[0])<<8 | uint16(b[1]))
	var raw int16
	if b[1]&1 != 0 {
		raw = v >> 3
	} else {
		raw = v >> 4
	}
	return physic.ZeroCelsius + physic.Temperature(raw)*lsb, nil
}

func (d *Dev) read(reg uint8) error {
	d.w[0] = reg
	if err := d.d.Tx(d.w[:], d.r[:]); err != nil {
		return fmt.Errorf("tmp102: read reg 0x%02x: %w", reg, err)
	}
	return nil
}

// String implements conn.Resource.
func (d *Dev) String() string { return fmt.Sprintf("tmp102@0x%02x", d.d.Addr) }

// Halt does nothing: the sensor is passive.
func (d *Dev) Halt() error { return nil }
