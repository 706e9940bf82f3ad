package tmp102

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/physic"
)

func c(x float64) physic.Temperature {
	return physic.ZeroCelsius + physic.Temperature(x*1e6)*physic.MicroKelvin
}

// Data sheet Table 8.5.2 (12-bit temperature data format) examples.
func TestDecode(t *testing.T) {
	tests := []struct {
		b    []byte
		want physic.Temperature
	}{
		{[]byte{0x7F, 0xF0}, c(127.9375)},
		{[]byte{0x64, 0x00}, c(100)},
		{[]byte{0x50, 0x00}, c(80)},
		{[]byte{0x4B, 0x00}, c(75)},
		{[]byte{0x32, 0x00}, c(50)},
		{[]byte{0x19, 0x00}, c(25)},
		{[]byte{0x00, 0x40}, c(0.25)},
		{[]byte{0x00, 0x00}, c(0)},
		{[]byte{0xFF, 0xC0}, c(-0.25)},
		{[]byte{0xE7, 0x00}, c(-25)},
		{[]byte{0xC9, 0x00}, c(-55)},
		// Extended mode (EM = 1): 150 °C = 0x960 in bits 15..3.
		{[]byte{0x4B, 0x01}, c(150)},
	}
	for _, tt := range tests {
		got, err := Decode(tt.b)
		if err != nil || got != tt.want {
			t.Errorf("Decode(%x) = %v, %v, want %v", tt.b, got, err, tt.want)
		}
	}
	if _, err := Decode([]byte{1}); !errors.Is(err, ErrShort) {
		t.Errorf("Decode(1 byte) = %v, want ErrShort", err)
	}
}

func TestSense(t *testing.T) {
	bus := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{
		{Addr: 0x48, W: []byte{0x01}, R: []byte{0x60, 0xA0}}, // power-on default configuration
		{Addr: 0x48, W: []byte{0x00}, R: []byte{0x32, 0x00}},
	}}
	d, err := New(bus, 0)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	got, err := d.Sense()
	if err != nil || got != c(50) {
		t.Errorf("Sense() = %v, %v, want 50°C", got, err)
	}
	if err := bus.Close(); err != nil {
		t.Error(err)
	}
	bad := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{{Addr: 0x48, W: []byte{0x01}, R: []byte{0x00, 0x00}}}}
	if _, err := New(bad, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("New() on a non-TMP102 = %v, want ErrNotFound", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x19, 0x00})
	f.Add([]byte{0x4B, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(b)
		if err != nil {
			return
		}
		if got < c(-256) || got > c(256) {
			t.Fatalf("Decode(%x) = %v outside the register's ±256 °C span", b, got)
		}
	})
}
