package lms7002m

import (
	"errors"
	"math"
	"testing"

	"github.com/gsmbox/gsmbox/boards/rf/lms7002m/lmstest"
)

func TestPlanStream(t *testing.T) {
	for _, tt := range []struct {
		sps, ratio int
		wantRatio  int
		wantOVR    uint16
		wantCGEN   float64
		wantDiv    uint16
	}{
		{4, 0, 32, 4, 1625e3 / 6 * 4 * 32 * 4, 15},
		{1, 0, 32, 4, 1625e3 / 6 * 32 * 4, 15},
		{4, 8, 8, 2, 1625e3 / 6 * 4 * 8 * 4, 3},
	} {
		p, err := PlanStream(ref, tt.sps, tt.ratio)
		if err != nil {
			t.Fatalf("PlanStream(%d, %d) = %v", tt.sps, tt.ratio, err)
		}
		if p.Ratio != tt.wantRatio || p.HBOVR != tt.wantOVR || math.Abs(p.CGENHz-tt.wantCGEN) > 1e-3 || p.MCLKDiv != tt.wantDiv {
			t.Errorf("PlanStream(%d, %d) = %+v, want ratio %d OVR %d CGEN %.0f DIV %d", tt.sps, tt.ratio, p, tt.wantRatio, tt.wantOVR, tt.wantCGEN, tt.wantDiv)
		}
		if got := p.TSPHz / float64(p.Ratio); math.Abs(got-GSMRate*float64(tt.sps)) > 1e-6 {
			t.Errorf("interface rate = %f, want %f", got, GSMRate*float64(tt.sps))
		}
	}
	if _, err := PlanStream(ref, 3, 0); !errors.Is(err, ErrRange) {
		t.Errorf("PlanStream(3 sps) = %v, want ErrRange", err)
	}
	if _, err := PlanStream(ref, 4, 12); !errors.Is(err, ErrRange) {
		t.Errorf("PlanStream(ratio 12) = %v, want ErrRange", err)
	}
}

// TestConfigureStream checks the LimeLight, HBI/HBD and TSP set-up in the
// register model.
func TestConfigureStream(t *testing.T) {
	c := lmstest.New(ref, ChipID)
	d, err := New(c, &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanStream(ref, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ConfigureStream(p); err != nil {
		t.Fatalf("ConfigureStream = %v", err)
	}
	for _, tt := range []struct {
		addr, mask, want uint16
		what             string
	}{
		{RegLMLCfg, 0x007F, 0x0042, "LimeLight: enabled, port 1 TXIQ, port 2 RXIQ, TRXIQ"},
		{RegLML1Pos, 0xFFFF, 0xE4E4, "LML1 positions"},
		{RegLML2Pos, 0xFFFF, 0xE4E4, "LML2 positions"},
		{RegLMLDiv, 0xFFFF, 0x0F0F, "MCLK dividers 15 (TSP/32)"},
		{RegTXIQCorr, 0x7000, 4 << 12, "HBI_OVR = 4 (×32)"},
		{RegRXIQCorr, 0x7000, 4 << 12, "HBD_OVR = 4 (÷32)"},
		{RegTXTSP, 1, 1, "EN_TXTSP"},
		{RegRXTSP, 1, 1, "EN_RXTSP"},
		{RegTXTSPBypass, 0x01FB, 0x01F0, "TX: correctors in, mixers/FIRs bypassed"},
		{RegRXTSPBypass, 0x00FF, 0x00F8, "RX: correctors in, AGC/mixers/FIRs bypassed"},
		{RegTXGCorrI, 0x07FF, 2047, "TX gain I neutral"},
		{RegCGENClkDiv, 0x1800, 2 << 11, "TSP clock = CGEN/4"},
	} {
		if got := c.Reg(tt.addr) & tt.mask; got != tt.want {
			t.Errorf("%s: reg 0x%04x & 0x%04x = 0x%04x, want 0x%04x", tt.what, tt.addr, tt.mask, got, tt.want)
		}
	}
	// CGEN: fOUT = (INT + 1 + FRAC/2^20) × 30.72 MHz / (2 (DIV_OUTCH + 1)).
	n := float64(c.Reg(RegCGENInt)>>4) + 1 + float64(uint32(c.Reg(RegCGENInt)&0xf)<<16|uint32(c.Reg(RegCGENFrac)))/(1<<20)
	div := float64(2 * (c.Reg(RegCGENDiv)>>3&0xff + 1))
	if out := n * 30.72e6 / div; math.Abs(out-p.CGENHz) > 10 {
		t.Errorf("CGEN = %.0f Hz, want %.0f", out, p.CGENHz)
	}
}

func TestIQAndDCCorrection(t *testing.T) {
	c := lmstest.New(ref, ChipID)
	d, err := New(c, &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetIQCorrection(RX, IQCorrection{GainI: 0.5, GainQ: 1, PhaseRad: -0.01}); err != nil {
		t.Fatal(err)
	}
	if gi, gq, ph := c.Reg(RegRXGCorrI)&0x7ff, c.Reg(RegRXGCorrQ)&0x7ff, c.Reg(RegRXIQCorr)&0xfff; gi != 1024 || gq != 2047 || ph != 0x1000-20 {
		t.Errorf("RX IQ codes = %d, %d, 0x%03x; want 1024, 2047, 0x%03x", gi, gq, ph, 0x1000-20)
	}
	if err := d.SetTXDCCorrection(-3, 5); err != nil {
		t.Fatal(err)
	}
	if v := c.Reg(RegTXDCCorr); v != 0xFD05 {
		t.Errorf("TX DC = 0x%04x, want 0xFD05", v)
	}
	for _, bad := range []IQCorrection{{GainI: 1.2, GainQ: 1}, {GainI: 1, GainQ: 1, PhaseRad: 1}} {
		if err := d.SetIQCorrection(TX, bad); !errors.Is(err, ErrRange) {
			t.Errorf("SetIQCorrection(%+v) = %v, want ErrRange", bad, err)
		}
	}
}
