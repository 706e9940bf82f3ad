package gmsk

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func randomBurst(r *rand.Rand, kind tdma.BurstKind, tsc uint8) tdma.Burst {
	var b tdma.Burst
	switch kind {
	case tdma.KindNormal:
		var d [tdma.NormalDataBits]byte
		for i := range d {
			d[i] = byte(r.IntN(2))
		}
		tdma.Normal(&b, &d, tsc)
	case tdma.KindSCH:
		var d [tdma.SCHDataBits]byte
		for i := range d {
			d[i] = byte(r.IntN(2))
		}
		tdma.SCH(&b, &d)
	case tdma.KindAccess:
		var d [tdma.AccessDataBits]byte
		for i := range d {
			d[i] = byte(r.IntN(2))
		}
		tdma.Access(&b, &d)
	case tdma.KindDummy:
		b = tdma.Dummy
	}
	return b
}

func nbits(kind tdma.BurstKind) int {
	if kind == tdma.KindAccess {
		return tdma.AccessBurstBits
	}
	return tdma.BurstBits
}

// alphas returns α_i for i in 0..len(bits)-1 (TS 45.004 §2.5, d_{−1} = 1).
func alphas(bits []byte) []float64 {
	out := make([]float64, len(bits))
	prev := byte(1)
	for i, d := range bits {
		out[i] = 1 - 2*float64(d^prev)
		prev = d
	}
	return out
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		cfg  Config
		good bool
	}{
		{Config{}, true},
		{Config{SPS: 1}, true},
		{Config{SPS: 16, BT: 0.5, PulseSymbols: 5, RampSymbols: 4}, true},
		{Config{SPS: -1}, false},
		{Config{SPS: 65}, false},
		{Config{BT: 2}, false},
		{Config{PulseSymbols: 7}, false},
		{Config{PulseSymbols: 4}, true},
		{Config{RampSymbols: 0.5}, false},
		{Config{BT: math.NaN()}, false},
	}
	for _, c := range cases {
		if err := c.cfg.Validate(); (err == nil) != c.good {
			t.Errorf("Config%+v.Validate() = %v, want ok=%v", c.cfg, err, c.good)
		}
	}
}

// The phase pulse integrates the frequency pulse to 1 and is symmetric.
func TestPhasePulse(t *testing.T) {
	p := newPhasePulse(0.3, 4)
	if got := p.at(0); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("q(0) = %v, want 0.5", got)
	}
	// Energy of g outside ±2T is negligible for BT 0.3.
	full := newPhasePulse(0.3, 40)
	if got := full.raw(2) - full.raw(-2); math.Abs(got-1) > 1e-4 {
		t.Errorf("∫g over ±2T = %v, want 1 within 1e-4", got)
	}
	if got := full.raw(2.5) - full.raw(-2.5); math.Abs(got-1) > 1e-6 {
		t.Errorf("∫g over ±2.5T = %v, want 1 within 1e-6", got)
	}
	// Numerical integral of freq agrees with the closed form.
	var sum float64
	const steps = 20000
	for i := 0; i < steps; i++ {
		u := -2 + 4*(float64(i)+0.5)/steps
		sum += full.freq(u) * 4 / steps
	}
	if math.Abs(sum-(full.raw(2)-full.raw(-2))) > 1e-9 {
		t.Errorf("numerical ∫g = %v, closed form %v", sum, full.raw(2)-full.raw(-2))
	}
}

// FCCH: 148 zero bits give α = +1 from bit 1 on, a pure tone at +1/4 of the
// symbol rate, 1625000/24 ≈ 67708.3 Hz (TS 45.002 §5.2.4, TS 45.004 §2.6).
func TestFCCHTone(t *testing.T) {
	for _, sps := range []int{1, 2, 4, 8} {
		m := NewModulator(Config{SPS: sps})
		dst := make([]complex64, m.MaxLen())
		m.ModulateBurst(dst, nil, tdma.KindFCCH)
		// From 3 symbols after bit 0 to 3 before the end: the α = −1 edges
		// at bit 0 and at the first dummy bit reach 2.5 symbols.
		lo, hi := m.Lead()+3*sps, m.Lead()+145*sps
		var acc complex128
		for n := lo; n < hi; n++ {
			d := complex128(dst[n+1] * conj64(dst[n]))
			acc += d
			step := cmplx.Phase(d)
			if want := math.Pi / 2 / float64(sps); math.Abs(step-want) > 1e-5 {
				t.Fatalf("sps %d: phase step at %d = %v, want %v", sps, n, step, want)
			}
		}
		f := cmplx.Phase(acc) * m.SampleRate() / (2 * math.Pi)
		if want := 1625000.0 / 24; math.Abs(f-want) > 0.5 {
			t.Errorf("sps %d: FCCH frequency = %.2f Hz, want %.2f", sps, f, want)
		}
	}
}

func conj64(c complex64) complex64 { return complex(real(c), -imag(c)) }

// The useful part has constant envelope (ramps excluded).
func TestConstantEnvelope(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sps := range []int{1, 4, 16} {
		m := NewModulator(Config{SPS: sps})
		dst := make([]complex64, m.MaxLen())
		for _, kind := range []tdma.BurstKind{tdma.KindNormal, tdma.KindSCH, tdma.KindDummy, tdma.KindFCCH, tdma.KindAccess} {
			for trial := 0; trial < 20; trial++ {
				b := randomBurst(r, kind, uint8(trial&7))
				n := m.ModulateBurst(dst, &b, kind)
				if n != m.Len(kind) {
					t.Fatalf("ModulateBurst(%v) = %d, want %d", kind, n, m.Len(kind))
				}
				lo := m.Lead() + (sps+1)/2
				hi := m.Lead() + nbits(kind)*sps - (sps+1)/2
				for i := lo; i <= hi; i++ {
					if a := cmplx.Abs(complex128(dst[i])); math.Abs(a-1) > 1e-5 {
						t.Fatalf("sps %d %v: |x[%d]| = %v, want 1", sps, kind, i, a)
					}
				}
			}
		}
	}
}

// unwrapPhase returns the continuous phase of x.
func unwrapPhase(x []complex64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		p := cmplx.Phase(complex128(x[i]))
		if i > 0 {
			d := p - math.Mod(out[i-1], 2*math.Pi)
			d = math.Remainder(d, 2*math.Pi)
			out[i] = out[i-1] + d
		} else {
			out[i] = p
		}
	}
	return out
}

// Over the period of symbol i the phase turns by less than π/2 with the sign
// of α_i (TS 45.004 §2.5–2.6: α = +1 turns the phase forward), by exactly
// ±π/2 where the surrounding symbols agree, and over the whole burst by
// π/2·Σα.
func TestSymbolPhaseSteps(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m := NewModulator(Config{SPS: 4})
	buf := make([]complex64, 200*4)
	for trial := 0; trial < 50; trial++ {
		b := randomBurst(r, tdma.KindNormal, uint8(trial&7))
		n := m.ModulateBits(buf, b[:])
		ph := unwrapPhase(buf[:n])
		al := alphas(b[:])
		for i := 0; i < tdma.BurstBits-1; i++ {
			d := ph[(i+1)*4] - ph[i*4]
			if d*al[i] <= 0 || math.Abs(d) > math.Pi/2+1e-6 {
				t.Fatalf("trial %d: phase step of symbol %d = %v, want sign of α=%v and |step| ≤ π/2", trial, i, d, al[i])
			}
			if i >= 2 && i+2 < tdma.BurstBits && al[i-2] == al[i] && al[i-1] == al[i] && al[i+1] == al[i] && al[i+2] == al[i] {
				if math.Abs(d-al[i]*math.Pi/2) > 1e-5 {
					t.Fatalf("trial %d: run step at %d = %v, want %v", trial, i, d, al[i]*math.Pi/2)
				}
			}
		}
	}
	// Total turn over a burst framed by dummy bits (α = +1 outside).
	b := randomBurst(r, tdma.KindNormal, 3)
	var pad [20]byte
	for i := range pad {
		pad[i] = 1
	}
	seq := append(append(append([]byte{}, pad[:]...), b[:]...), pad[:]...)
	buf = make([]complex64, len(seq)*4)
	m.ModulateBits(buf, seq)
	ph := unwrapPhase(buf)
	// From the start of symbol 5 to the start of symbol len−5: symbols
	// 3..len−6 have contributed fully, the rest are dummy (+1) or partial
	// but equal at both ends.
	var sum float64
	al := alphas(seq)
	for i := 3; i < len(seq)-3; i++ {
		sum += al[i]
	}
	got := ph[(len(seq)-3)*4] - ph[3*4]
	// Between those instants symbols 1..len−1 move: those before 3 and
	// after len−4 are all +1 and cancel with their partial shares; compare
	// modulo the shares of the two pads, which are equal runs.
	want := math.Pi / 2 * sum
	if math.Abs(got-want) > 1e-4 {
		t.Errorf("total phase turn = %v, want π/2·Σα = %v", got, want)
	}
}

// A normal burst's midamble equals the modulated training sequence alone,
// up to a constant rotation, away from the edges where neighbouring data
// bits overlap (all eight TSCs of TS 45.002 §5.2.3).
func TestTSCWaveform(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m := NewModulator(Config{SPS: 4})
	burst := make([]complex64, m.MaxLen())
	ref := make([]complex64, tdma.TSCBits*4)
	for tsc := uint8(0); tsc < 8; tsc++ {
		b := randomBurst(r, tdma.KindNormal, tsc)
		m.ModulateBurst(burst, &b, tdma.KindNormal)
		// The differential encoding of the TSC's first bit depends on the
		// data bit before it, so compare bits 3..22 of the midamble.
		m.ModulateBits(ref, tdma.TSC[tsc][:])
		start := m.Lead() + tdma.NormalTSCStart*4
		var rot complex128
		for i := 5 * 4; i < 21*4; i++ {
			rot += complex128(burst[start+i] * conj64(ref[i]))
		}
		rot /= complex(cmplx.Abs(rot), 0)
		for i := 5 * 4; i < 21*4; i++ {
			if d := cmplx.Abs(complex128(burst[start+i]) - rot*complex128(ref[i])); d > 1e-4 {
				t.Fatalf("TSC %d: midamble sample %d differs from reference by %v", tsc, i, d)
			}
		}
	}
}

func TestKindNoneSilent(t *testing.T) {
	m := NewModulator(Config{})
	dst := make([]complex64, m.MaxLen())
	for i := range dst {
		dst[i] = 1
	}
	if n := m.ModulateBurst(dst, nil, tdma.KindNone); n != 612 {
		t.Errorf("ModulateBurst(KindNone) = %d, want 612", n)
	}
	for i, v := range dst {
		if v != 0 {
			t.Fatalf("KindNone sample %d = %v, want 0", i, v)
		}
	}
	if m.Len(tdma.KindAccess) != 372 || m.Lead() != 10 {
		t.Errorf("Len(access), Lead = %d, %d, want 372, 10", m.Len(tdma.KindAccess), m.Lead())
	}
}

func BenchmarkModulateBurst(b *testing.B) {
	m := NewModulator(Config{SPS: 4})
	r := rand.New(rand.NewPCG(7, 8))
	burst := randomBurst(r, tdma.KindNormal, 2)
	dst := make([]complex64, m.MaxLen())
	b.ReportAllocs()
	for b.Loop() {
		m.ModulateBurst(dst, &burst, tdma.KindNormal)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bursts/s")
}
