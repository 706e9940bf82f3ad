package channel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// addNoiseRef is AddNoise before issue 16: math/rand's ziggurat behind a
// PCG, two calls per sample; kept for the side-by-side benchmark.
func addNoiseRef(dst []complex64, sigma float32, seed uint64, t0 int64) {
	r := rand.New(rand.NewPCG(seed, splitmix(uint64(t0))))
	for i := range dst {
		dst[i] += complex(sigma*float32(r.NormFloat64()), sigma*float32(r.NormFloat64()))
	}
}

// TestNoiseStatistics: the table-driven noise has zero mean, the set
// variance in each dimension, Gaussian kurtosis and tail mass, no
// correlation between I and Q or between neighbouring samples, and
// differs between seeds and between blocks.
func TestNoiseStatistics(t *testing.T) {
	ch, err := New(Config{SampleRate: rate4, AWGN: true, EbN0: 6, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := ch.NoiseVariance() / 2
	const n = 1 << 20
	y := make([]complex64, n)
	ch.AddNoise(y, 12345)
	var m1, m2, m4, iq, lag float64
	tail := 0 // beyond 3σ per dimension
	s := math.Sqrt(want)
	for i, v := range y {
		re, im := float64(real(v)), float64(imag(v))
		m1 += re + im
		m2 += re*re + im*im
		m4 += re*re*re*re + im*im*im*im
		iq += re * im
		if i > 0 {
			lag += re * float64(real(y[i-1]))
		}
		if math.Abs(re) > 3*s {
			tail++
		}
		if math.Abs(im) > 3*s {
			tail++
		}
	}
	m1 /= 2 * n
	m2 /= 2 * n
	kurt := m4 / (2 * n) / (m2 * m2)
	iq /= n * m2
	lag /= n * m2
	pt := float64(tail) / (2 * n)
	t.Logf("mean %.4g, variance %.5g (want %.5g), kurtosis %.3f, I/Q corr %.4f, lag-1 corr %.4f, P(|x|>3σ) %.5f (Gaussian 0.00270)", m1, m2, want, kurt, iq, lag, pt)
	if math.Abs(m1) > 3*s/math.Sqrt(2*n) || math.Abs(m2-want)/want > 0.005 || math.Abs(kurt-3) > 0.03 ||
		math.Abs(iq) > 0.005 || math.Abs(lag) > 0.005 || math.Abs(pt-0.0027)/0.0027 > 0.05 {
		t.Errorf("noise statistics off: mean %g variance %g (want %g) kurtosis %g I/Q %g lag %g tail %g", m1, m2, want, kurt, iq, lag, pt)
	}
	// Reproducible per (seed, time); different across either.
	a := make([]complex64, 64)
	b := make([]complex64, 64)
	ch.AddNoise(a, 100)
	ch.AddNoise(b, 100)
	if a[0] != b[0] || a[63] != b[63] {
		t.Error("AddNoise at the same time differs")
	}
	clear(b)
	ch.AddNoise(b, 101)
	if a[0] == b[0] {
		t.Error("AddNoise at another time repeats")
	}
	ch2, _ := New(Config{SampleRate: rate4, AWGN: true, EbN0: 6, Seed: 4})
	clear(b)
	ch2.AddNoise(b, 100)
	if a[0] == b[0] {
		t.Error("AddNoise with another seed repeats")
	}
}

// BenchmarkAddNoise: one frame (5000 samples at 4 sps) of link noise, the
// table-driven source against the ziggurat before it.
func BenchmarkAddNoise(b *testing.B) {
	ch, _ := New(Config{SampleRate: rate4, AWGN: true, EbN0: 20, Seed: 1})
	y := make([]complex64, 5000)
	b.Run("noise=before", func(b *testing.B) {
		b.ReportAllocs()
		t := int64(0)
		for b.Loop() {
			addNoiseRef(y, ch.sigma, 1, t)
			t += 5000
		}
	})
	b.Run("noise=now", func(b *testing.B) {
		b.ReportAllocs()
		t := int64(0)
		for b.Loop() {
			ch.AddNoise(y, t)
			t += 5000
		}
	})
}

// TestOneTap: the single-path fast path (whole-sample delay, no fading)
// is the definition: y(t) = g·x(t−d)·exp(j2π·f·t/fs) at absolute time t.
func TestOneTap(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	src := make([]complex64, 700)
	for i := range src {
		src[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
	}
	for _, fo := range []float64{0, 1234.5, -2999} {
		cfg := Config{SampleRate: rate4, Delay: 17, PathLoss: 6, FreqOffset: fo}
		ch, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		const t0, s0 = 100000, 99950
		y := make([]complex64, 600)
		ch.AddSignal(y, t0, src, s0)
		g := math.Pow(10, -6.0/20)
		for i := range y {
			k := t0 + int64(i) - 17 - s0
			var want complex128
			if k >= 0 && k < int64(len(src)) {
				ph := 2 * math.Pi * fo * float64(t0+int64(i)) / rate4
				want = complex(g, 0) * complex128(src[k]) * complex(math.Cos(ph), math.Sin(ph))
			}
			if d := complex128(y[i]) - want; math.Hypot(real(d), imag(d)) > 1e-5 {
				t.Fatalf("offset %g: y[%d] = %v, want %v", fo, i, y[i], want)
			}
		}
	}
}

// BenchmarkOneTapFrame: one frame of a phone's downlink on the simulated
// air (whole-sample delay, path loss, carrier offset, noise).
func BenchmarkOneTapFrame(b *testing.B) {
	ch, _ := New(Config{SampleRate: rate4, Delay: 10, PathLoss: 7, FreqOffset: 1500, AWGN: true, EbN0: 20})
	x := make([]complex64, 5100)
	y := make([]complex64, 5000)
	b.ReportAllocs()
	for b.Loop() {
		clear(y)
		ch.AddSignal(y, 5000, x, 4990)
		ch.AddNoise(y, 5000)
	}
}
