package filter

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

const rate4 = 1625000.0 / 6 * 4

func response(h []float64, f float64) float64 {
	var s complex128
	for k, v := range h {
		s += complex(v, 0) * cmplx.Exp(complex(0, -2*math.Pi*f*float64(k)))
	}
	return cmplx.Abs(s)
}

func TestLowPass(t *testing.T) {
	h, err := LowPass(101, 0.1, 80, 1)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		f        float64
		min, max float64 // dB
	}{
		{0, -0.001, 0.001},
		{0.05, -0.01, 0.01},
		{0.1, -6.5, -5.5},
		{0.15, -200, -75},
		{0.3, -200, -75},
		{0.5, -200, -75},
	}
	for _, c := range cases {
		got := 20 * math.Log10(response(h, c.f))
		if got < c.min || got > c.max {
			t.Errorf("LowPass(101, 0.1) at %g = %.2f dB, want %g..%g", c.f, got, c.min, c.max)
		}
	}
	if _, err := LowPass(10, 0.6, 60, 1); err == nil {
		t.Error("LowPass(cutoff 0.6) succeeded")
	}
}

func TestFIRStreaming(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	taps := []float32{0.1, -0.2, 0.5, 0.3, 0.05}
	x := make([]complex64, 300)
	for i := range x {
		x[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
	}
	want := make([]complex64, len(x))
	for n := range x {
		for k, tv := range taps {
			if n-k >= 0 {
				want[n] += complex(tv, 0) * x[n-k]
			}
		}
	}
	f := NewFIR(taps)
	got := make([]complex64, len(x))
	for off, size := 0, 1; off < len(x); off, size = off+size, size+3 {
		end := min(off+size, len(x))
		f.Filter(got[off:end], x[off:end])
	}
	for i := range got {
		if cmplx.Abs(complex128(got[i]-want[i])) > 1e-5 {
			t.Fatalf("FIR sample %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// A tone delayed by the kernel equals the tone evaluated at the delayed
// time.
func TestFracDelay(t *testing.T) {
	h := make([]float64, 16)
	for _, frac := range []float64{0, 0.25, 0.5, 0.9} {
		FracDelay(h, frac)
		for _, f := range []float64{0.01, 0.1, 0.2} {
			var y complex128
			n := 100
			for k, v := range h {
				y += complex(v, 0) * cmplx.Exp(complex(0, 2*math.Pi*f*float64(n-k)))
			}
			want := cmplx.Exp(complex(0, 2*math.Pi*f*(float64(n)-7-frac)))
			if e := cmplx.Abs(y - want); e > 1e-3 {
				t.Errorf("FracDelay(%g) on tone %g: error %.2e (%.1f dB), want < 1e-3", frac, f, e, 20*math.Log10(e))
			}
		}
	}
}

func TestRatio(t *testing.T) {
	cases := []struct {
		in, out float64
		p, q    int
	}{
		{rate4, 1e6, 12, 13},
		{rate4, 2e6, 24, 13},
		{rate4, rate4 / 4, 1, 4},
		{rate4, 4e6, 48, 13},
		{48000, 44100, 147, 160},
	}
	for _, c := range cases {
		p, q, ok := Ratio(c.out / c.in)
		if !ok || p != c.p || q != c.q {
			t.Errorf("Ratio(%g/%g) = %d/%d %v, want %d/%d", c.out, c.in, p, q, ok, c.p, c.q)
		}
	}
	if _, _, ok := Ratio(math.Pi); ok {
		t.Error("Ratio(π) found a small fraction")
	}
}

// Resampling a tone gives the tone at the new rate, delayed by Delay, with
// an error below −80 dB, whatever the block sizes.
func TestResamplerAccuracy(t *testing.T) {
	for _, out := range []float64{1e6, 2e6, 4e6} {
		r, err := NewRational(rate4, out, ResamplerConfig{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []float64{0, 67708.33, -150000} {
			rs, _ := NewRational(rate4, out, ResamplerConfig{})
			x := make([]complex64, 20000)
			for i := range x {
				x[i] = complex64(cmplx.Exp(complex(0, 2*math.Pi*f*float64(i)/rate4)))
			}
			y := make([]complex64, 0, rs.MaxOut(len(x)))
			buf := make([]complex64, rs.MaxOut(5000))
			for off, size := 0, 777; off < len(x); off += size {
				end := min(off+size, len(x))
				n := rs.Process(buf, x[off:end])
				y = append(y, buf[:n]...)
			}
			if want := len(x) * r.Up() / r.Down(); abs(len(y)-want) > 1 {
				t.Errorf("%g→%g: %d outputs, want %d", rate4, out, len(y), want)
			}
			var errE, sigE float64
			for m := 200; m < len(y)-200; m++ {
				tin := float64(m)*float64(r.Down())/float64(r.Up()) - rs.Delay()
				want := cmplx.Exp(complex(0, 2*math.Pi*f*tin/rate4))
				d := complex128(y[m]) - want
				errE += real(d)*real(d) + imag(d)*imag(d)
				sigE++
			}
			if db := 10 * math.Log10(errE/sigE); !(db < -80) || sigE < 1000 {
				t.Errorf("resample %g→%g tone %g Hz: error %.1f dB, want < −80", rate4, out, f, db)
			} else {
				t.Logf("resample %g→%g tone %g Hz: error %.1f dB", rate4, out, f, db)
			}
		}
	}
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// Out-of-band content is suppressed: a tone above the output Nyquist rate
// does not alias back.
func TestResamplerStopband(t *testing.T) {
	rs, _ := NewRational(rate4, 1e6, ResamplerConfig{})
	const f = 530000.0 // above 500 kHz
	x := make([]complex64, 13000)
	for i := range x {
		x[i] = complex64(cmplx.Exp(complex(0, 2*math.Pi*f*float64(i)/rate4)))
	}
	y := make([]complex64, rs.MaxOut(len(x)))
	n := rs.Process(y, x)
	var p float64
	for _, v := range y[100:n] {
		p += float64(real(v)*real(v) + imag(v)*imag(v))
	}
	if db := 10 * math.Log10(p/float64(n-100)); db > -50 {
		t.Errorf("alias of 530 kHz at 1 MS/s = %.1f dB, want < −50", db)
	}
}

func BenchmarkResampler1M(b *testing.B) {
	rs, _ := NewRational(rate4, 1e6, ResamplerConfig{})
	x := make([]complex64, 5000)
	y := make([]complex64, rs.MaxOut(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		rs.Process(y, x)
	}
	b.ReportMetric(float64(b.N)*5000/b.Elapsed().Seconds(), "insamples/s")
}

func BenchmarkFIR(b *testing.B) {
	h, _ := LowPass(32, 0.2, 60, 1)
	f := NewFIR(Float32(h))
	x := make([]complex64, 5000)
	b.ReportAllocs()
	for b.Loop() {
		f.Filter(x, x)
	}
}
