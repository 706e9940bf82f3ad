package limetest

import (
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
)

func energy(b []complex64) float64 {
	var e float64
	for _, v := range b {
		e += float64(real(v)*real(v) + imag(v)*imag(v))
	}
	return e
}

// The LimeSDR Mini model hears a 947.1 MHz carrier only on LNAW with the
// FPGA switch on LNAW (0x17[9:8] = 2), and sends only from TX1_2 with
// the switch on it (0x17[13:12] = 2); any other combination is silent.
func TestMiniHearsOnlyThroughWiredPorts(t *testing.T) {
	f := New(Config{Carriers: []Carrier{{Hz: 947.1e6, DBFS: -20}}})
	d, err := lms7002m.New(f.Chip, &lms7002m.Opts{RefClock: 30720 * physic.KiloHertz, Sleep: func(time.Duration) {}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tune(lms7002m.RX, 947*physic.MegaHertz); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tune(lms7002m.TX, 947*physic.MegaHertz); err != nil {
		t.Fatal(err)
	}
	buf := make([]complex64, 1024)
	for _, tt := range []struct {
		path  lms7002m.RXPath
		sw    uint16
		heard bool
	}{
		{lms7002m.RXLNAW, 0x0200, true},
		{lms7002m.RXLNAH, 0x0200, false},
		{lms7002m.RXLNAW, 0x0100, false},
		{lms7002m.RXLNAL, 0x0200, false},
		{lms7002m.RXLNAH, 0x0100, false}, // wired, but LNAH is the >1.7 GHz port
	} {
		if err := d.SelectRXPath(tt.path); err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		f.fpga[fpgaRFSW] = tt.sw
		f.mu.Unlock()
		if err := f.fill(buf, 0); err != nil {
			t.Fatal(err)
		}
		if e := energy(buf); (e > 0) != tt.heard {
			t.Errorf("%v, switch 0x%04x: energy %g, heard want %v", tt.path, tt.sw, e, tt.heard)
		}
	}
	for _, tt := range []struct {
		band lms7002m.TXBand
		sw   uint16
		out  bool
	}{
		{lms7002m.TXBand2, 0x2000, true},
		{lms7002m.TXBand1, 0x2000, false},
		{lms7002m.TXBand2, 0x1000, false},
		{lms7002m.TXBand1, 0x1000, false}, // TX1_1 is the ≥2 GHz port
	} {
		if err := d.SelectTXBand(tt.band); err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		f.fpga[fpgaRFSW] = tt.sw
		got := f.txRouted()
		f.mu.Unlock()
		if got != tt.out {
			t.Errorf("%v, switch 0x%04x: TX routed %v, want %v", tt.band, tt.sw, got, tt.out)
		}
	}
}
