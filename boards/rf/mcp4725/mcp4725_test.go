package mcp4725

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/i2c/i2ctest"
)

func TestDecode(t *testing.T) {
	// Ready, no POR, PD 00, DAC 0x800, EEPROM PD 00 code 0x7FF.
	got, err := Decode([]byte{0x80, 0x80, 0x00, 0x07, 0xFF})
	want := State{Ready: true, Code: 0x800, EEPROMCode: 0x7FF}
	if err != nil || got != want {
		t.Errorf("Decode() = %+v, %v, want %+v", got, err, want)
	}
	// Busy, POR, PD 11 (500 kΩ), DAC 0xABC, EEPROM PD 10 code 0x123.
	got, _ = Decode([]byte{0x46, 0xAB, 0xC0, 0x41, 0x23})
	want = State{PowerOnRst: true, PowerDown: 3, Code: 0xABC, EEPROMPD: 2, EEPROMCode: 0x123}
	if got != want {
		t.Errorf("Decode() = %+v, want %+v", got, want)
	}
	if _, err := Decode([]byte{1, 2}); !errors.Is(err, ErrShort) {
		t.Errorf("Decode(2 bytes) = %v, want ErrShort", err)
	}
}

func TestSetStore(t *testing.T) {
	bus := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{
		{Addr: 0x60, R: []byte{0xC0, 0x80, 0x00, 0x08, 0x00}}, // New: read state
		{Addr: 0x60, W: []byte{0x08, 0x34}},                   // Set(0x834): fast mode
		{Addr: 0x60, W: []byte{0x60, 0x83, 0x40}},             // Store(0x834)
		{Addr: 0x60, R: []byte{0x40, 0x83, 0x40, 0x08, 0x00}}, // busy
		{Addr: 0x60, R: []byte{0xC0, 0x83, 0x40, 0x08, 0x34}}, // ready
	}}
	d, s, err := New(bus, 0)
	if err != nil || s.Code != 0x800 {
		t.Fatalf("New() = %+v, %v, want code 0x800", s, err)
	}
	if err := d.Set(0x834); err != nil {
		t.Fatalf("Set() = %v", err)
	}
	if err := d.Store(0x834); err != nil {
		t.Fatalf("Store() = %v", err)
	}
	if err := d.Set(4096); !errors.Is(err, ErrRange) {
		t.Errorf("Set(4096) = %v, want ErrRange", err)
	}
	if err := bus.Close(); err != nil {
		t.Error(err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x80, 0x80, 0x00, 0x07, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		if err != nil {
			return
		}
		if s.Code > 4095 || s.EEPROMCode > 4095 || s.PowerDown > 3 || s.EEPROMPD > 3 {
			t.Fatalf("Decode(%x) = %+v out of range", b, s)
		}
	})
}
