package rx

import (
	"math"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

const (
	states   = 1 << (chanTaps - 1) // trellis states: the last 4 symbols
	maxSteps = tdma.BurstBits + chanTaps - 1
	// inf is the metric of a branch that contradicts a known bit: large
	// enough never to win, small enough that sums of a burst's worth stay
	// finite in float32.
	inf = float32(1e30)
)

// equaliser is a max-log-MAP (BCJR) sequence estimator over the real-symbol
// ISI channel left by the Laurent receiver: z(n) = Σ_l h_l·b(n−l) + noise,
// b = ±1. Its soft outputs are the difference of the best path metrics
// through b(n) = 1 and b(n) = 0, which is what a Viterbi equaliser with
// soft output (as in the MLSE of G. D. Forney, IEEE Trans. IT-18, 1972)
// approximates; the forward-backward form gives it exactly.
type equaliser struct {
	zc    [tdma.BurstBits + 2*zPad]complex64 // frequency-corrected copy
	zeq   [maxSteps]complex64
	gam   [maxSteps][2 * states]float32
	alpha [maxSteps + 1][states]float32
	llr   [tdma.BurstBits]float32
	h     [chanTaps]complex64 // the last pass's channel estimate
}

// quality is what one equaliser pass measured.
type quality struct {
	ci float64 // dB
}

func bsym(bit int8) float32 { return float32(1 - 2*int(bit)) }

// run estimates the channel on the training run, equalises the burst and
// writes soft bits to dst and hard bits to hard. z holds the derotated
// symbol-spaced samples, zraw[k] at z[k+zPad]. A nonzero freq (radians per
// symbol) is removed from z first, with zero phase at the training centre.
func (e *equaliser) run(hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, z []complex64, tr *training, scale, freq float64) (quality, bool) {
	var q quality
	if freq != 0 {
		zc := e.zc[:len(z)]
		kc := float64(tr.start+tr.end-1) / 2
		for i, v := range z {
			s, c := math.Sincos(-freq * (float64(i-zPad) - kc))
			zc[i] = v * complex(float32(c), float32(s))
		}
		z = zc
	}

	// Channel estimate: try windows starting one symbol early to two late
	// of the matched filter's peak; keep the best fit.
	var h [chanTaps]complex64
	bestRes, bestU := math.Inf(1), 0
	var sig float64
	for u := -1; u <= 2; u++ {
		base := tr.obs0 - 2 + u + zPad
		obs := z[base : base+tr.nobs]
		var hu [chanTaps]complex64
		for l := range hu {
			var re, im float32
			for i, p := range tr.pinv[l] {
				re += p * real(obs[i])
				im += p * imag(obs[i])
			}
			hu[l] = complex(re, im)
		}
		var res, s float64
		for i, row := range tr.sym {
			var m complex64
			for l, b := range row {
				m += hu[l] * complex(b, 0)
			}
			r := obs[i] - m
			res += float64(real(r)*real(r) + imag(r)*imag(r))
			s += float64(real(m)*real(m) + imag(m)*imag(m))
		}
		if res < bestRes {
			bestRes, bestU, h, sig = res, u, hu, s
		}
	}
	if !(sig > 0) || math.IsInf(sig, 0) || math.IsNaN(bestRes) {
		return q, false
	}
	sig /= float64(tr.nobs)
	noise := bestRes / float64(tr.nobs-chanTaps)
	noise = max(noise, sig*1e-5) // a clean signal: cap C/I at 50 dB
	q.ci = 10 * math.Log10(sig/noise)
	// Work at unit signal power from here on, so path metrics stay in
	// range whatever the input level.
	norm := float32(1 / math.Sqrt(sig))
	for l := range h {
		h[l] *= complex(norm, 0)
	}
	noise /= sig

	n := tr.nbits + chanTaps - 1
	base := -2 + bestU + zPad
	zeq := e.zeq[:n]
	for i, v := range z[base : base+n] {
		zeq[i] = v * complex(norm, 0)
	}
	e.equalise(hard, dst, tr, &h, noise, scale)
	e.h = h
	return q, true
}

// equalise runs the trellis over e.zeq (unit signal power) with channel h
// and noise variance noise (relative to the signal), writing soft bits to
// dst and hard decisions to hard.
func (e *equaliser) equalise(hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, tr *training, hp *[chanTaps]complex64, noise, scale float64) {
	h := *hp
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

// reestimate fits the channel again by least squares over the whole burst,
// taking the last run's hard decisions as known symbols (decision-directed
// estimation): 26 training symbols leave an estimation error of about
// chanTaps/22 of the noise power, 0.8 dB of the signal-to-noise ratio at
// the operating point; 144 symbols leave 0.15 dB. It then equalises
// again. It returns false when the fit fails (the burst is kept as it
// was).
func (e *equaliser) reestimate(hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, tr *training, scale float64) bool {
	// Normal equations BᵀB·h = Bᵀz over observations k = chanTaps−1 …
	// nbits−1, where every symbol b(k−l) is a decision or known.
	var ata [chanTaps][chanTaps]float64
	var atz [chanTaps]complex128
	for k := chanTaps - 1; k < tr.nbits; k++ {
		var b [chanTaps]float64
		for l := range b {
			b[l] = float64(1 - 2*int(hard[k-l]))
		}
		z := complex128(e.zeq[k])
		for a := 0; a < chanTaps; a++ {
			atz[a] += complex(b[a], 0) * z
			for c := a; c < chanTaps; c++ {
				ata[a][c] += b[a] * b[c]
			}
		}
	}
	for a := 0; a < chanTaps; a++ {
		for c := 0; c < a; c++ {
			ata[a][c] = ata[c][a]
		}
	}
	inv := invert(ata)
	var h [chanTaps]complex64
	for l := range h {
		var v complex128
		for k := range atz {
			v += complex(inv[l][k], 0) * atz[k]
		}
		if v != v {
			return false
		}
		h[l] = complex64(v)
	}
	var res, sig float64
	nobs := tr.nbits - (chanTaps - 1)
	for k := chanTaps - 1; k < tr.nbits; k++ {
		var m complex64
		for l := range h {
			m += h[l] * complex(bsym(hard[k-l]), 0)
		}
		r := e.zeq[k] - m
		res += float64(real(r)*real(r) + imag(r)*imag(r))
		sig += float64(real(m)*real(m) + imag(m)*imag(m))
	}
	if !(sig > 0) || math.IsInf(res, 0) || math.IsNaN(res) {
		return false
	}
	noise := max(res/float64(nobs-chanTaps), sig/float64(nobs)*1e-5)
	e.equalise(hard, dst, tr, &h, noise, scale)
	e.h = h
	return true
}

// freqSlope measures the residual frequency offset of the last run, in
// radians per symbol, on the symbols within span of the training centre:
// after a first pass, decisions far from the training are unreliable when
// the offset is large.
func (e *equaliser) freqSlope(hard *[tdma.BurstBits]int8, tr *training, span int) float64 {
	// Residual phase slope: the phase of z against the re-modulated
	// decisions, in blocks of 8 symbols, fitted by least squares to a line
	// through zero at the training centre (where the channel estimate
	// fixed the phase). Large offsets need a narrow span first: the
	// angles must stay within ±π.
	const blk = 8
	kc := (tr.start + tr.end - 1) / 2
	lo, hi := max(chanTaps-1, kc-span), min(tr.nbits, kc+span)
	var num, den float64
	for k0 := lo; k0+blk <= hi; k0 += blk {
		var p complex128
		for k := k0; k < k0+blk; k++ {
			var m complex64
			for l := 0; l < chanTaps; l++ {
				m += e.h[l] * complex(bsym(hard[k-l]), 0)
			}
			p += complex128(e.zeq[k]) * complex(float64(real(m)), -float64(imag(m)))
		}
		if p == 0 {
			continue
		}
		dk := float64(k0) + (blk-1)/2.0 - float64(kc)
		num += math.Atan2(imag(p), real(p)) * dk
		den += dk * dk
	}
	if !(den > 0) || math.IsNaN(num) {
		return 0
	}
	return num / den
}
