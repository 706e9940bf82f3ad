package ad5662

import (
	"fmt"

	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// PowerDown selects the output state (PD1:PD0).
type PowerDown uint8

// Power-down modes (data sheet Table "Modes of Operation").
const (
	Normal       PowerDown = 0 // output driven
	PD1k         PowerDown = 1 // 1 kΩ to GND
	PD100k       PowerDown = 2 // 100 kΩ to GND
	PDThreeState PowerDown = 3
)

// Dev is an AD5662. The part is write-only.
type Dev struct {
	c    spi.Conn
	buf  [3]byte
	code uint16
	set  bool
}

// New connects at up to 30 MHz, SPI mode 1. Nothing is written: until the
// first Set the output is the DAC's power-on-reset level, and the clock
// discipline starts from there.
func New(p spi.Port) (*Dev, error) {
	c, err := p.Connect(30*physic.MegaHertz, spi.Mode1, 8)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConnect, err)
	}
	return &Dev{c: c}, nil
}

// Word returns the 24-bit input-shift-register word as bytes.
func Word(code uint16, pd PowerDown) [3]byte {
	return [3]byte{byte(pd & 3), byte(code >> 8), byte(code)}
}

// Set drives the output to code (normal operation).
func (d *Dev) Set(code uint16) error {
	d.buf = Word(code, Normal)
	if err := d.c.Tx(d.buf[:], nil); err != nil {
		return fmt.Errorf("ad5662: set %d: %w", code, err)
	}
	d.code, d.set = code, true
	return nil
}

// SetPowerDown writes a power-down mode, keeping the code.
func (d *Dev) SetPowerDown(pd PowerDown) error {
	d.buf = Word(d.code, pd)
	if err := d.c.Tx(d.buf[:], nil); err != nil {
		return fmt.Errorf("ad5662: power-down %d: %w", pd, err)
	}
	return nil
}

// Code returns the last code written.
func (d *Dev) Code() uint16 { return d.code }

// String implements conn.Resource.
func (d *Dev) String() string { return fmt.Sprintf("ad5662{%s}", d.c) }

// Halt leaves the output as it is: powering the trim DAC down would pull
// the reference off frequency.
func (d *Dev) Halt() error { return nil }
