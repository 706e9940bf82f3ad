package rx

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// equaliseRef is the equaliser's trellis before issue 16: every branch
// metric computed and stored, the max-log-MAP in plain loops. Benchmarks
// and tests plug it in (equaliser.ref) to compare with the fast trellis.
func equaliseRef(e *equaliser, hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, tr *training, noise, scale float64) {
	h := e.h
	n := tr.nbits + chanTaps - 1
	zeq := e.zeq[:n]
	// Expected noiseless value of every branch: state s holds b(n−1−i) in
	// bit i, the branch adds b(n) = u.
	var refRe, refIm, refE [2 * states]float32
	for s := 0; s < states; s++ {
		for u := 0; u < 2; u++ {
			m := h[0] * complex(bsym(int8(u)), 0)
			for i := 0; i < chanTaps-1; i++ {
				m += h[i+1] * complex(bsym(int8(s>>i&1)), 0)
			}
			refRe[s<<1|u], refIm[s<<1|u] = real(m), imag(m)
			refE[s<<1|u] = real(m)*real(m) + imag(m)*imag(m)
		}
	}

	// Forward: branch metrics and path metrics; unknown start state.
	gam := e.gam[:n]
	alpha := e.alpha[:n+1]
	alpha[0] = [states]float32{}
	for k := 0; k < n; k++ {
		allow0, allow1 := true, true
		if k < tr.nbits {
			switch tr.known[k] {
			case 0:
				allow1 = false
			case 1:
				allow0 = false
			}
		}
		// |z − ref|² less |z|², which every branch of the step shares and
		// the soft output's differences cancel.
		zr2, zi2 := 2*real(zeq[k]), 2*imag(zeq[k])
		g := &gam[k]
		switch {
		case allow0 && allow1:
			for br := range g {
				g[br] = refE[br] - zr2*refRe[br] - zi2*refIm[br]
			}
		case allow0:
			for br := 0; br < len(g); br += 2 {
				g[br] = refE[br] - zr2*refRe[br] - zi2*refIm[br]
				g[br+1] = inf
			}
		default:
			for br := 0; br < len(g); br += 2 {
				g[br] = inf
				g[br+1] = refE[br+1] - zr2*refRe[br+1] - zi2*refIm[br+1]
			}
		}
		a, next := &alpha[k], &alpha[k+1]
		for s2 := 0; s2 < states; s2++ {
			u := s2 & 1
			s0, s1 := s2>>1, s2>>1|states>>1
			m0 := a[s0] + g[s0<<1|u]
			m1 := a[s1] + g[s1<<1|u]
			if m1 < m0 {
				m0 = m1
			}
			next[s2] = m0
		}
	}

	// Backward, with the soft output of each step.
	var beta, prev [states]float32
	for k := n - 1; k >= 0; k-- {
		a, g := &alpha[k], &gam[k]
		best0, best1 := 2*inf, 2*inf
		for s := 0; s < states; s++ {
			s2 := (s << 1) & (states - 1)
			m0 := g[s<<1] + beta[s2]
			m1 := g[s<<1|1] + beta[s2|1]
			if v := a[s] + m0; v < best0 {
				best0 = v
			}
			if v := a[s] + m1; v < best1 {
				best1 = v
			}
			if m1 < m0 {
				m0 = m1
			}
			prev[s] = m0
		}
		if k < tr.nbits {
			e.llr[k] = best1 - best0
		}
		beta = prev
	}

	// Soft bits: LLR = (metric(1) − metric(0)) / σ², positive means 0.
	g := scale / noise
	for k := 0; k < tr.nbits; k++ {
		if kb := tr.known[k]; kb >= 0 {
			hard[k] = kb
			dst[k] = int8(127 - 254*int(kb))
			continue
		}
		v := float64(e.llr[k]) * g
		switch {
		case v != v: // NaN from non-finite samples outside the training
			dst[k] = 0
		case v >= 127:
			dst[k] = 127
		case v <= -127:
			dst[k] = -127
		case v >= 0:
			dst[k] = int8(v + 0.5)
		default:
			dst[k] = int8(v - 0.5)
		}
		if e.llr[k] < 0 {
			hard[k] = 1
		} else {
			hard[k] = 0
		}
	}
}

// TestTrellisMatchesReference: the fast trellis (fixed-point Viterbi
// passes, then max-log-MAP on 16 correlations per step) gives the
// reference trellis's soft bits, up to rounding, on noisy and multipath
// bursts.
func TestTrellisMatchesReference(t *testing.T) {
	fast := mustDemod(t, Config{FullTrellis: true})
	ref := mustDemod(t, Config{FullTrellis: true})
	ref.eq.ref = equaliseRef
	r := rand.New(rand.NewPCG(5, 5))
	a := newAir(4, slotLen4+32)
	worst, diff, signs := 0, 0, 0
	for i := range 300 {
		b, _ := randomNormal(r, uint8(i&7))
		cfg := channel.Config{Delay: 4 * 3 * r.Float64(), AWGN: true, EbN0: 2 + 10*r.Float64(), Seed: uint64(i), FreqOffset: 300*r.Float64() - 150}
		if i%2 == 1 {
			cfg.Taps = []channel.Tap{{Gain: -3}, {Delay: 4 * r.Float64() * 2, Gain: -3 - 6*r.Float64(), Phase: 2 * math.Pi * r.Float64()}}
		}
		x := a.send(t, &b, tdma.KindNormal, cfg)
		var sf, sr tdma.SoftBurst
		mf, okf := fast.Normal(&sf, x, uint8(i&7))
		mr, okr := ref.Normal(&sr, x, uint8(i&7))
		// Detection and timing come before the equaliser; the Viterbi
		// passes run in fixed point, so a near-tie may go the other way
		// and move the next estimate a little.
		if okf != okr || mf.ToA != mr.ToA || mf.RSSI != mr.RSSI || mf.Corr != mr.Corr ||
			okf && (math.Abs(float64(mf.FreqOffset-mr.FreqOffset)) > 25 || math.Abs(float64(mf.CI-mr.CI)) > 1) {
			t.Fatalf("burst %d: fast %+v %v, reference %+v %v", i, mf, okf, mr, okr)
		}
		for k := range sf {
			d := abs(int(sf[k]) - int(sr[k]))
			worst = max(worst, d)
			if d > 2 {
				diff++
			}
			if (sf[k] < 0) != (sr[k] < 0) && d > 2 {
				signs++
			}
		}
	}
	t.Logf("largest soft-bit difference %d; %d bits differ by more than 2, %d of them in sign", worst, diff, signs)
	if diff > 300*148/500 || signs > 300*148/5000 {
		t.Errorf("%d soft bits differ from the reference by more than 2 (%d in sign; largest %d)", diff, signs, worst)
	}
}

// viterbiFloat is the float32 Viterbi search before the fixed-point one,
// for TestViterbiFixedPoint.
func viterbiFloat(e *equaliser, hard *[tdma.BurstBits]int8, tr *training) {
	n := tr.nbits + chanTaps - 1
	var a, next [states]float32
	var c [states]float32
	E := &e.refE
	for k := 0; k < n; k++ {
		e.metrics(&c, e.zeq[k])
		var dec uint16
		for s2 := 0; s2 < states; s2++ {
			// Predecessors s2>>1 (branch s2) and s2>>1|8 (branch s2|16).
			m0 := a[s2>>1] + E[s2] - c[s2]
			j := (s2 ^ 15) & (states - 1)
			m1 := a[(s2>>1)|states>>1] + E[j] + c[j]
			if m1 < m0 {
				m0 = m1
				dec |= 1 << s2
			}
			next[s2] = m0
		}
		if k < tr.nbits {
			if kb := tr.known[k]; kb >= 0 {
				for s2 := 1 - int(kb); s2 < states; s2 += 2 {
					next[s2] = inf
				}
			}
		}
		e.dec[k] = dec
		a = next
	}
	s := 0
	for i := 1; i < states; i++ {
		if a[i] < a[s] {
			s = i
		}
	}
	for k := n - 1; k >= 0; k-- {
		if k < tr.nbits {
			hard[k] = int8(s & 1)
		}
		s = s>>1 | int(e.dec[k]>>s&1)<<(chanTaps-2)
	}
	for k := 0; k < tr.nbits; k++ {
		if kb := tr.known[k]; kb >= 0 {
			hard[k] = kb
		}
	}
}

// TestViterbiFixedPoint: the fixed-point Viterbi search decides as the
// float32 one did, but for near-ties, on the same samples and channel.
func TestViterbiFixedPoint(t *testing.T) {
	d := mustDemod(t, Config{NoReestimate: true, FullTrellis: true})
	r := rand.New(rand.NewPCG(6, 6))
	a := newAir(4, slotLen4+32)
	diff, total := 0, 0
	for i := range 400 {
		b, _ := randomNormal(r, 3)
		x := a.send(t, &b, tdma.KindNormal, channel.Config{Delay: 4 * 3 * r.Float64(), AWGN: true, EbN0: 1 + 8*r.Float64(), Seed: uint64(i)})
		var s tdma.SoftBurst
		if _, ok := d.Normal(&s, x, 3); !ok {
			continue
		}
		tr := d.normal[3]
		var hi, hf [tdma.BurstBits]int8
		d.eq.viterbi(&hi, tr)
		viterbiFloat(&d.eq, &hf, tr)
		for k := range hi {
			if hi[k] != hf[k] {
				diff++
			}
		}
		total += tdma.BurstBits
	}
	t.Logf("fixed point and float32 Viterbi differ on %d of %d decisions", diff, total)
	if diff*10000 > total {
		t.Errorf("fixed point and float32 Viterbi differ on %d of %d decisions, want under 0.01 %%", diff, total)
	}
}

// TestAtan2: the polynomial atan2 of freqSlope against math.Atan2 around
// the circle and at the axes.
func TestAtan2(t *testing.T) {
	worst := 0.0
	for i := range 100000 {
		th := 2*math.Pi*float64(i)/100000 - math.Pi
		for _, r := range []float64{1e-3, 1, 1e6} {
			y, x := r*math.Sin(th), r*math.Cos(th)
			worst = max(worst, math.Abs(atan2(y, x)-math.Atan2(y, x)))
		}
	}
	for _, c := range [][2]float64{{0, 1}, {1, 0}, {0, -1}, {-1, 0}, {1, 1}, {-1, -1}} {
		worst = max(worst, math.Abs(atan2(c[0], c[1])-math.Atan2(c[0], c[1])))
	}
	if worst > 2e-5 {
		t.Errorf("atan2 differs from math.Atan2 by up to %g, want ≤ 2e-5", worst)
	}
	if got := atan2(0, 0); got != 0 {
		t.Errorf("atan2(0, 0) = %g, want 0", got)
	}
	if got := atan2(math.NaN(), 1); !math.IsNaN(got) {
		t.Errorf("atan2(NaN, 1) = %g, want NaN", got)
	}
}

// TestAtan2Small: freqSlope's short path for small angles against
// math.Atan2, around the circle (the long path beyond ±0.38 radian).
func TestAtan2Small(t *testing.T) {
	worst := 0.0
	for i := range 100000 {
		th := 2*math.Pi*float64(i)/100000 - math.Pi
		for _, r := range []float64{1e-3, 1, 1e6} {
			y, x := r*math.Sin(th), r*math.Cos(th)
			worst = max(worst, math.Abs(atan2Small(y, x)-math.Atan2(y, x)))
		}
	}
	if worst > 3e-5 {
		t.Errorf("atan2Small differs from math.Atan2 by up to %g, want ≤ 3e-5", worst)
	}
	if got := atan2Small(0, 0); got != 0 {
		t.Errorf("atan2Small(0, 0) = %g, want 0", got)
	}
	if got := atan2Small(math.NaN(), 1); !math.IsNaN(got) {
		t.Errorf("atan2Small(NaN, 1) = %g, want NaN", got)
	}
}
