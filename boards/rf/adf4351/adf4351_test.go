package adf4351

import (
	"errors"
	"math"
	"math/big"
	"testing"
	"time"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi/spitest"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

var opts26 = Opts{RefIn: 26 * physic.MegaHertz, Power: PowerP5}

// Register words derived by hand from the data sheet; see
// testdata/README.md for the field-by-field derivation.
func TestRegistersKnown(t *testing.T) {
	tests := []struct {
		name string
		f    physic.Frequency
		o    Opts
		want [6]uint32
	}{
		{"GSM900 ARFCN 62 DL 947.4 MHz", 947400 * physic.KiloHertz, opts26,
			[6]uint32{0x00488188, 0x08008209, 0x18004E42, 0x000004B3, 0x00AD043C, 0x00580005}},
		{"DCS1800 ARFCN 512 DL 1805.2 MHz", 1805200 * physic.KiloHertz, opts26,
			[6]uint32{0x004501C0, 0x08008209, 0x18004E42, 0x000004B3, 0x009D043C, 0x00580005}},
		{"integer-N 2.6 GHz", 2600 * physic.MegaHertz, opts26,
			[6]uint32{0x00320000, 0x00008011, 0x18004FC2, 0x004004B3, 0x008D043C, 0x00580005}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compute(tt.f, tt.o)
			if err != nil {
				t.Fatalf("Compute(%v) = %v", tt.f, err)
			}
			got := c.Registers()
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Compute(%v).Registers()[R%d] = 0x%08X, want 0x%08X", tt.f, i, got[i], tt.want[i])
				}
			}
			if c.ErrorHz() != 0 {
				t.Errorf("Compute(%v).ErrorHz() = %g, want 0", tt.f, c.ErrorHz())
			}
		})
	}
}

func TestTunePlayback(t *testing.T) {
	// R5, R4, R3, R2, R1, R0 for 947.4 MHz, four bytes each, MSB first.
	words := []uint32{0x00580005, 0x00AD043C, 0x000004B3, 0x18004E42, 0x08008209, 0x00488188}
	var ops []conntest.IO
	for _, w := range words {
		ops = append(ops, conntest.IO{W: []byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w)}})
	}
	// Halt: R4 with RF off and VCO power-down, R2 with power-down.
	ops = append(ops,
		conntest.IO{W: []byte{0x00, 0xAD, 0x0C, 0x1C}},
		conntest.IO{W: []byte{0x18, 0x00, 0x4E, 0x62}},
	)
	p := &spitest.Playback{Playback: conntest.Playback{Ops: ops, DontPanic: true}}
	d, err := New(p, nil, &opts26)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if _, err := d.Tune(947400 * physic.KiloHertz); err != nil {
		t.Fatalf("Tune() = %v", err)
	}
	if err := d.Halt(); err != nil {
		t.Fatalf("Halt() = %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("playback: %v", err)
	}
}

// TestEveryARFCN tunes every carrier of every band, uplink and downlink,
// checks each register set against the part's limits and reads the
// frequency back from the register words, and reports the worst error.
func TestEveryARFCN(t *testing.T) {
	refs := []struct {
		name string
		o    Opts
		ppb  float64 // bound on |error| relative to the carrier
	}{
		{"26MHz", opts26, 0},
		{"10MHz", Opts{RefIn: 10 * physic.MegaHertz}, 0},
		// A reference 4.7 ppm off nominal: the fractions are no longer
		// exact and the error shows the MOD ≤ 4095 approximation. It must
		// still stay inside the 0.05 ppm carrier accuracy of TS 45.010 §5.1.
		{"26.000123MHz", Opts{RefIn: 26000123 * physic.Hertz}, 50},
	}
	bands := []tdma.Band{tdma.GSM850, tdma.GSM900, tdma.RGSM900, tdma.DCS1800, tdma.PCS1900}
	for _, ref := range refs {
		for _, b := range bands {
			for _, dl := range []bool{false, true} {
				dir := "UL"
				if dl {
					dir = "DL"
				}
				t.Run(ref.name+"/"+b.String()+"/"+dir, func(t *testing.T) {
					worst, worstRel := 0.0, 0.0
					for _, n := range b.Channels() {
						hz, _ := b.UplinkHz(n)
						if dl {
							hz, _ = b.DownlinkHz(n)
						}
						f := physic.Frequency(hz) * physic.Hertz
						c, err := Compute(f, ref.o)
						if err != nil {
							t.Fatalf("Compute(ARFCN %d, %v) = %v", n, f, err)
						}
						checkLimits(t, c)
						back, err := Decode(c.Registers(), ref.o.RefIn)
						if err != nil {
							t.Fatalf("Decode(Compute(ARFCN %d)) = %v", n, err)
						}
						if ref.ppb == 0 && !exact(back, f) {
							t.Errorf("Compute(ARFCN %d, %v): PFD×(%d+%d/%d)/2^%d is not exactly the carrier", n, f, back.INT, back.FRAC, back.MOD, back.DivLog2)
						}
						e := back.OutHz() - float64(hz)
						if math.Abs(e) > math.Abs(worst) {
							worst = e
						}
						worstRel = math.Max(worstRel, math.Abs(e)/float64(hz)*1e9)
					}
					if worstRel > ref.ppb+1e-6 {
						t.Errorf("max |error| over %v %s = %.3f Hz (%.2f ppb), want ≤ %.0f ppb", b, dir, worst, worstRel, ref.ppb)
					}
					t.Logf("ref %s %v %s: %d carriers, max error %.4f Hz (%.3f ppb)", ref.name, b, dir, len(b.Channels()), worst, worstRel)
				})
			}
		}
	}
}

// exact checks PFD×(INT·MOD+FRAC) = f×2^div×MOD in integers.
func exact(c Config, f physic.Frequency) bool {
	lhs := new(big.Int).Mul(big.NewInt(int64(c.PFD)), big.NewInt(int64(c.INT)*int64(c.MOD)+int64(c.FRAC)))
	rhs := new(big.Int).Mul(big.NewInt(int64(f)), big.NewInt(int64(c.MOD)<<c.DivLog2))
	return lhs.Cmp(rhs) == 0
}

func checkLimits(t *testing.T, c Config) {
	t.Helper()
	vco := c.VCO()
	if vco < float64(VCOMin/physic.Hertz) || vco > float64(VCOMax/physic.Hertz) {
		t.Errorf("Compute(%v): VCO %.0f Hz outside 2.2..4.4 GHz", c.Want, vco)
	}
	if c.MOD < 2 || c.MOD > 4095 || c.FRAC >= c.MOD {
		t.Errorf("Compute(%v): FRAC/MOD %d/%d invalid", c.Want, c.FRAC, c.MOD)
	}
	want := float64(c.Want) / float64(physic.Hertz) * float64(uint(1)<<c.DivLog2)
	if c.Prescaler89 != (want > 3.6e9) {
		t.Errorf("Compute(%v): prescaler 8/9 = %v at VCO %.0f", c.Want, c.Prescaler89, vco)
	}
	if float64(c.PFD)/float64(c.BandSelDiv) > float64(BandSelectMax) {
		t.Errorf("Compute(%v): band-select clock %v/%d above 125 kHz", c.Want, c.PFD, c.BandSelDiv)
	}
	if c.PFD > PFDMaxFrac {
		t.Errorf("Compute(%v): PFD %v above 32 MHz", c.Want, c.PFD)
	}
}

func TestComputeRange(t *testing.T) {
	for _, f := range []physic.Frequency{0, 34 * physic.MegaHertz, 4401 * physic.MegaHertz} {
		if _, err := Compute(f, opts26); !errors.Is(err, ErrRange) {
			t.Errorf("Compute(%v) = %v, want ErrRange", f, err)
		}
	}
	if _, err := Compute(900*physic.MegaHertz, Opts{}); !errors.Is(err, ErrRange) {
		t.Errorf("Compute without reference = %v, want ErrRange", err)
	}
	// Range edges work.
	for _, f := range []physic.Frequency{OutMin, OutMax, 35 * physic.MegaHertz} {
		if _, err := Compute(f, opts26); err != nil {
			t.Errorf("Compute(%v) = %v, want nil", f, err)
		}
	}
}

func TestBestFraction(t *testing.T) {
	tests := []struct{ num, den, max, p, q int64 }{
		{1, 3, 4095, 1, 3},
		{49, 65, 4095, 49, 65},
		{0, 7, 4095, 0, 1},
		// Expected values from Python's fractions.Fraction.limit_denominator.
		{3141592653, 10000000000, 100, 11, 35},
		{3141592653, 10000000000, 1130, 71, 226},
	}
	for _, tt := range tests {
		p, q := bestFraction(tt.num, tt.den, tt.max)
		if p*tt.q != q*tt.p {
			t.Errorf("bestFraction(%d, %d, %d) = %d/%d, want %d/%d", tt.num, tt.den, tt.max, p, q, tt.p, tt.q)
		}
	}
}

func TestWaitLock(t *testing.T) {
	pin := &gpiotest.Pin{N: "LD", EdgesChan: make(chan gpio.Level, 1)}
	p := &spitest.Playback{Playback: conntest.Playback{DontPanic: true}}
	d, err := New(p, pin, &opts26)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	if d.Locked() {
		t.Fatalf("Locked() = true before any edge")
	}
	// Lock comes while waiting.
	pin.EdgesChan <- gpio.High
	if _, err := d.WaitLock(time.Second); err != nil {
		t.Errorf("WaitLock() = %v, want nil", err)
	}
	if !d.Locked() {
		t.Errorf("Locked() = false after the edge")
	}
	// Unlock and no edge: times out.
	_ = pin.Out(gpio.Low)
	if _, err := d.WaitLock(5 * time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("WaitLock() = %v, want ErrLockTimeout", err)
	}
	d2, _ := New(&spitest.Playback{}, nil, &opts26)
	if _, err := d2.WaitLock(time.Millisecond); !errors.Is(err, ErrNoLockDetect) {
		t.Errorf("WaitLock() without pin = %v, want ErrNoLockDetect", err)
	}
}

func TestDecodeRejects(t *testing.T) {
	good, _ := Compute(947400*physic.KiloHertz, opts26)
	r := good.Registers()
	bad := r
	bad[3] = bad[3]&^7 | 2
	if _, err := Decode(bad, opts26.RefIn); !errors.Is(err, ErrRegister) {
		t.Errorf("Decode(wrong control bits) = %v, want ErrRegister", err)
	}
	bad = r
	bad[1] = bad[1] &^ (0xfff << 3) // MOD 0
	if _, err := Decode(bad, opts26.RefIn); !errors.Is(err, ErrRegister) {
		t.Errorf("Decode(MOD 0) = %v, want ErrRegister", err)
	}
}

func FuzzDecode(f *testing.F) {
	c, _ := Compute(947400*physic.KiloHertz, opts26)
	var b [24]byte
	c.Words(&b)
	f.Add(b[:])
	f.Add(make([]byte, 24))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 24 {
			return
		}
		var r [6]uint32
		for i := 0; i < 6; i++ { // in write order R5..R0
			j := 4 * i
			r[5-i] = uint32(in[j])<<24 | uint32(in[j+1])<<16 | uint32(in[j+2])<<8 | uint32(in[j+3])
		}
		c, err := Decode(r, opts26.RefIn)
		if err != nil {
			return
		}
		// What decodes re-encodes to the same fields.
		c2, err := Decode(c.Registers(), opts26.RefIn)
		if err != nil {
			t.Fatalf("Decode(Registers(Decode(x))) = %v", err)
		}
		if c2.INT != c.INT || c2.FRAC != c.FRAC || c2.MOD != c.MOD || c2.R != c.R || c2.DivLog2 != c.DivLog2 {
			t.Fatalf("round trip changed fields: %+v -> %+v", c, c2)
		}
	})
}

func BenchmarkCompute(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(947400*physic.KiloHertz, opts26); err != nil {
			b.Fatal(err)
		}
	}
}
