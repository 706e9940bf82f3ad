package channel

import (
	"math"
	"math/cmplx"
	"testing"
)

// The sum-of-sinusoids gains are unit-power Rayleigh processes whose
// autocorrelation follows J0(2π·fd·τ), the classical Doppler spectrum.
func TestFadingStatistics(t *testing.T) {
	const fd = 100.0
	f := newFading(200, fd, 5)
	var pow, below float64
	var n int
	corr := map[float64]complex128{}
	lags := []float64{0.1 / fd, 0.383 / fd, 0.6 / fd}
	var g0, g1 []complex128
	for i := 0; i < 400; i++ {
		tt := float64(i) * 0.05 // far apart: nearly independent samples
		g0 = f.at(g0, tt)
		for _, v := range g0 {
			p := real(v)*real(v) + imag(v)*imag(v)
			pow += p
			if p < 0.1 {
				below++
			}
			n++
		}
		for _, lag := range lags {
			g1 = f.at(g1, tt+lag)
			for k := range g0 {
				corr[lag] += g0[k] * cmplx.Conj(g1[k])
			}
		}
	}
	pow /= float64(n)
	if math.Abs(pow-1) > 0.05 {
		t.Errorf("mean fading power = %.3f, want 1", pow)
	}
	// Rayleigh: P(|r|² < 0.1) = 1 − e^−0.1.
	if p, want := below/float64(n), 1-math.Exp(-0.1); math.Abs(p-want) > 0.02 {
		t.Errorf("P(|r|² < 0.1) = %.3f, want %.3f", p, want)
	}
	for _, lag := range lags {
		got := real(corr[lag]) / float64(n)
		want := math.J0(2 * math.Pi * fd * lag)
		if math.Abs(got-want) > 0.06 {
			t.Errorf("autocorrelation at %.2f ms = %.3f, want J0 = %.3f", lag*1e3, got, want)
		}
	}
}

func TestProfiles(t *testing.T) {
	for name, p := range map[string][]ProfileTap{"TU6": TU6, "HT6": HT6, "RA6": RA6} {
		taps := Taps(p, rate4)
		var sum float64
		for _, tp := range taps {
			sum += math.Pow(10, tp.Gain/10)
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("%s: total tap power %v, want 1", name, sum)
		}
		if _, err := New(Config{SampleRate: rate4, Taps: taps, Doppler: 42}); err != nil {
			t.Errorf("%s: New = %v", name, err)
		}
	}
	if d := Taps(TU6, rate4)[5].Delay; math.Abs(d-5e-6*rate4) > 1e-9 {
		t.Errorf("TU6 last tap delay = %v samples, want %v", d, 5e-6*rate4)
	}
	if got := DopplerHz(50, 900e6); math.Abs(got-41.7) > 0.1 {
		t.Errorf("DopplerHz(50 km/h, 900 MHz) = %.2f, want 41.7", got)
	}
}

// A faded TU6 link keeps the mean power, varies it over time, and is
// reproducible.
func TestFadingChannel(t *testing.T) {
	cfg := Config{SampleRate: rate4, Taps: Taps(TU6, rate4), Doppler: 200, Seed: 11, Delay: 3}
	a, _ := New(cfg)
	b, _ := New(cfg)
	x := tone(30000, 5100, 0)
	var powers []float64
	var mean float64
	for k := int64(0); k < 150; k++ {
		y := make([]complex64, 5000)
		t0 := k * 5000
		a.AddSignal(y, t0, x, t0-50)
		p := 0.0
		for _, v := range y {
			p += float64(real(v)*real(v) + imag(v)*imag(v))
		}
		p /= 5000
		powers = append(powers, p)
		mean += p / 150
		if k == 7 {
			z := make([]complex64, 5000)
			b.AddSignal(z, t0, x, t0-50)
			for i := range z {
				if z[i] != y[i] {
					t.Fatalf("fading not reproducible at sample %d", i)
				}
			}
		}
	}
	if math.Abs(mean-1) > 0.2 {
		t.Errorf("mean power through faded TU6 = %.2f, want ≈1", mean)
	}
	lo, hi := math.Inf(1), 0.0
	for _, p := range powers {
		lo, hi = math.Min(lo, p), math.Max(hi, p)
	}
	if hi/lo < 10 {
		t.Errorf("power range %.3f..%.3f: no fading seen", lo, hi)
	}
	if _, err := New(Config{SampleRate: rate4, Doppler: -1}); err == nil {
		t.Error("New(negative Doppler) succeeded")
	}
}
