package channel

import (
	"math"
	"math/cmplx"
	"testing"
)

const rate4 = 1625000.0 / 6 * 4

func tone(f float64, n int, t0 float64) []complex64 {
	x := make([]complex64, n)
	for i := range x {
		x[i] = complex64(cmplx.Exp(complex(0, 2*math.Pi*f*(float64(i)-t0)/rate4)))
	}
	return x
}

func mustNew(t *testing.T, cfg Config) *Channel {
	t.Helper()
	cfg.SampleRate = rate4
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return c
}

func TestDelayLossOffset(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Config
		f     float64 // input tone
		delay float64
		gain  float64 // amplitude
		shift float64 // Hz
	}{
		{"wire", Config{}, 50000, 0, 1, 0},
		{"integer delay", Config{Delay: 17}, 50000, 17, 1, 0},
		{"fractional delay", Config{Delay: 10.3}, -80000, 10.3, 1, 0},
		{"small fractional delay", Config{Delay: 0.6}, 67708, 0.6, 1, 0},
		{"path loss", Config{PathLoss: 20, Delay: 2.5}, 10000, 2.5, 0.1, 0},
		{"frequency offset", Config{FreqOffset: 1234}, 30000, 0, 1, 1234},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := mustNew(t, c.cfg)
			x := tone(c.f, 3000, 0)
			y := make([]complex64, 1000)
			const t0 = 1000
			ch.AddSignal(y, t0, x, 0)
			var e float64
			for i := range y {
				n := float64(t0 + i)
				want := complex(c.gain, 0) * cmplx.Exp(complex(0, 2*math.Pi*(c.f*(n-c.delay)+c.shift*n)/rate4))
				d := complex128(y[i]) - want
				e += real(d)*real(d) + imag(d)*imag(d)
			}
			db := 10 * math.Log10(e/float64(len(y))/(c.gain*c.gain))
			if !(db < -60) {
				t.Errorf("%s: error %.1f dB relative to signal, want < −60", c.name, db)
			}
		})
	}
}

func TestMultipathImpulse(t *testing.T) {
	ch := mustNew(t, Config{Delay: 3, Taps: []Tap{{}, {Delay: 5, Gain: -6.0206, Phase: math.Pi / 2}}})
	x := make([]complex64, 50)
	x[10] = 1
	y := make([]complex64, 50)
	ch.AddSignal(y, 0, x, 0)
	for i, v := range y {
		var want complex64
		switch i {
		case 13:
			want = 1
		case 18:
			want = 0.5i
		}
		if cmplx.Abs(complex128(v-want)) > 1e-6 {
			t.Errorf("impulse response[%d] = %v, want %v", i, v, want)
		}
	}
}

func TestNoise(t *testing.T) {
	ch := mustNew(t, Config{AWGN: true, EbN0: 10, PathLoss: 3, Seed: 9})
	// σ² = 10^(−0.3)·4/10.
	want := math.Pow(10, -0.3) * 4 / 10
	if got := ch.NoiseVariance(); math.Abs(got-want)/want > 1e-6 {
		t.Errorf("NoiseVariance() = %v, want %v", got, want)
	}
	y := make([]complex64, 100000)
	ch.AddNoise(y, 5000)
	var p float64
	for _, v := range y {
		p += float64(real(v)*real(v) + imag(v)*imag(v))
	}
	p /= float64(len(y))
	if math.Abs(p-want)/want > 0.02 {
		t.Errorf("measured noise power %v, want %v ±2%%", p, want)
	}
	// Same block, same noise; another block, other noise.
	a := make([]complex64, 10)
	b := make([]complex64, 10)
	ch.AddNoise(a, 5000)
	ch.AddNoise(b, 5000)
	if a[3] != b[3] || a[3] != y[3] {
		t.Errorf("noise of block 5000 not reproducible: %v %v %v", a[3], b[3], y[3])
	}
	clear(b)
	ch.AddNoise(b, 10000)
	if a[3] == b[3] {
		t.Error("blocks 5000 and 10000 got the same noise")
	}
}

// The sequential Stream equals the time-addressed channel, shifted by its
// latency.
func TestStream(t *testing.T) {
	ch := mustNew(t, Config{Delay: 1.25, FreqOffset: 500})
	x := tone(40000, 4000, 0)
	want := make([]complex64, 4000)
	ch.AddSignal(want, 0, x, 0)
	ch2 := mustNew(t, Config{Delay: 1.25, FreqOffset: 500})
	s := NewStream(ch2)
	if s.Latency() != 6 {
		t.Errorf("Latency() = %d, want 6", s.Latency())
	}
	got := make([]complex64, 4000)
	for off, size := 0, 100; off < len(x); off += size {
		end := min(off+size, len(x))
		s.Process(got[off:end], x[off:end])
	}
	for i := s.Latency(); i < len(got); i++ {
		if cmplx.Abs(complex128(got[i]-want[i-s.Latency()])) > 1e-5 {
			t.Fatalf("stream sample %d = %v, want %v", i, got[i], want[i-s.Latency()])
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{SampleRate: 0},
		{SampleRate: rate4, Delay: -1},
		{SampleRate: rate4, Delay: math.NaN()},
		{SampleRate: rate4, Taps: []Tap{{Delay: -2}}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

func BenchmarkChannelFrame(b *testing.B) {
	ch, _ := New(Config{SampleRate: rate4, Delay: 10.3, FreqOffset: 100, AWGN: true, EbN0: 20})
	x := make([]complex64, 5100)
	y := make([]complex64, 5000)
	b.ReportAllocs()
	for b.Loop() {
		ch.AddSignal(y, 5000, x, 4990)
		ch.AddNoise(y, 5000)
	}
}
