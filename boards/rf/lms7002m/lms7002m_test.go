package lms7002m

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi/spitest"

	"github.com/gsmbox/gsmbox/boards/rf/lms7002m/lmstest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

const ref = 30720 * physic.KiloHertz

func noSleep(time.Duration) {}

// TestNewPlayback checks New's exact SPI bytes (derivation in
// testdata/README.md).
func TestNewPlayback(t *testing.T) {
	p := &spitest.Playback{Playback: conntest.Playback{DontPanic: true, Ops: []conntest.IO{
		{W: []byte{0x00, 0x2F, 0x00, 0x00}, R: []byte{0x00, 0x00, 0x38, 0x41}}, // chip ID
		{W: []byte{0x80, 0x20, 0x00, 0x00}},                                    // resets asserted
		{W: []byte{0x80, 0x20, 0xFF, 0xFD}},                                    // released, MAC = 01
		{W: []byte{0x01, 0x00, 0x00, 0x00}, R: []byte{0x00, 0x00, 0x00, 0x01}}, // read TRF 0x0100
		{W: []byte{0x81, 0x00, 0x00, 0x03}},                                    // PD_TXPAD = 1
		{W: []byte{0x01, 0x00, 0x00, 0x00}, R: []byte{0x00, 0x00, 0x00, 0x03}},
		{W: []byte{0x81, 0x00, 0x00, 0x02}}, // EN_G_TRF = 0
	}}}
	d, err := New(p, &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if d.Version() != (ChipVersion{Ver: 7, Rev: 1, Mask: 1}) {
		t.Errorf("Version() = %+v, want 7/1/1", d.Version())
	}
	if err := p.Close(); err != nil {
		t.Error(err)
	}
}

func TestNewWrongChip(t *testing.T) {
	p := &spitest.Playback{Playback: conntest.Playback{DontPanic: true, Ops: []conntest.IO{
		{W: []byte{0x00, 0x2F, 0x00, 0x00}, R: []byte{0x00, 0x00, 0xFF, 0xFF}},
	}}}
	_, err := New(p, &Opts{RefClock: ref, Sleep: noSleep})
	if !errors.Is(err, ErrChipID) || !strings.Contains(err.Error(), "chip ID 0xffff") || !strings.Contains(err.Error(), "want 0x3841") {
		t.Errorf("New() on 0xFFFF = %v, want ErrChipID naming both IDs", err)
	}
}

func TestComputeSXKnown(t *testing.T) {
	tests := []struct {
		f    physic.Frequency
		want SXConfig
	}{
		// 947.4 MHz × 8 = 7579.2 MHz (VCOH, > 5.5 GHz so EN_DIV2):
		// N = 7579.2 / 61.44 = 123.359375 → INT_SDM 119, FRAC 0.359375 × 2^20 = 376832.
		{947400 * physic.KiloHertz, SXConfig{DivLOCH: 2, SelVCO: 2, EnDiv2: true, Int: 119, Frac: 376832}},
		// 902.4 MHz × 8 = 7219.2 MHz: N = 117.5 → 113, 524288.
		{902400 * physic.KiloHertz, SXConfig{DivLOCH: 2, SelVCO: 2, EnDiv2: true, Int: 113, Frac: 524288}},
		// 1930.2 MHz × 2 = 3860.4 MHz (VCOL only): N = 3860.4/30.72 = 125.66406… → 121,
		// frac 0.6640625 × 2^20 = 696320.
		{1930200 * physic.KiloHertz, SXConfig{DivLOCH: 0, SelVCO: 0, EnDiv2: false, Int: 121, Frac: 696320}},
	}
	for _, tt := range tests {
		c, err := ComputeSX(ref, tt.f)
		if err != nil {
			t.Fatalf("ComputeSX(%v) = %v", tt.f, err)
		}
		got := SXConfig{DivLOCH: c.DivLOCH, SelVCO: c.SelVCO, EnDiv2: c.EnDiv2, Int: c.Int, Frac: c.Frac}
		if got != tt.want {
			t.Errorf("ComputeSX(%v) = %+v, want %+v", tt.f, got, tt.want)
		}
		if c.ErrorHz() != 0 {
			t.Errorf("ComputeSX(%v).ErrorHz() = %g, want 0", tt.f, c.ErrorHz())
		}
	}
}

// TestComputeSXEveryARFCN tunes every carrier of every band in both
// directions and reports the worst LO error (20-bit fraction rounding).
func TestComputeSXEveryARFCN(t *testing.T) {
	for _, b := range []tdma.Band{tdma.GSM850, tdma.GSM900, tdma.RGSM900, tdma.DCS1800, tdma.PCS1900} {
		for _, dl := range []bool{false, true} {
			worst := 0.0
			for _, n := range b.Channels() {
				hz, _ := b.UplinkHz(n)
				if dl {
					hz, _ = b.DownlinkHz(n)
				}
				c, err := ComputeSX(ref, physic.Frequency(hz)*physic.Hertz)
				if err != nil {
					t.Fatalf("ComputeSX(%v ARFCN %d) = %v", b, n, err)
				}
				v := sxVCOs[c.SelVCO]
				if c.VCOHz < v.lo || c.VCOHz > v.hi {
					t.Errorf("ComputeSX(%v ARFCN %d): VCO %.0f outside %s", b, n, c.VCOHz, v.name)
				}
				if e := c.ErrorHz(); math.Abs(e) > math.Abs(worst) {
					worst = e
				}
			}
			// Half a fraction step at the LO: fREF×2/2^20/2/2^(div+1) ≤ 15 Hz.
			if math.Abs(worst) > 15 {
				t.Errorf("ComputeSX over %v dl=%v: max error %.2f Hz, want ≤ 15", b, dl, worst)
			}
			t.Logf("%v dl=%v: max LO error %.3f Hz", b, dl, worst)
		}
	}
}

func TestComputeCGEN(t *testing.T) {
	// 104 MHz = 96 × 1.0833 MHz: largest even divider with VCO ≤ 2.7 GHz
	// is 24 → VCO 2496 MHz, N = 81.25 → INT 80, FRAC 262144, DIV_OUTCH 11.
	c, err := ComputeCGEN(ref, 104*physic.MegaHertz)
	if err != nil {
		t.Fatal(err)
	}
	if c.DivOutCH != 11 || c.Int != 80 || c.Frac != 262144 || c.OutHz() != 104e6 {
		t.Errorf("ComputeCGEN(104 MHz) = %+v (%.0f Hz), want DIV_OUTCH 11, INT 80, FRAC 262144", c, c.OutHz())
	}
	if _, err := ComputeCGEN(ref, 3*physic.GigaHertz); !errors.Is(err, ErrRange) {
		t.Errorf("ComputeCGEN(3 GHz) = %v, want ErrRange", err)
	}
}

func TestBringUpOnFakeChip(t *testing.T) {
	chip := lmstest.New(ref, ChipID)
	d, err := New(chip, &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if _, err := d.SetSampleClock(104 * physic.MegaHertz); err != nil {
		t.Fatalf("SetSampleClock() = %v", err)
	}
	if _, err := d.Tune(TX, 947400*physic.KiloHertz); err != nil {
		t.Fatalf("Tune(TX) = %v", err)
	}
	if _, err := d.Tune(RX, 902400*physic.KiloHertz); err != nil {
		t.Fatalf("Tune(RX) = %v", err)
	}
	for _, dir := range []Direction{TX, RX} {
		if ok, err := d.Locked(dir); err != nil || !ok {
			t.Errorf("Locked(%v) = %v, %v, want true", dir, ok, err)
		}
	}
	if err := d.RXGain(15, 3, 12); err != nil {
		t.Fatal(err)
	}
	if err := d.TXPadLoss(4); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.NarrowFilters(); err != nil {
		t.Fatal(err)
	}
	if err := d.TXEnable(true); err != nil {
		t.Fatal(err)
	}
	sxt := func(a uint16) uint16 { return chip.SX(int(TX), a) }
	sxr := func(a uint16) uint16 { return chip.SX(int(RX), a) }
	checks := []struct {
		name      string
		got, want uint16
	}{
		{"SXT FRAC_SDM[15:0]", sxt(RegSXFrac), 0xC000},
		{"SXT INT_SDM:FRAC[19:16]", sxt(RegSXInt), 0x0775},
		{"SXT DIV_LOCH", sxt(RegSXDiv) >> 6 & 7, 2},
		{"SXT SEL_VCO", sxt(RegSXVCO) >> 1 & 3, 2},
		{"SXT control (EN_DIV2, no SPDUP)", sxt(RegSX), sxResetN | sxEnDiv2 | sxEnSDMClk | sxEnG},
		{"SXT EN_DIR_SXX", sxt(RegSXDir) >> 4 & 1, 1},
		{"SXR FRAC_SDM[15:0]", sxr(RegSXFrac), 0x0000},
		{"SXR INT_SDM:FRAC[19:16]", sxr(RegSXInt), 0x0718},
		{"CGEN FRAC", chip.Reg(RegCGENFrac), 0x0000},
		{"CGEN INT:FRAC[19:16]", chip.Reg(RegCGENInt), 80<<4 | 4},
		{"CGEN DIV_OUTCH", chip.Reg(RegCGENDiv) >> 3 & 0xff, 11},
		{"G_LNA/G_TIA", chip.Reg(RegRFEGain), 15<<6 | 3},
		{"G_PGA", chip.Reg(RegRBBPGA), 12},
		{"TXPAD losses", chip.Reg(RegTXPAD), 4<<6 | 4<<1},
		{"TRF on", chip.Reg(RegTRF) & 3, 1},
		{"RBB LPFL on, LPFH off", chip.Reg(RegRBB) >> 2 & 3, 2},
		{"TBB ladder", chip.Reg(RegTBB) >> 1 & 0xf, 8},
		{"RCAL_LPFLAD", chip.Reg(RegTBBRCal) & 0xff, 6},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = 0x%04x, want 0x%04x", c.name, c.got, c.want)
		}
	}
	// The chosen CSW sits inside the model's window.
	csw := int(sxt(RegSXVCO) >> 3 & 0xff)
	if c := chip.SXCenter(int(TX)); csw < c-chip.Window || csw > c+chip.Window {
		t.Errorf("SXT CSW %d outside window %d±%d", csw, c, chip.Window)
	}
	if err := d.Halt(); err != nil || chip.Reg(RegTRF)&3 != 2 {
		t.Errorf("Halt() = %v, TRF 0x%04x, want TX pad powered down (0b10)", err, chip.Reg(RegTRF))
	}
}

func TestVCOFailure(t *testing.T) {
	chip := lmstest.New(ref, ChipID)
	chip.Window = -1 // empty window: no code satisfies the comparators
	d, err := New(chip, &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tune(TX, 947400*physic.KiloHertz); !errors.Is(err, ErrVCO) {
		t.Errorf("Tune() with no comparator window = %v, want ErrVCO", err)
	}
}

func TestRangeChecks(t *testing.T) {
	d, err := New(lmstest.New(ref, ChipID), &Opts{RefClock: ref, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.RXGain(0, 3, 0); !errors.Is(err, ErrRange) {
		t.Errorf("RXGain(LNA 0) = %v, want ErrRange", err)
	}
	if err := d.TXPadLoss(32); !errors.Is(err, ErrRange) {
		t.Errorf("TXPadLoss(32) = %v, want ErrRange", err)
	}
	if _, err := d.Tune(TX, 10*physic.GigaHertz); !errors.Is(err, ErrRange) {
		t.Errorf("Tune(10 GHz) = %v, want ErrRange", err)
	}
}

func FuzzDecodeReadBack(f *testing.F) {
	f.Add([]byte{0, 0, 0x38, 0x41})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeReadBack(b)
		if err != nil {
			return
		}
		cv := DecodeChipID(v)
		if cv.Ver > 31 || cv.Rev > 31 || cv.Mask > 63 {
			t.Fatalf("DecodeChipID(0x%04x) = %+v out of field range", v, cv)
		}
		if back := uint16(cv.Ver)<<11 | uint16(cv.Rev)<<6 | uint16(cv.Mask); back != v {
			t.Fatalf("DecodeChipID(0x%04x) does not re-encode: 0x%04x", v, back)
		}
	})
}

func BenchmarkComputeSX(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ComputeSX(ref, 947400*physic.KiloHertz); err != nil {
			b.Fatal(err)
		}
	}
}
