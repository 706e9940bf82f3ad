package rf

import (
	"fmt"
	"math"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/ad5662"
	"github.com/gsmbox/gsmbox/boards/rf/adf4351"
	"github.com/gsmbox/gsmbox/boards/rf/ina219"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/mcp4725"
	"github.com/gsmbox/gsmbox/boards/rf/tmp102"
)

// Adapters from the chip drivers to the interlock's small interfaces.

// ADF4351Synth adapts an ADF4351 with its LD pin.
type ADF4351Synth struct{ D *adf4351.Dev }

// Tune programs f; lock follows within the loop's settling time.
func (s ADF4351Synth) Tune(f physic.Frequency) error { _, err := s.D.Tune(f); return err }

// Locked reads LD.
func (s ADF4351Synth) Locked() bool { return s.D.Locked() }

// Halt mutes and powers the synthesiser down.
func (s ADF4351Synth) Halt() error { return s.D.Halt() }

// PinPA drives an active-high PA enable line.
type PinPA struct{ Pin gpio.PinOut }

// SetPA drives the line.
func (p PinPA) SetPA(on bool) error { return p.Pin.Out(gpio.Level(on)) }

// PinPath drives the antenna switch and the band-select lines.
type PinPath struct {
	TXRX gpio.PinOut
	Band []gpio.PinOut
}

// SetTX routes the antenna to the TX path when on.
func (p PinPath) SetTX(on bool) error {
	if p.TXRX == nil {
		return nil
	}
	return p.TXRX.Out(gpio.Level(on))
}

// SelectBand drives the filter code, bit i on Band[i].
func (p PinPath) SelectBand(code uint8) error {
	for i, pin := range p.Band {
		if err := pin.Out(gpio.Level(code>>uint(i)&1 == 1)); err != nil {
			return err
		}
	}
	return nil
}

// INA219Current adapts an INA219 on the PA supply.
type INA219Current struct{ D *ina219.Dev }

// Current reads the PA supply current.
func (s INA219Current) Current() (physic.ElectricCurrent, error) {
	m, err := s.D.Sense()
	return m.Current, err
}

// TMP102Temp adapts a TMP102.
type TMP102Temp struct{ D *tmp102.Dev }

// Temperature reads the sensor.
func (s TMP102Temp) Temperature() (physic.Temperature, error) { return s.D.Sense() }

// LMSSynth is the LMS7002M's SXT as the interlock's synthesiser.
type LMSSynth struct{ D *lms7002m.Dev }

// Tune tunes SXT.
func (s LMSSynth) Tune(f physic.Frequency) error { _, err := s.D.Tune(lms7002m.TX, f); return err }

// Locked reads the SXT VCO comparators.
func (s LMSSynth) Locked() bool {
	ok, err := s.D.Locked(lms7002m.TX)
	return err == nil && ok
}

// Halt powers the TX pad down (the LMS7002M's output stage).
func (s LMSSynth) Halt() error { return s.D.TXEnable(false) }

// LMSPA switches the LMS7002M's TX pad as the PA.
type LMSPA struct{ D *lms7002m.Dev }

// SetPA powers the TX pad up or down.
func (p LMSPA) SetPA(on bool) error { return p.D.TXEnable(on) }

// LMSAtten uses the TX pad loss (about 1 dB per code) as the attenuator.
// Rounding is up: never more power than asked.
type LMSAtten struct{ D *lms7002m.Dev }

// Set sets the TX pad loss.
func (a LMSAtten) Set(db float64) error {
	code := math.Ceil(db - 1e-9)
	if code < 0 || code > 31 || math.IsNaN(code) {
		return fmt.Errorf("%w: TX pad loss %.1f dB", ErrPowerLimit, db)
	}
	return a.D.TXPadLoss(uint8(code))
}

// TrimDAC is the reference-oscillator DAC as the clock service sees it.
type TrimDAC interface {
	SetCode(code uint32) error
}

// MCP4725Trim adapts an MCP4725.
type MCP4725Trim struct{ D *mcp4725.Dev }

// SetCode writes the DAC register (not the EEPROM).
func (t MCP4725Trim) SetCode(code uint32) error {
	if code > 4095 {
		return fmt.Errorf("%w: MCP4725 code %d", ErrChain, code)
	}
	return t.D.Set(uint16(code))
}

// AD5662Trim adapts an AD5662.
type AD5662Trim struct{ D *ad5662.Dev }

// SetCode writes the DAC.
func (t AD5662Trim) SetCode(code uint32) error {
	if code > 65535 {
		return fmt.Errorf("%w: AD5662 code %d", ErrChain, code)
	}
	return t.D.Set(uint16(code))
}

// LimeTrim adapts the LimeSDR Mini / LimeNET Micro reference DAC (LMS64C
// ANALOG_VAL_WR, channel lime.TrimDAC).
type LimeTrim struct{ B *lime.Board }

// SetCode writes a 16-bit DAC code.
func (t LimeTrim) SetCode(code uint32) error {
	if code > 0xFFFF {
		return fmt.Errorf("%w: Lime DAC code %d", ErrChain, code)
	}
	return t.B.AnalogWrite(lime.TrimDAC, 0, uint16(code))
}
