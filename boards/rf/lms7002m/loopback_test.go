package lms7002m

import (
	"errors"
	"testing"

	"github.com/gsmbox/gsmbox/boards/rf/lms7002m/lmstest"
)

// TXLoopback's register values, field by field from the datasheet's
// register map, for both TX bands; Restore puts every register back.
func TestTXLoopbackRegisters(t *testing.T) {
	for _, tt := range []struct {
		name              string
		band              uint16 // 0x0103
		path              int
		rfe, rfePath, pad uint16 // expected bits under the masks below
	}{
		// Band 1: loopback 1 on LNAW: PD_LNA 1, PD_RLOOPB_1 0, PD_RLOOPB_2 1;
		// SEL_PATH 3, INSHSW_LB1 0, INSHSW_LB2 1, INSHSW_L 1, INSHSW_W 1.
		{"band1", 1 << 11, 1, 1<<7 | 1<<5, 3<<7 | 1<<3 | 1<<2 | 1<<1, 3<<11 | 1},
		// Band 2: loopback 2 on LNAL.
		{"band2", 1 << 10, 2, 1<<7 | 1<<6, 2<<7 | 1<<4 | 1<<2 | 1<<1, 3<<11 | 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			chip := lmstest.New(ref, ChipID)
			d, err := New(chip, &Opts{RefClock: ref, Sleep: noSleep})
			if err != nil {
				t.Fatal(err)
			}
			// Something in each register the loopback must keep or restore.
			for _, w := range []struct{ a, v uint16 }{{RegTRFBand, tt.band}, {RegTXPAD, 4<<6 | 4<<1}, {RegRFE, 0x0040}, {RegRFEPath, 1<<7 | 0x19}, {RegRFEGain, 15<<6 | 3}} {
				if err := d.Write(w.a, w.v); err != nil {
					t.Fatal(err)
				}
			}
			before := map[uint16]uint16{}
			for _, a := range loopbackRegs {
				before[a] = chip.Reg(a)
			}
			st, err := d.TXLoopback(TXLoopbackSettings{Loss: 3, Gain: 8})
			if err != nil {
				t.Fatal(err)
			}
			if st.Path != tt.path {
				t.Errorf("Path = %d, want %d", st.Path, tt.path)
			}
			const rfeMask, pathMask, padMask = 7 << 5, 3<<7 | 0xf<<1, 3<<11 | 1
			checks := []struct {
				name      string
				got, want uint16
			}{
				{"TRF PD_TXPAD/EN_G", chip.Reg(RegTRF) & 3, 0b11},
				{"TXPAD L_LOOPB/EN_LOOPB", chip.Reg(RegTXPAD) & padMask, tt.pad},
				{"TXPAD losses kept", chip.Reg(RegTXPAD) >> 1 & 0x3ff, 4<<5 | 4},
				{"RFE PD_LNA/PD_RLOOPB_1/PD_RLOOPB_2", chip.Reg(RegRFE) & rfeMask, tt.rfe},
				{"RFE SEL_PATH/INSHSW", chip.Reg(RegRFEPath) & pathMask, tt.rfePath},
				{"G_RXLOOPB", chip.Reg(RegRFEGain) >> 2 & 0xf, 8},
				{"G_LNA/G_TIA kept", chip.Reg(RegRFEGain) &^ (0xf << 2), 15<<6 | 3},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = 0x%04x, want 0x%04x", c.name, c.got, c.want)
				}
			}
			if err := st.Restore(); err != nil {
				t.Fatal(err)
			}
			for a, v := range before {
				if chip.Reg(a) != v {
					t.Errorf("register 0x%04x = 0x%04x after Restore, want 0x%04x", a, chip.Reg(a), v)
				}
			}
		})
	}
}

func TestTXLoopbackRefusals(t *testing.T) {
	d, err := New(lmstest.New(ref, ChipID), &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.TXLoopback(TXLoopbackSettings{Loss: 4}); !errors.Is(err, ErrRange) {
		t.Errorf("TXLoopback(loss 4) = %v, want ErrRange", err)
	}
	if err := d.TXEnable(true); err != nil {
		t.Fatal(err)
	}
	if _, err := d.TXLoopback(DefaultTXLoopback); !errors.Is(err, ErrTXOn) {
		t.Errorf("TXLoopback with the pad on = %v, want ErrTXOn", err)
	}
}
