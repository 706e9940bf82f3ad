package rx

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func mustDemod(t testing.TB, cfg Config) *Demodulator {
	t.Helper()
	d, err := NewDemodulator(cfg)
	if err != nil {
		t.Fatalf("NewDemodulator(%+v): %v", cfg, err)
	}
	return d
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		good bool
	}{
		{"zero", Config{}, true},
		{"sps2", Config{Config: gmsk.Config{SPS: 2}}, true},
		{"sps8", Config{Config: gmsk.Config{SPS: 8}}, true},
		{"in4", Config{Config: gmsk.Config{SPS: 2}, InputSPS: 4}, true},
		{"in8", Config{Config: gmsk.Config{SPS: 4}, InputSPS: 8}, true},
		{"in3", Config{Config: gmsk.Config{SPS: 2}, InputSPS: 3}, false},
		{"in2", Config{InputSPS: 2}, false},
		{"sps-neg", Config{Config: gmsk.Config{SPS: -1}}, false},
		{"sps-big", Config{Config: gmsk.Config{SPS: 17}}, false},
		{"bt", Config{Config: gmsk.Config{BT: 0.1}}, false},
		{"bt-nan", Config{Config: gmsk.Config{BT: math.NaN()}}, false},
		{"start", Config{BurstStart: -3}, false},
		{"search", Config{Search: 100}, false},
		{"thresh", Config{AccessThreshold: 1.5}, false},
		{"thresh-n", Config{NormalThreshold: -0.5}, false},
		{"rssi-inf", Config{RSSIOffset: math.Inf(1)}, false},
		{"soft", Config{SoftScale: -1}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate()
			if (err == nil) != c.good {
				t.Errorf("Config%+v.Validate() = %v, want ok=%v", c.cfg, err, c.good)
			}
			if _, err2 := NewDemodulator(c.cfg); (err2 == nil) != c.good {
				t.Errorf("NewDemodulator(%+v) error = %v, want ok=%v", c.cfg, err2, c.good)
			}
		})
	}
}

// TestLaurentC0 checks the matched filter's pulse against dsp/gmsk's
// modulator, which is written from the phase-pulse definition and shares no
// code with it: a linear modulation of b(k) = 1 − 2d(k) by C0, rotated by
// j^(k+1), must be within 1 % of the energy of the real GMSK signal
// (Laurent's approximation is better than 99 % for BT = 0.3).
func TestLaurentC0(t *testing.T) {
	const sps = 8
	mod := gmsk.NewModulator(gmsk.Config{SPS: sps})
	r := rand.New(rand.NewPCG(5, 6))
	bits := make([]byte, 200)
	for i := range bits {
		bits[i] = byte(r.IntN(2))
	}
	x := make([]complex64, len(bits)*sps)
	mod.ModulateBits(x, bits)
	// ModulateBits: bit k's frequency pulse is centred on (k+½)T; Laurent's
	// C0 for symbol k peaks at (k+1)T.
	var num, den float64
	var c complex128
	lin := make([]complex128, len(x))
	for k, bit := range bits {
		b := float64(1 - 2*int(bit))
		rot := []complex128{1, 1i, -1, -1i}[(k+1)&3]
		for n := range lin {
			tt := float64(n)/sps - float64(k+1) + float64(pulseSymbols+1)/2
			if v := laurentC0(0.3, tt); v != 0 {
				lin[n] += complex(b*v, 0) * rot
			}
		}
	}
	// Compare in the middle, with the best constant phase.
	for n := 20 * sps; n < 180*sps; n++ {
		c += complex128(x[n]) * complex(real(lin[n]), -imag(lin[n]))
	}
	ph := c / complex(math.Hypot(real(c), imag(c)), 0)
	for n := 20 * sps; n < 180*sps; n++ {
		diff := complex128(x[n]) - lin[n]*ph
		num += real(diff)*real(diff) + imag(diff)*imag(diff)
		den += float64(real(x[n])*real(x[n]) + imag(x[n])*imag(x[n]))
	}
	if rel := num / den; rel > 0.01 {
		t.Errorf("Laurent C0 approximation error = %.4f of the energy, want < 0.01", rel)
	} else {
		t.Logf("Laurent C0 approximation error: %.2f dB", 10*math.Log10(rel))
	}
	if got := laurentC0(0.3, 2.5-0.7) - laurentC0(0.3, 2.5+0.7); math.Abs(got) > 1e-12 {
		t.Errorf("C0 symmetry: C0(1.8) − C0(3.2) = %g, want 0", got)
	}
}

// TestNormalClean: every training sequence, fractional delays over the
// search range, no noise: every bit right, ToA within 0.1 symbol.
func TestNormalClean(t *testing.T) {
	for _, sps := range []int{1, 2, 4, 8} {
		d := mustDemod(t, Config{Config: gmsk.Config{SPS: sps}})
		a := newAir(sps, (tdma.QuarterSymbolsPerSlot*sps)/4+8*sps)
		r := rand.New(rand.NewPCG(1, uint64(sps)))
		for tsc := uint8(0); tsc < 8; tsc++ {
			for _, delay := range []float64{0, 0.3, 1.25, 2.5, 3.7} {
				if sps == 1 && delay > 3.5 {
					continue // the peak sits on the search edge: no interpolation
				}
				b, _ := randomNormal(r, tsc)
				x := a.send(t, &b, tdma.KindNormal, channel.Config{Delay: delay * float64(sps), PathLoss: 6})
				var soft tdma.SoftBurst
				m, ok := d.Normal(&soft, x, tsc)
				if !ok {
					t.Errorf("sps %d tsc %d delay %g: Normal() not detected (%+v)", sps, tsc, delay, m)
					continue
				}
				if n := bitErrors(&soft, &b, 0, tdma.BurstBits); n != 0 {
					t.Errorf("sps %d tsc %d delay %g: Normal() bit errors = %d, want 0", sps, tsc, delay, n)
				}
				if e := math.Abs(float64(m.ToA) - delay); e > 0.1 {
					t.Errorf("sps %d tsc %d: Normal() ToA = %.3f, want %.3f", sps, tsc, m.ToA, delay)
				}
				if math.Abs(float64(m.RSSI)+6) > 0.3 {
					t.Errorf("sps %d tsc %d: Normal() RSSI = %.2f, want -6", sps, tsc, m.RSSI)
				}
				if m.CI < 20 {
					t.Errorf("sps %d tsc %d: Normal() C/I = %.1f dB on a clean burst, want ≥ 20", sps, tsc, m.CI)
				}
			}
		}
	}
}

// TestTSCIdentification: a clean burst correlates best with its own
// training sequence. (Detection alone does not reject another TSC: the
// eight sequences are designed for autocorrelation, and with a ±4 symbol
// search a different TSC often reaches a normalised correlation of 0.5.)
func TestTSCIdentification(t *testing.T) {
	d := mustDemod(t, Config{})
	a := newAir(4, slotLen4+32)
	r := rand.New(rand.NewPCG(3, 3))
	for trial := 0; trial < 5; trial++ {
		for tsc := uint8(0); tsc < 8; tsc++ {
			b, _ := randomNormal(r, tsc)
			x := a.send(t, &b, tdma.KindNormal, channel.Config{AWGN: true, EbN0: 20, Seed: uint64(trial)})
			var soft tdma.SoftBurst
			best, bestCorr := -1, float32(0)
			for other := uint8(0); other < 8; other++ {
				m, _ := d.Normal(&soft, x, other)
				if m.Corr > bestCorr {
					best, bestCorr = int(other), m.Corr
				}
			}
			if best != int(tsc) {
				t.Errorf("burst with TSC %d: best correlation with TSC %d (%.2f), want %d", tsc, best, bestCorr, tsc)
			}
		}
	}
}

func TestRSSIAndCI(t *testing.T) {
	d := mustDemod(t, Config{RSSIOffset: -40})
	a := newAir(4, slotLen4+32)
	r := rand.New(rand.NewPCG(7, 7))
	for _, c := range []struct{ loss, ebn0 float64 }{{0, 6}, {20, 10}, {35, 15}, {10, 20}} {
		var ci, rssi float64
		const n = 40
		for i := 0; i < n; i++ {
			b, _ := randomNormal(r, 5)
			x := a.send(t, &b, tdma.KindNormal, channel.Config{PathLoss: c.loss, AWGN: true, EbN0: c.ebn0, Seed: uint64(i)})
			var soft tdma.SoftBurst
			m, ok := d.Normal(&soft, x, 5)
			if !ok {
				t.Fatalf("loss %g Eb/N0 %g: Normal() not detected", c.loss, c.ebn0)
			}
			ci += float64(m.CI) / n
			rssi += float64(m.RSSI) / n
		}
		// Signal plus noise in 4 samples per symbol: 1 + 4/(Eb/N0).
		wantRSSI := -40 - c.loss + 10*math.Log10(1+4/math.Pow(10, c.ebn0/10))
		if math.Abs(rssi-wantRSSI) > 0.5 {
			t.Errorf("loss %g Eb/N0 %g: mean RSSI = %.2f dBm, want %.2f", c.loss, c.ebn0, rssi, wantRSSI)
		}
		// The C/I is referred to Es/N0 and tracks it up to the model's own
		// floor (Laurent's approximation leaves about −24 dB).
		want := -10 * math.Log10(math.Pow(10, -c.ebn0/10)+math.Pow(10, -24.0/10))
		if math.Abs(ci-want) > 2 {
			t.Errorf("loss %g Eb/N0 %g: mean C/I = %.1f dB, want %.1f ± 2", c.loss, c.ebn0, ci, want)
		}
		t.Logf("Eb/N0 %4.1f dB: RSSI %.2f dBm (want %.2f), C/I %.1f dB", c.ebn0, rssi, wantRSSI, ci)
	}
}

func TestFreqOffset(t *testing.T) {
	d := mustDemod(t, Config{})
	a := newAir(4, slotLen4+32)
	r := rand.New(rand.NewPCG(8, 8))
	for _, fo := range []float64{-1000, -700, -300, 0, 150, 600, 1000} {
		var mean float64
		errs := 0
		const n = 20
		for i := 0; i < n; i++ {
			b, _ := randomNormal(r, 1)
			x := a.send(t, &b, tdma.KindNormal, channel.Config{FreqOffset: fo, AWGN: true, EbN0: 12, Seed: uint64(i)})
			var soft tdma.SoftBurst
			m, ok := d.Normal(&soft, x, 1)
			if !ok {
				t.Fatalf("offset %g: Normal() not detected", fo)
			}
			mean += float64(m.FreqOffset) / n
			errs += bitErrors(&soft, &b, 0, tdma.BurstBits)
		}
		if math.Abs(mean-fo) > 40 {
			t.Errorf("offset %g Hz: mean FreqOffset = %.1f Hz, want within 40 Hz", fo, mean)
		}
		if ber := float64(errs) / (n * 116); ber > 0.005 {
			t.Errorf("offset %g Hz at Eb/N0 12 dB: BER = %.4f, want < 0.005", fo, ber)
		}
		t.Logf("offset %5.0f Hz: estimate %7.1f Hz, BER %.4f", fo, mean, float64(errs)/(n*116))
	}
}

// TestSCH: synchronisation bursts through noise, decoded by gsm/coding.
func TestSCH(t *testing.T) {
	d := mustDemod(t, Config{})
	a := newAir(4, slotLen4+32)
	r := rand.New(rand.NewPCG(9, 9))
	bad := 0
	const n = 50
	for i := 0; i < n; i++ {
		var info [25]byte
		for k := range info {
			info[k] = byte(r.IntN(2))
		}
		var coded [78]byte
		coding.EncodeSCH(&coded, &info)
		var b tdma.Burst
		tdma.SCH(&b, &coded)
		delay := r.Float64() * 8
		x := a.send(t, &b, tdma.KindSCH, channel.Config{Delay: delay, AWGN: true, EbN0: 5, Seed: uint64(i), FreqOffset: 300})
		var soft tdma.SoftBurst
		m, ok := d.SCH(&soft, x)
		if !ok {
			bad++
			continue
		}
		var s78 [78]int8
		tdma.SCHData(&s78, (*[148]int8)(&soft))
		var got [25]byte
		if _, ok := coding.DecodeSCH(&got, &s78); !ok || got != info {
			bad++
		}
		if e := math.Abs(float64(m.ToA) - delay/4); e > 0.25 {
			t.Errorf("SCH() ToA = %.2f, want %.2f", m.ToA, delay/4)
		}
	}
	if bad > 1 {
		t.Errorf("SCH at Eb/N0 5 dB: %d of %d blocks lost, want ≤ 1", bad, n)
	}
}

// TestEarlyWindow: a caller that hands over samples from before the slot
// (Config.BurstStart moved accordingly) sees early bursts with a negative
// ToA.
func TestEarlyWindow(t *testing.T) {
	const margin = 32 // samples before the slot
	lead := gmsk.NewModulator(gmsk.Config{SPS: 4}).Lead()
	d := mustDemod(t, Config{BurstStart: lead + margin})
	a := newAir(4, slotLen4+margin+16)
	r := rand.New(rand.NewPCG(4, 4))
	for _, early := range []float64{0, 1.5, 3.25} {
		b, _ := randomNormal(r, 6)
		// The burst is sent margin samples into the window, minus early.
		x := a.send(t, &b, tdma.KindNormal, channel.Config{Delay: margin - 4*early})
		var soft tdma.SoftBurst
		m, ok := d.Normal(&soft, x, 6)
		if !ok || bitErrors(&soft, &b, 0, tdma.BurstBits) != 0 {
			t.Errorf("%g symbols early: Normal() ok=%v with %d bit errors", early, ok, bitErrors(&soft, &b, 0, tdma.BurstBits))
		}
		if math.Abs(float64(m.ToA)+early) > 0.1 {
			t.Errorf("%g symbols early: Normal() ToA = %.3f, want %.3f", early, m.ToA, -early)
		}
	}
}
