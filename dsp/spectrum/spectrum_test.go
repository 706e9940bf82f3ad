package spectrum

import (
	"math"
	"math/cmplx"
	"testing"
)

func TestLimit(t *testing.T) {
	cases := []struct{ f, want float64 }{
		{50e3, 0.5},
		{-100e3, 0.5},
		{150e3, -14.75},
		{200e3, -30},
		{300e3, -42},
		{400e3, -60},
		{500e3, -65},
		{600e3, -70},
		{1000e3, -70},
		{1200e3, -73},
		{1800e3, -75},
		{7000e3, -80},
	}
	for _, c := range cases {
		if got := Limit(ModulationMaskBTS900, c.f); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Limit(modulation, %g) = %v, want %v", c.f, got, c.want)
		}
	}
	if got := Limit(SwitchingMaskBTS, 300e3); !math.IsInf(got, 1) {
		t.Errorf("Limit(switching, 300k) = %v, want +Inf", got)
	}
	if got := Limit(SwitchingMaskBTS, 1000e3); got != -67 {
		t.Errorf("Limit(switching, 1000k) = %v, want -67", got)
	}
}

// The analyser sees a tone at its frequency at 0 dB and rejects it 300 kHz
// away; noise measured in 100 kHz is 5.2 dB above 30 kHz.
func TestAnalyser(t *testing.T) {
	const fs = 1083333.33
	x := make([]complex64, 4000)
	for i := range x {
		x[i] = complex64(cmplx.Exp(complex(0, 2*math.Pi*100e3*float64(i)/fs)))
	}
	gates := []Gate{{500, 3500}}
	got := Modulation(x, fs, gates, []float64{100e3, 400e3})
	if got[1]-got[0] > -100 {
		t.Errorf("tone at 100 kHz seen at 400 kHz: %.1f dB below, want > 100", got[0]-got[1])
	}
	a := newAnalyser(100e3, 30e3, fs)
	if p := a.power(x, 2000); math.Abs(10*math.Log10(p)) > 0.01 {
		t.Errorf("tone power through its filter = %.3f dB, want 0", 10*math.Log10(p))
	}
	// Half power at rbw/2 off.
	b := newAnalyser(115e3, 30e3, fs)
	if p := 10 * math.Log10(b.power(x, 2000)); math.Abs(p+3.01) > 0.05 {
		t.Errorf("tone 15 kHz off a 30 kHz filter = %.2f dB, want −3.01", p)
	}
}

// The transmit chain's output meets the modulation and switching masks of
// TS 45.005 §4.2.1 and §4.2.2, at 4 samples per symbol (offsets up to the
// 541 kHz Nyquist limit) and at 16 (up to 1.8 MHz).
func TestTransmitterMasks(t *testing.T) {
	cases := []struct {
		sps, frames int
		mod, sw     []float64
	}{
		{4, 30, []float64{0, 100e3, 200e3, 250e3, 300e3, 400e3, 500e3}, []float64{400e3}},
		{16, 4, []float64{200e3, 250e3, 400e3, 600e3, 800e3, 1200e3, 1800e3}, []float64{400e3, 600e3, 1200e3, 1800e3}},
	}
	for _, c := range cases {
		s, err := Generate(c.sps, c.frames, 1)
		if err != nil {
			t.Fatal(err)
		}
		var offs []float64
		for _, f := range c.mod {
			offs = append(offs, f)
			if f != 0 {
				offs = append(offs, -f)
			}
		}
		m := Modulation(s.X, s.Rate, s.Gates, offs)
		for i, f := range offs {
			t.Logf("sps %d modulation %+8.0f Hz: %7.2f dB (mask %6.1f)", c.sps, f, m[i], Limit(ModulationMaskBTS900, f))
		}
		for _, v := range Check(ModulationMaskBTS900, offs, m) {
			t.Errorf("sps %d: modulation spectrum at %+.0f Hz = %.2f dB, mask %.1f", c.sps, v.Offset, v.Measured, v.Limit)
		}
		var soffs []float64
		for _, f := range c.sw {
			soffs = append(soffs, f, -f)
		}
		sw := Switching(s.X[:min(len(s.X), 2*s.SPS*1250)], s.Rate, soffs, max(1, c.sps/4))
		for i, f := range soffs {
			t.Logf("sps %d switching %+8.0f Hz: %7.2f dBc (mask %6.1f)", c.sps, f, sw[i], Limit(SwitchingMaskBTS, f))
		}
		for _, v := range Check(SwitchingMaskBTS, soffs, sw) {
			t.Errorf("sps %d: switching transients at %+.0f Hz = %.2f dBc, mask %.1f", c.sps, v.Offset, v.Measured, v.Limit)
		}
	}
}

// Every burst's power envelope stays inside the time mask of TS 45.005
// Annex B.
func TestTimeMask(t *testing.T) {
	for _, sps := range []int{4, 16} {
		s, err := Generate(sps, 2, 2)
		if err != nil {
			t.Fatal(err)
		}
		slot := 625 * sps / 4
		for i, u := range s.Useful {
			// The slot holding the burst: from the slot start to its end.
			lo := (i % 8) * slot
			lo += (i / 8) * 8 * slot
			seg := s.X[lo : lo+slot]
			v := CheckTimeMask(seg, s.Rate, u[0]-float64(lo), u[1]-float64(lo))
			for _, e := range v[:min(len(v), 3)] {
				t.Errorf("sps %d burst %d: sample %d (%.2f µs) at %.2f dB outside [%v, %v]", sps, i, e.Sample, e.T*1e6, e.Power, e.Lower, e.Upper)
			}
		}
	}
}

// The measurement can fail: the same bursts switched on and off without
// ramps break the switching-transient mask.
func TestMaskCatchesHardSwitching(t *testing.T) {
	s, err := Generate(4, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	hard := make([]complex64, len(s.X))
	for i, v := range s.X {
		if a := cmplx.Abs(complex128(v)); a > 1e-6 {
			hard[i] = v / complex(float32(a), 0)
		}
	}
	offs := []float64{400e3, -400e3}
	v := Check(SwitchingMaskBTS, offs, Switching(hard, s.Rate, offs, 1))
	if len(v) == 0 {
		t.Error("unramped bursts pass the switching-transient mask")
	}
	var env []TimeViolation
	for i, u := range s.Useful[:8] {
		lo := i * 625
		env = append(env, CheckTimeMask(hard[lo:lo+625], s.Rate, u[0]-float64(lo), u[1]-float64(lo))...)
	}
	if len(env) == 0 {
		t.Error("unramped bursts pass the time mask")
	}
}

func BenchmarkModulationPoint(b *testing.B) {
	s, _ := Generate(4, 2, 1)
	b.ReportAllocs()
	for b.Loop() {
		Modulation(s.X, s.Rate, s.Gates, []float64{400e3})
	}
}
