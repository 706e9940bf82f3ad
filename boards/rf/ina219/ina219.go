package ina219

import (
	"fmt"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// Registers, data sheet §8.6.
const (
	RegConfig      = 0x00
	RegShunt       = 0x01
	RegBus         = 0x02
	RegPower       = 0x03
	RegCurrent     = 0x04
	RegCalibration = 0x05
)

// Configuration register fields (§8.6.2.1).
const (
	cfgReset    = 1 << 15
	cfgBRNG32V  = 1 << 13 // bus voltage range 32 V
	cfgPGShift  = 11      // PGA gain: 0 ±40 mV, 1 ±80, 2 ±160, 3 ±320
	cfgBADC12   = 0x3 << 7
	cfgSADC12   = 0x3 << 3
	cfgModeCont = 0x7 // shunt and bus, continuous
)

// Fixed scales: shunt LSB 10 µV, bus LSB 4 mV, power LSB = 20 × current LSB.
const (
	shuntLSB = 10 * physic.MicroVolt
	busLSB   = 4 * physic.MilliVolt
)

// DefaultAddr is the address with A0 = A1 = GND.
const DefaultAddr = 0x40

// Opts configures the monitor.
type Opts struct {
	Addr uint16
	// Shunt is the shunt resistor. Required.
	Shunt physic.ElectricResistance
	// MaxCurrent is the largest current to measure. Required.
	MaxCurrent physic.ElectricCurrent
}

// Metrics is one reading.
type Metrics struct {
	Shunt   physic.ElectricPotential
	Bus     physic.ElectricPotential
	Current physic.ElectricCurrent
	Power   physic.Power
}

// Dev is an INA219.
type Dev struct {
	d      i2c.Dev
	cfg    uint16
	cal    uint16
	curLSB physic.ElectricCurrent
	w      [3]byte
	r      [2]byte
}

// Calibration computes the calibration register and the current LSB for
// a shunt and maximum current (§8.5.1): Current_LSB ≥ MaxCurrent/2^15,
// rounded up to a whole 10 µA; Cal = trunc(0.04096 / (Current_LSB × R)).
// It also returns the PGA setting that fits MaxCurrent × R.
func Calibration(shunt physic.ElectricResistance, max physic.ElectricCurrent) (cal uint16, lsb physic.ElectricCurrent, pga uint16, err error) {
	if shunt <= 0 || max <= 0 {
		return 0, 0, 0, fmt.Errorf("%w: shunt %v, max current %v", ErrConfig, shunt, max)
	}
	step := 10 * physic.MicroAmpere
	lsb = (max + 32767) / 32768
	lsb = (lsb + step - 1) / step * step
	// Units: lsb in nA, shunt in nΩ; 0.04096 V·A expressed in nA·nΩ.
	c := int64(40960000000000000) / (int64(lsb) * int64(shunt))
	if c < 1 || c > 0xfffe {
		return 0, 0, 0, fmt.Errorf("%w: calibration %d out of range for shunt %v, max %v", ErrConfig, c, shunt, max)
	}
	cal = uint16(c) &^ 1                    // bit 0 is not used (§8.6.2.6)
	vmax := int64(max) * int64(shunt) / 1e9 // nV
	switch {
	case vmax <= 40e6:
		pga = 0
	case vmax <= 80e6:
		pga = 1
	case vmax <= 160e6:
		pga = 2
	case vmax <= 320e6:
		pga = 3
	default:
		return 0, 0, 0, fmt.Errorf("%w: %v across %v exceeds the 320 mV shunt range", ErrConfig, max, shunt)
	}
	return cal, lsb, pga, nil
}

// New resets the INA219, writes the configuration (32 V bus range, PGA to
// fit, 12-bit conversions, continuous) and the calibration, and reads the
// configuration back.
func New(b i2c.Bus, o *Opts) (*Dev, error) {
	if o == nil {
		return nil, fmt.Errorf("%w: no options", ErrConfig)
	}
	cal, lsb, pga, err := Calibration(o.Shunt, o.MaxCurrent)
	if err != nil {
		return nil, err
	}
	addr := o.Addr
	if addr == 0 {
		addr = DefaultAddr
	}
	d := &Dev{d: i2c.Dev{Bus: b, Addr: addr}, cal: cal, curLSB: lsb}
	d.cfg = cfgBRNG32V | pga<<cfgPGShift | cfgBADC12 | cfgSADC12 | cfgModeCont
	if err := d.write(RegConfig, cfgReset); err != nil {
		return nil, err
	}
	if err := d.write(RegConfig, d.cfg); err != nil {
		return nil, err
	}
	if err := d.write(RegCalibration, cal); err != nil {
		return nil, err
	}
	got, err := d.read(RegConfig)
	if err != nil {
		return nil, err
	}
	if got != d.cfg {
		return nil, fmt.Errorf("%w: configuration 0x%04x, wrote 0x%04x (is an INA219 at 0x%02x?)", ErrReadBack, got, d.cfg, addr)
	}
	return d, nil
}

// CurrentLSB returns the current register's scale.
func (d *Dev) CurrentLSB() physic.ElectricCurrent { return d.curLSB }

// CalibrationValue returns the calibration register value written.
func (d *Dev) CalibrationValue() uint16 { return d.cal }

// Sense reads shunt voltage, bus voltage, current and power.
func (d *Dev) Sense() (Metrics, error) {
	var m Metrics
	var raw [4]uint16
	for i, r := range []uint8{RegShunt, RegBus, RegCurrent, RegPower} {
		v, err := d.read(r)
		if err != nil {
			return Metrics{}, err
		}
		raw[i] = v
	}
	bus, ovf := DecodeBus(raw[1])
	if ovf {
		return Metrics{}, fmt.Errorf("%w (bus register 0x%04x)", ErrOverflow, raw[1])
	}
	m.Shunt = DecodeShunt(raw[0])
	m.Bus = bus
	m.Current = physic.ElectricCurrent(int16(raw[2])) * d.curLSB
	// Power LSB = 20 × Current LSB (§8.5.1 Equation 3), in W: nA × V.
	m.Power = physic.Power(int64(raw[3]) * 20 * int64(d.curLSB))
	return m, nil
}

// DecodeShunt converts the shunt-voltage register (two's complement,
// sign-extended for every PGA setting; LSB 10 µV).
func DecodeShunt(v uint16) physic.ElectricPotential {
	return physic.ElectricPotential(int16(v)) * shuntLSB
}

// DecodeBus converts the bus-voltage register: bits 15..3 in 4 mV steps,
// bit 0 OVF.
func DecodeBus(v uint16) (physic.ElectricPotential, bool) {
	return physic.ElectricPotential(v>>3) * busLSB, v&1 != 0
}

// Decode parses a 2-byte register read-back (MSB first).
func Decode(b []byte) (uint16, error) {
	if len(b) < 2 {
		return 0, fmt.Errorf("%w: %d bytes, need 2", ErrShort, len(b))
	}
	return uint16(b[0])<<8 | uint16(b[1]), nil
}

func (d *Dev) write(reg uint8, v uint16) error {
	d.w = [3]byte{reg, byte(v >> 8), byte(v)}
	if err := d.d.Tx(d.w[:], nil); err != nil {
		return fmt.Errorf("ina219: write reg 0x%02x: %w", reg, err)
	}
	return nil
}

func (d *Dev) read(reg uint8) (uint16, error) {
	d.w[0] = reg
	if err := d.d.Tx(d.w[:1], d.r[:]); err != nil {
		return 0, fmt.Errorf("ina219: read reg 0x%02x: %w", reg, err)
	}
	return Decode(d.r[:])
}

// String implements conn.Resource.
func (d *Dev) String() string { return fmt.Sprintf("ina219@0x%02x", d.d.Addr) }

// Halt powers the monitor down (MODE = 000).
func (d *Dev) Halt() error { return d.write(RegConfig, d.cfg&^7) }
