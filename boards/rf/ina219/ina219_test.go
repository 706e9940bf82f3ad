package ina219

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/physic"
)

// The RPi4 HAT's PA monitor: 100 mΩ shunt, 3.2 A full scale. Derivation in
// testdata/README.md.
var hatOpts = Opts{Addr: 0x40, Shunt: 100 * physic.MilliOhm, MaxCurrent: 3200 * physic.MilliAmpere}

var initOps = []i2ctest.IO{
	{Addr: 0x40, W: []byte{0x00, 0x80, 0x00}},            // reset
	{Addr: 0x40, W: []byte{0x00, 0x39, 0x9F}},            // config
	{Addr: 0x40, W: []byte{0x05, 0x10, 0x00}},            // calibration 4096
	{Addr: 0x40, W: []byte{0x00}, R: []byte{0x39, 0x9F}}, // read back
}

func TestCalibration(t *testing.T) {
	tests := []struct {
		shunt physic.ElectricResistance
		max   physic.ElectricCurrent
		cal   uint16
		lsb   physic.ElectricCurrent
		pga   uint16
	}{
		{100 * physic.MilliOhm, 3200 * physic.MilliAmpere, 4096, 100 * physic.MicroAmpere, 3},
		// Data sheet §8.5.1 style: 0.1 Ω, 2 A → LSB 61.04 µA → 70 µA; Cal = 0.04096/(70e-6×0.1) = 5851.4 → 5850 (bit 0 clear).
		{100 * physic.MilliOhm, 2 * physic.Ampere, 5850, 70 * physic.MicroAmpere, 3},
		{10 * physic.MilliOhm, 3 * physic.Ampere, 40960, 100 * physic.MicroAmpere, 0},
	}
	for _, tt := range tests {
		cal, lsb, pga, err := Calibration(tt.shunt, tt.max)
		if err != nil || cal != tt.cal || lsb != tt.lsb || pga != tt.pga {
			t.Errorf("Calibration(%v, %v) = %d, %v, %d, %v, want %d, %v, %d", tt.shunt, tt.max, cal, lsb, pga, err, tt.cal, tt.lsb, tt.pga)
		}
	}
	if _, _, _, err := Calibration(1*physic.Ohm, 1*physic.Ampere); !errors.Is(err, ErrConfig) {
		t.Errorf("Calibration(1 Ω, 1 A) = %v, want ErrConfig (1 V shunt drop)", err)
	}
}

func TestSense(t *testing.T) {
	ops := append([]i2ctest.IO{}, initOps...)
	ops = append(ops,
		i2ctest.IO{Addr: 0x40, W: []byte{0x01}, R: []byte{0x2E, 0xE0}}, // shunt 120 mV
		i2ctest.IO{Addr: 0x40, W: []byte{0x02}, R: []byte{0x5D, 0xC2}}, // bus 12.000 V, CNVR
		i2ctest.IO{Addr: 0x40, W: []byte{0x04}, R: []byte{0x2E, 0xE0}}, // current 12000 × 100 µA
		i2ctest.IO{Addr: 0x40, W: []byte{0x03}, R: []byte{0x1C, 0x20}}, // power 7200 × 2 mW
	)
	bus := &i2ctest.Playback{Ops: ops, DontPanic: true}
	d, err := New(bus, &hatOpts)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	m, err := d.Sense()
	if err != nil {
		t.Fatalf("Sense() = %v", err)
	}
	want := Metrics{Shunt: 120 * physic.MilliVolt, Bus: 12 * physic.Volt, Current: 1200 * physic.MilliAmpere, Power: 14400 * physic.MilliWatt}
	if m != want {
		t.Errorf("Sense() = %+v, want %+v", m, want)
	}
	if err := bus.Close(); err != nil {
		t.Error(err)
	}
}

func TestSenseOverflowAndReadBack(t *testing.T) {
	ops := append([]i2ctest.IO{}, initOps...)
	ops = append(ops,
		i2ctest.IO{Addr: 0x40, W: []byte{0x01}, R: []byte{0x7F, 0xFF}},
		i2ctest.IO{Addr: 0x40, W: []byte{0x02}, R: []byte{0x5D, 0xC3}}, // OVF
		i2ctest.IO{Addr: 0x40, W: []byte{0x04}, R: []byte{0x00, 0x00}},
		i2ctest.IO{Addr: 0x40, W: []byte{0x03}, R: []byte{0x00, 0x00}},
	)
	d, err := New(&i2ctest.Playback{Ops: ops, DontPanic: true}, &hatOpts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Sense(); !errors.Is(err, ErrOverflow) {
		t.Errorf("Sense() with OVF = %v, want ErrOverflow", err)
	}
	bad := append([]i2ctest.IO{}, initOps[:3]...)
	bad = append(bad, i2ctest.IO{Addr: 0x40, W: []byte{0x00}, R: []byte{0xFF, 0xFF}})
	if _, err := New(&i2ctest.Playback{Ops: bad, DontPanic: true}, &hatOpts); !errors.Is(err, ErrReadBack) {
		t.Errorf("New() with a wrong read-back = %v, want ErrReadBack", err)
	}
}

func TestDecodeShunt(t *testing.T) {
	// Data sheet Table 4 style: -320 mV full scale reads 0x8300 at PGA /8.
	tests := []struct {
		v    uint16
		want physic.ElectricPotential
	}{{0x7D00, 320 * physic.MilliVolt}, {0x8300, -320 * physic.MilliVolt}, {0x0001, 10 * physic.MicroVolt}, {0xFFFF, -10 * physic.MicroVolt}}
	for _, tt := range tests {
		if got := DecodeShunt(tt.v); got != tt.want {
			t.Errorf("DecodeShunt(0x%04x) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x5D, 0xC2})
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			if len(b) >= 2 {
				t.Fatalf("Decode(%x) = %v", b, err)
			}
			return
		}
		bus, _ := DecodeBus(v)
		if bus < 0 || bus > 32764*physic.MilliVolt {
			t.Fatalf("DecodeBus(0x%04x) = %v outside 0..32.764 V", v, bus)
		}
		if s := DecodeShunt(v); s < -327680*physic.MicroVolt || s > 327670*physic.MicroVolt {
			t.Fatalf("DecodeShunt(0x%04x) = %v outside ±327.68 mV", v, s)
		}
	})
}
