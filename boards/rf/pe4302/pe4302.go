package pe4302

import (
	"fmt"
	"math"

	"periph.io/x/conn/v3/gpio"
)

// MaxDB is the attenuator's range; StepDB its resolution.
const (
	MaxDB  = 31.5
	StepDB = 0.5
	bits   = 6
)

// Dev is a PE4302 on GPIO lines.
type Dev struct {
	le, clk, data gpio.PinOut
	par           [bits]gpio.PinOut // parallel mode: index i drives bit i (C0.5 = bit 0)
	serial        bool
	code          uint8
	set           bool
}

// NewSerial returns an attenuator in serial mode. It drives LE, Clock and
// Data low and then programmes maximum attenuation, the safe state.
func NewSerial(le, clock, data gpio.PinOut) (*Dev, error) {
	d := &Dev{le: le, clk: clock, data: data, serial: true}
	for _, p := range []gpio.PinOut{le, clock, data} {
		if err := p.Out(gpio.Low); err != nil {
			return nil, fmt.Errorf("pe4302: pin %s: %w", p, err)
		}
	}
	return d, d.SetCode(63)
}

// NewParallel returns an attenuator in latched parallel mode; pins[0] is
// C0.5 and pins[5] is C16. It programmes maximum attenuation.
func NewParallel(le gpio.PinOut, pins [bits]gpio.PinOut) (*Dev, error) {
	d := &Dev{le: le, par: pins}
	if err := le.Out(gpio.Low); err != nil {
		return nil, fmt.Errorf("pe4302: pin %s: %w", le, err)
	}
	return d, d.SetCode(63)
}

// Code converts an attenuation to the 6-bit word (LSB = 0.5 dB).
func Code(db float64) (uint8, error) {
	if math.IsNaN(db) || db < 0 || db > MaxDB {
		return 0, fmt.Errorf("%w: %.2f dB (0..%.1f)", ErrRange, db, MaxDB)
	}
	c := math.Round(db / StepDB)
	if math.Abs(c*StepDB-db) > 1e-9 {
		return 0, fmt.Errorf("%w: %.3f dB is not a multiple of %.1f dB", ErrRange, db, StepDB)
	}
	return uint8(c), nil
}

// Set programmes attenuation db (a multiple of 0.5 dB).
func (d *Dev) Set(db float64) error {
	c, err := Code(db)
	if err != nil {
		return err
	}
	return d.SetCode(c)
}

// Attenuation returns the programmed attenuation.
func (d *Dev) Attenuation() float64 { return float64(d.code) * StepDB }

// SetCode programmes the raw 6-bit word.
func (d *Dev) SetCode(c uint8) error {
	if c > 63 {
		return fmt.Errorf("%w: code %d", ErrRange, c)
	}
	if d.serial {
		for i := bits - 1; i >= 0; i-- { // C16 first
			if err := d.out(d.data, gpio.Level(c>>uint(i)&1 == 1)); err != nil {
				return err
			}
			if err := d.out(d.clk, gpio.High); err != nil {
				return err
			}
			if err := d.out(d.clk, gpio.Low); err != nil {
				return err
			}
		}
	} else {
		for i := 0; i < bits; i++ {
			if err := d.out(d.par[i], gpio.Level(c>>uint(i)&1 == 1)); err != nil {
				return err
			}
		}
	}
	if err := d.out(d.le, gpio.High); err != nil {
		return err
	}
	if err := d.out(d.le, gpio.Low); err != nil {
		return err
	}
	d.code, d.set = c, true
	return nil
}

func (d *Dev) out(p gpio.PinOut, l gpio.Level) error {
	if err := p.Out(l); err != nil {
		return fmt.Errorf("pe4302: pin %s: %w", p, err)
	}
	return nil
}

// String implements conn.Resource.
func (d *Dev) String() string { return "pe4302" }

// Halt sets maximum attenuation.
func (d *Dev) Halt() error { return d.SetCode(63) }
