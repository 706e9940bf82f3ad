package discipline

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The averaging loop against a simple oscillator (ticks at nominal ×
// (1 + y), y following the DAC) with white timestamp noise of σ: it must
// lock, end within 50 ppb (TS 45.010 §5.1), report a jitter near σ, and
// take about the time its standard-error formula says (3.46·σ/N^1.5).
func TestAveragingLoop(t *testing.T) {
	for _, sigma := range []float64{5e-6, 50e-6} {
		const nominal, slope = 30.72e6, 2000.0 / 65536
		rng := rand.New(rand.NewPCG(9, uint64(sigma*1e9)))
		l, err := New(Config{NominalHz: nominal, PPBPerLSB: slope, DACBits: 16, JitterNs: sigma * 1e9})
		if err != nil {
			t.Fatal(err)
		}
		y := func() float64 { return 0.5e-6 + (float64(l.DAC())-32768)*slope*1.1e-9 }
		var ticks float64
		lock := -1
		for s := 1; s <= 3000; s++ {
			ticks += nominal * (1 + y())
			l.PPS(uint64(ticks + nominal*sigma*rng.NormFloat64()))
			if lock < 0 && l.TXAllowed() {
				lock = s
			}
			if lock >= 0 && math.Abs(y()) > 50e-9 {
				t.Fatalf("σ %v: second %d, after lock at %d: error %.1f ppb", sigma, s, lock, y()*1e9)
			}
		}
		st := l.Status()
		t.Logf("σ %.0f µs: lock at %d s, final error %.1f ppb, measured jitter %.1f µs, %d corrections", sigma*1e6, lock, y()*1e9, st.JitterNs/1e3, st.Corrections)
		if lock < 0 || math.Abs(st.JitterNs/1e3-sigma*1e6) > 0.3*sigma*1e6 {
			t.Errorf("σ %v: lock %d, jitter %.1f µs", sigma, lock, st.JitterNs/1e3)
		}
	}
}

func TestPreset(t *testing.T) {
	l, err := New(Config{NominalHz: 1e6, PPBPerLSB: 1, DACBits: 12, JitterNs: 50e3})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Preset(1234); err != nil || l.DAC() != 1234 {
		t.Errorf("Preset(1234) = %v, DAC %d", err, l.DAC())
	}
	if err := l.Preset(5000); err == nil {
		t.Errorf("Preset(5000) on 12 bits = nil, want an error")
	}
	l.PPS(1000)
	if err := l.Preset(1000); err == nil {
		t.Errorf("Preset after the first PPS = nil, want an error")
	}
}
