package pe4302

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
)

// tracePin records every level written, as "name=0/1" in one shared log.
type tracePin struct {
	name string
	log  *[]string
}

func (p *tracePin) String() string { return p.name }
func (p *tracePin) Halt() error    { return nil }
func (p *tracePin) Name() string   { return p.name }
func (p *tracePin) Number() int    { return -1 }
func (p *tracePin) Function() string {
	return ""
}
func (p *tracePin) Out(l gpio.Level) error {
	v := 0
	if l {
		v = 1
	}
	*p.log = append(*p.log, fmt.Sprintf("%s=%d", p.name, v))
	return nil
}
func (p *tracePin) PWM(gpio.Duty, physic.Frequency) error { return errors.New("no pwm") }

func TestCode(t *testing.T) {
	tests := []struct {
		db   float64
		want uint8
		err  bool
	}{{0, 0, false}, {0.5, 1, false}, {10, 20, false}, {31.5, 63, false}, {16.5, 33, false}, {32, 0, true}, {-1, 0, true}, {0.25, 0, true}}
	for _, tt := range tests {
		got, err := Code(tt.db)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Code(%v) = %d, %v, want %d, err %v", tt.db, got, err, tt.want, tt.err)
		}
	}
}

// TestSerialWaveform checks the exact pin sequence for 10.5 dB = code 21
// = 010101: per bit, data then clock high, clock low, C16 first; then LE
// pulsed high and low (see testdata/README.md).
func TestSerialWaveform(t *testing.T) {
	var log []string
	le, clk, data := &tracePin{"LE", &log}, &tracePin{"CLK", &log}, &tracePin{"DATA", &log}
	d, err := NewSerial(le, clk, data)
	if err != nil {
		t.Fatal(err)
	}
	log = nil
	if err := d.Set(10.5); err != nil {
		t.Fatalf("Set(10.5) = %v", err)
	}
	var want []string
	for _, b := range "010101" {
		want = append(want, "DATA="+string(b), "CLK=1", "CLK=0")
	}
	want = append(want, "LE=1", "LE=0")
	if got := strings.Join(log, " "); got != strings.Join(want, " ") {
		t.Errorf("Set(10.5) pins = %s, want %s", got, strings.Join(want, " "))
	}
	if d.Attenuation() != 10.5 {
		t.Errorf("Attenuation() = %v, want 10.5", d.Attenuation())
	}
}

func TestParallel(t *testing.T) {
	var log []string
	var pins [6]gpio.PinOut
	for i := range pins {
		pins[i] = &tracePin{fmt.Sprintf("D%d", i), &log}
	}
	le := &tracePin{"LE", &log}
	d, err := NewParallel(le, pins)
	if err != nil {
		t.Fatal(err)
	}
	// Power-up programmes 31.5 dB.
	if d.Attenuation() != 31.5 {
		t.Errorf("NewParallel() attenuation = %v, want 31.5 (safe)", d.Attenuation())
	}
	log = nil
	if err := d.Set(20); err != nil { // code 40 = 101000
		t.Fatal(err)
	}
	want := "D0=0 D1=0 D2=0 D3=1 D4=0 D5=1 LE=1 LE=0"
	if got := strings.Join(log, " "); got != want {
		t.Errorf("Set(20) pins = %s, want %s", got, want)
	}
	if err := d.Halt(); err != nil || d.Attenuation() != MaxDB {
		t.Errorf("Halt() = %v, attenuation %v, want 31.5", err, d.Attenuation())
	}
}
