package lms7002m

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lms7002m/lmstest"
)

// The port selections' register bits, from the datasheet's register map
// (0x0103 SEL_BAND1_TRF[11] SEL_BAND2_TRF[10]; 0x010C PD_LNA_RFE[7]
// PD_RLOOPB_1[6] PD_RLOOPB_2[5]; 0x010D SEL_PATH_RFE[8:7] EN_INSHSW_LB1[4]
// LB2[3] L[2] W[1]), and Paths reads them back.
func TestSelectPaths(t *testing.T) {
	chip := lmstest.New(ref, ChipID)
	d, err := New(chip, &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		band      TXBand
		path      RXPath
		trf       uint16 // 0x0103 & 0x0C00
		rfe, rsel uint16 // 0x010C & 0x00E0, 0x010D & 0x019E
	}{
		{TXBand1, RXLNAH, 1 << 11, 1<<6 | 1<<5, 1<<7 | 1<<4 | 1<<3 | 1<<2 | 1<<1},
		{TXBand2, RXLNAL, 1 << 10, 1<<6 | 1<<5, 2<<7 | 1<<4 | 1<<3 | 1<<1},
		{TXBand2, RXLNAW, 1 << 10, 1<<6 | 1<<5, 3<<7 | 1<<4 | 1<<3 | 1<<2},
	} {
		if err := d.SelectTXBand(tt.band); err != nil {
			t.Fatal(err)
		}
		if err := d.SelectRXPath(tt.path); err != nil {
			t.Fatal(err)
		}
		if g := chip.Reg(RegTRFBand) & 0x0C00; g != tt.trf {
			t.Errorf("%v: 0x0103 band bits 0x%04x, want 0x%04x", tt.band, g, tt.trf)
		}
		if g := chip.Reg(RegRFE) & 0x00E0; g != tt.rfe {
			t.Errorf("%v: 0x010C 0x%04x, want 0x%04x", tt.path, g, tt.rfe)
		}
		if g := chip.Reg(RegRFEPath) & 0x019E; g != tt.rsel {
			t.Errorf("%v: 0x010D 0x%04x, want 0x%04x", tt.path, g, tt.rsel)
		}
		b, p, err := d.Paths()
		if err != nil || b != tt.band || p != tt.path {
			t.Errorf("Paths() = %v, %v, %v; want %v, %v", b, p, err, tt.band, tt.path)
		}
	}
	if err := d.SelectTXBand(3); !errors.Is(err, ErrRange) {
		t.Errorf("SelectTXBand(3) = %v, want ErrRange", err)
	}
	if err := d.SelectRXPath(RXPathNone); !errors.Is(err, ErrRange) {
		t.Errorf("SelectRXPath(none) = %v, want ErrRange", err)
	}
}

// Tune calls the router before tuning, except while the TX loopback
// owns the RX path; the loopback still follows SEL_BAND2_TRF and
// Restore leaves the selected paths as they were.
func TestRouterAndLoopback(t *testing.T) {
	chip := lmstest.New(ref, ChipID)
	d, err := New(chip, &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	var calls []Direction
	d.SetRouter(func(dir Direction, f physic.Frequency) error {
		calls = append(calls, dir)
		if dir == TX {
			return d.SelectTXBand(TXBand2)
		}
		return d.SelectRXPath(RXLNAW)
	})
	if _, err := d.Tune(TX, 947*physic.MegaHertz); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tune(RX, 902*physic.MegaHertz); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[0] != TX || calls[1] != RX {
		t.Fatalf("router calls %v, want [TX RX]", calls)
	}
	st, err := d.TXLoopback(DefaultTXLoopback)
	if err != nil {
		t.Fatal(err)
	}
	if st.Path != 2 {
		t.Errorf("loopback path %d with band 2 selected, want 2", st.Path)
	}
	if _, err := d.Tune(RX, 947*physic.MegaHertz); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Errorf("router called during the loopback: %v", calls)
	}
	if p := RXPath(chip.Reg(RegRFEPath) >> 7 & 3); p != RXLNAL {
		t.Errorf("during loopback 2 SEL_PATH_RFE = %v, want LNAL", p)
	}
	if err := st.Restore(); err != nil {
		t.Fatal(err)
	}
	if b, p, _ := d.Paths(); b != TXBand2 || p != RXLNAW {
		t.Errorf("after Restore paths %v %v, want BAND2 LNAW", b, p)
	}
	if _, err := d.Tune(RX, 902*physic.MegaHertz); err != nil || len(calls) != 3 {
		t.Errorf("after Restore Tune = %v, router calls %d, want 3", err, len(calls))
	}
	want := errors.New("no route")
	d.SetRouter(func(Direction, physic.Frequency) error { return want })
	if _, err := d.Tune(RX, 902*physic.MegaHertz); !errors.Is(err, want) {
		t.Errorf("Tune with a failing router = %v", err)
	}
}
