package rx

import (
	"math"
	"math/bits"

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
	gam   [maxSteps][2 * states]float32 // equaliseRef's branch metrics
	corr  [maxSteps][states]float32     // per step: see metrics
	dec   [maxSteps]uint16              // Viterbi decisions, a bit per state
	alpha [maxSteps + 1][states]float32
	// alpha2, beta2, corr2: maxLogMAP2's, packed (1.2 KiB each).
	alpha2 [maxSteps + 1][2]float32
	beta2  [maxSteps][2]float32
	corr2  [maxSteps][2]float32
	llr    [tdma.BurstBits]float32
	h      [chanTaps]complex64 // the last pass's channel estimate
	noise  float64             // and its noise variance
	// hvar is the variance of h's estimation error per tap, over the
	// noise variance: the diagonal of (BᵀB)⁻¹.
	hvar [chanTaps]float64

	refRe, refIm, refE [states]float32 // see branches
	// conjRe, conjIm: every branch's noiseless value conjugated (×2),
	// the negated half included, for freqSlope.
	conjRe, conjIm [2 * states]float32

	// The trellis models nt taps of the channel estimate, h[off] …
	// h[off+nt−1] (see shorten), on ns = 2^(nt−1) states: step k sees
	// zeq[k+off].
	nt, off, ns int
	full        bool // always the full chanTaps-tap trellis (Config.FullTrellis)

	soft bool        // the last run gave soft output
	z    []complex64 // the last run's input, before frequency correction
	base int         // zeq[i] is z[base+i]·norm, frequency-corrected
	norm float32

	// ref, when set (by tests), replaces the trellis with the reference
	// implementation, soft output on every pass.
	// It reads the channel from e.h.
	ref func(e *equaliser, hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, tr *training, noise, scale float64)
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
//
// The pass gives soft output when soft is true or when the training's C/I
// (dB, as quality.ci) reaches softAbove; e.soft says which it did.
func (e *equaliser) run(hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, z []complex64, tr *training, scale, freq float64, soft bool, softAbove float64) (quality, bool) {
	var q quality
	e.z = z
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
		// Least squares through the normal equations: Bᵀ·obs, then
		// h = (BᵀB)⁻¹·Bᵀ·obs, and the fit's energy hᴴ·Bᵀ·obs, which
		// leaves the residual |obs|² − hᴴ·Bᵀ·obs without the model's
		// samples.
		base := tr.obs0 - 2 + u + zPad
		obs := z[base : base+tr.nobs]
		// Written out over the five taps: the sums stay in registers.
		var r0, r1, r2, r3, r4, i0, i1, i2, i3, i4, oo float32
		for i, row := range tr.sym[:len(obs)] {
			v := obs[i]
			vr, vi := real(v), imag(v)
			oo += vr*vr + vi*vi
			r0, i0 = r0+row[0]*vr, i0+row[0]*vi
			r1, i1 = r1+row[1]*vr, i1+row[1]*vi
			r2, i2 = r2+row[2]*vr, i2+row[2]*vi
			r3, i3 = r3+row[3]*vr, i3+row[3]*vi
			r4, i4 = r4+row[4]*vr, i4+row[4]*vi
		}
		bzRe := [chanTaps]float32{r0, r1, r2, r3, r4}
		bzIm := [chanTaps]float32{i0, i1, i2, i3, i4}
		var hu [chanTaps]complex64
		var s float64
		for l := range hu {
			var re, im float32
			for k, a := range tr.ataInv[l] {
				re += a * bzRe[k]
				im += a * bzIm[k]
			}
			hu[l] = complex(re, im)
			s += float64(re*bzRe[l] + im*bzIm[l])
		}
		res := max(float64(oo)-s, 0)
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
		zeq[i] = complex(real(v)*norm, imag(v)*norm)
	}
	e.base, e.norm = base, norm
	for l := range e.hvar {
		e.hvar[l] = float64(tr.ataInv[l][l])
	}
	e.soft = soft || q.ci >= softAbove
	e.equalise(hard, dst, tr, &h, noise, scale, e.soft)
	return q, true
}

// equalise runs the trellis over e.zeq (unit signal power) with channel h
// and noise variance noise (relative to the signal), writing hard
// decisions to hard and, when soft, soft bits to dst (max-log-MAP);
// otherwise it runs a plain Viterbi search, about a third of the cost,
// for the passes whose decisions only feed the next estimate.
func (e *equaliser) equalise(hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, tr *training, hp *[chanTaps]complex64, noise, scale float64, soft bool) {
	e.h, e.noise = *hp, noise
	if e.ref != nil {
		e.nt, e.off, e.ns = chanTaps, 0, states
		e.branches(&e.h)
		e.ref(e, hard, dst, tr, noise, scale)
		return
	}
	loss := shortenLoss
	if !soft {
		loss = shortenLossHard
	}
	noise += e.shorten(&e.h, noise, loss)
	e.branches(&e.h)
	if !soft {
		if e.ns == 2 {
			e.viterbi2(hard, tr)
		} else {
			e.viterbi(hard, tr)
		}
		return
	}
	if e.ns == 2 {
		e.maxLogMAP2(tr)
	} else {
		e.maxLogMAP(tr)
	}
	e.softBits(hard, dst, tr, noise, scale)
}

// shortenLoss is the share of the noise variance that the taps a shorter
// trellis leaves out may add (as interference) before the receiver keeps
// them: 0.08 costs at most 0.33 dB of SNR, usually far less, since what
// is left out near the sensitivity limit is mostly the estimate's own
// noise.
const shortenLoss = 0.1

// shortenLossHard is shortenLoss for the passes whose decisions only
// feed the next channel estimate: they may lose more (a fifth of the
// noise variance) without harm to the last pass, and on the training's
// noisy estimate the looser test keeps most bursts at 2 states (SDCCH
// raw BER at 2.5 dB static, TU50 at 9 dB, HT100 and RA250 at 12 dB all at
// or below the 16-state receiver's).
const shortenLossHard = 0.2

// shortenFloor is the energy, relative to the signal, that may always be
// left out: −23 dB of intersymbol interference against symbols of ±1
// never decides a bit, and this is GMSK's own third tap after whitening
// (0.07 in amplitude) on the static channel.
const shortenFloor = 0.02

// shorten picks the trellis for channel h (unit signal power) and noise
// variance noise: the fewest taps, 3 or 4 (4 or 8 states instead of 16),
// whose window of h holds all but max(shortenLoss·noise, shortenFloor)
// of its energy, else all chanTaps. After the whitening filter GMSK alone
// is a three-tap channel (1, 0.70, 0.09 of the main tap), so at the
// sensitivity limit on the static channel a 4-state trellis does what the
// 16-state one did at a quarter of the cost; multipath that spreads the
// energy keeps the taps it needs. It sets e.nt, e.off, e.ns and returns
// the energy left out, which the caller adds to the noise.
func (e *equaliser) shorten(h *[chanTaps]complex64, noise, loss float64) float64 {
	e.nt, e.off, e.ns = chanTaps, 0, states
	if e.full {
		return 0
	}
	// Each tap's energy less what the estimation error alone gives it:
	// the training's 22 observations leave each tap a twentieth of the
	// noise, which near the sensitivity limit is most of what the taps
	// beyond GMSK's own two or three hold.
	var p [chanTaps]float64
	total := 0.0
	for l, v := range h {
		p[l] = max(float64(real(v)*real(v)+imag(v)*imag(v))-noise*e.hvar[l], 0)
		total += p[l]
	}
	allow := max(loss*noise, shortenFloor*total)
	for nt := 2; nt < chanTaps; nt++ {
		bestOff, bestIn := 0, -1.0
		for off := 0; off+nt <= chanTaps; off++ {
			in := 0.0
			for _, v := range p[off : off+nt] {
				in += v
			}
			if in > bestIn {
				bestOff, bestIn = off, in
			}
		}
		if left := total - bestIn; left <= allow {
			e.nt, e.off, e.ns = nt, bestOff, 1<<(nt-1)
			return max(left, 0)
		}
	}
	return 0
}

// branches prepares the noiseless value of every branch of the trellis
// shorten chose. Branch br = s<<1|u leaves state s (b(n−1−i) in bit i)
// with input u = b(n); bit value 1 is the symbol −1. Flipping all nt bits
// negates the value, so only the ns branches with bit nt−1 clear are
// kept: branch br ≥ ns is −ref[br^(2ns−1)].
func (e *equaliser) branches(hp *[chanTaps]complex64) {
	h := hp[e.off : e.off+e.nt]
	for br := 0; br < e.ns; br++ {
		m := h[0] * complex(bsym(int8(br&1)), 0)
		for i := 1; i < len(h); i++ {
			m += h[i] * complex(bsym(int8(br>>i&1)), 0)
		}
		e.refRe[br&(states-1)], e.refIm[br&(states-1)] = 2*real(m), 2*imag(m)
		e.refE[br&(states-1)] = real(m)*real(m) + imag(m)*imag(m)
		neg := br ^ (2*e.ns - 1)
		e.conjRe[br&(2*states-1)], e.conjIm[br&(2*states-1)] = 2*real(m), -2*imag(m)
		e.conjRe[neg&(2*states-1)], e.conjIm[neg&(2*states-1)] = -2*real(m), 2*imag(m)
	}
}

// metrics writes the ns correlations c[j] = 2·Re(z·conj(ref[j])) of step
// k: branch j < ns costs refE[j] − c[j], branch j|ns costs
// refE[j^(ns−1)] + c[j^(ns−1)] (|z − ref|² less the |z|² all branches
// share).
func (e *equaliser) metrics(c *[states]float32, z complex64) {
	zr, zi := real(z), imag(z)
	for j := 0; j < e.ns; j++ {
		c[j&(states-1)] = zr*e.refRe[j&(states-1)] + zi*e.refIm[j&(states-1)]
	}
}

// viterbi finds the most likely sequence and writes it to hard. It runs
// in fixed point (metrics × 2^19 in int32, renormalised every step) with
// branchless compare-and-select: near the sensitivity limit half the
// survivor choices are coin tosses, which a branch mispredicts.
func (e *equaliser) viterbi(hard *[tdma.BurstBits]int8, tr *training) {
	const forbid = int32(1 << 28) // a state a known bit rules out
	const m = states - 1          // index mask: no bounds checks
	ns, nt, off := e.ns, e.nt, e.off
	half, top := ns>>1, ns-1
	n := tr.nbits + nt - 1
	// Metrics × 2^19: the samples × 2^10 and the branch values × 2^9,
	// so the correlations are integer products (no conversion per
	// branch). Samples beyond ±32 (signal power is 1) are clipped, which
	// keeps every sum within int32.
	var E, refRe, refIm [states]int32
	for j := 0; j < ns; j++ {
		E[j&m] = int32(e.refE[j&m] * (1 << 19))
		refRe[j&m], refIm[j&m] = int32(e.refRe[j&m]*(1<<9)), int32(e.refIm[j&m]*(1<<9))
	}
	var a, next, c [states]int32
	for k := 0; k < n; k++ {
		z := e.zeq[k+off]
		zr := int32(max(min(real(z), 32), -32) * (1 << 10))
		zi := int32(max(min(imag(z), 32), -32) * (1 << 10))
		for j := 0; j < ns; j++ {
			c[j&m] = zr*refRe[j&m] + zi*refIm[j&m]
		}
		var dec uint32
		for s2 := 0; s2 < ns; s2++ {
			// Predecessors s2>>1 (branch s2) and s2>>1|ns/2 (branch
			// s2|ns, the negation of branch s2^(ns−1)).
			m0 := a[(s2>>1)&m] + E[s2&m] - c[s2&m]
			j := (s2 ^ top) & m
			m1 := a[((s2>>1)|half)&m] + E[j] + c[j]
			d := m1 - m0
			mask := d >> 31 // all ones when m1 < m0
			next[s2&m] = m0 + d&mask
			dec |= uint32(mask&1) << s2
		}
		if k < tr.nbits {
			if kb := tr.known[k]; kb >= 0 {
				for s2 := 1 - int(kb); s2 < ns; s2 += 2 {
					next[s2&m] = forbid
				}
			}
		}
		// Renormalise on the best state (a forbidden one would let the
		// others drift down by 2^28 a step through a training sequence).
		ref := next[0]
		for s2 := 1; s2 < ns; s2++ {
			ref = min(ref, next[s2&m])
		}
		for s2 := 0; s2 < ns; s2++ {
			a[s2&m] = min(next[s2&m]-ref, forbid)
		}
		e.dec[k] = uint16(dec)
	}
	s := 0
	for i := 1; i < ns; i++ {
		if a[i&m] < a[s&m] {
			s = i
		}
	}
	for k := n - 1; k >= 0; k-- {
		if k < tr.nbits {
			hard[k] = int8(s & 1)
		}
		s = s>>1 | int(e.dec[k]>>s&1)<<(nt-2)
	}
	for k := 0; k < tr.nbits; k++ {
		if kb := tr.known[k]; kb >= 0 {
			hard[k] = kb
		}
	}
}

// maxLogMAP runs the forward-backward max-log-MAP (BCJR) search and
// leaves each bit's LLR (metric(1) − metric(0)) in e.llr.
func (e *equaliser) maxLogMAP(tr *training) {
	const m = states - 1 // index mask: no bounds checks
	ns, nt, off := e.ns, e.nt, e.off
	half, top := ns>>1, ns-1
	n := tr.nbits + nt - 1
	E := &e.refE
	// Forward; unknown start state.
	e.alpha[0] = [states]float32{}
	for k := 0; k < n; k++ {
		c := &e.corr[k]
		e.metrics(c, e.zeq[k+off])
		a, next := &e.alpha[k], &e.alpha[k+1]
		for s2 := 0; s2 < ns; s2++ {
			m0 := a[(s2>>1)&m] + E[s2&m] - c[s2&m]
			j := (s2 ^ top) & m
			m1 := a[((s2>>1)|half)&m] + E[j] + c[j]
			if m1 < m0 {
				m0 = m1
			}
			next[s2&m] = m0
		}
		if k < tr.nbits {
			if kb := tr.known[k]; kb >= 0 {
				for s2 := 1 - int(kb); s2 < ns; s2 += 2 {
					next[s2&m] = inf
				}
			}
		}
	}
	// Backward, with the soft output of each step: from state s, input u
	// goes to s2 = (s<<1|u)&(ns−1) through branch s<<1|u.
	var beta, prev [states]float32
	for k := n - 1; k >= 0; k-- {
		if k < tr.nbits {
			if kb := tr.known[k]; kb >= 0 {
				for s2 := 1 - int(kb); s2 < ns; s2 += 2 {
					beta[s2&m] = inf
				}
			}
		}
		a, c := &e.alpha[k], &e.corr[k]
		best0, best1 := 2*inf, 2*inf
		for s := 0; s < half; s++ {
			// Branches s<<1|u < ns: refE − c.
			b0, b1 := (s<<1)&m, (s<<1|1)&m
			m0 := E[b0] - c[b0] + beta[b0]
			m1 := E[b1] - c[b1] + beta[b1]
			as := a[s&m]
			if v := as + m0; v < best0 {
				best0 = v
			}
			if v := as + m1; v < best1 {
				best1 = v
			}
			if m1 < m0 {
				m0 = m1
			}
			prev[s&m] = m0
		}
		for s := half; s < ns; s++ {
			// Branches s<<1|u ≥ ns: refE[j] + c[j], j = (s<<1|u)^(2ns−1).
			s2 := (s << 1) & top
			j0, j1 := (s2^top)&m, ((s2|1)^top)&m
			m0 := E[j0] + c[j0] + beta[s2&m]
			m1 := E[j1] + c[j1] + beta[(s2|1)&m]
			as := a[s&m]
			if v := as + m0; v < best0 {
				best0 = v
			}
			if v := as + m1; v < best1 {
				best1 = v
			}
			if m1 < m0 {
				m0 = m1
			}
			prev[s&m] = m0
		}
		if k < tr.nbits {
			e.llr[k] = best1 - best0
		}
		beta = prev
	}
}

// softBits turns e.llr into soft bits and hard decisions: LLR = (metric(1)
// − metric(0)) / σ², positive means 0.
func (e *equaliser) softBits(hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, tr *training, noise, scale float64) {
	g := scale / noise
	for k := 0; k < tr.nbits; k++ {
		if kb := tr.known[k]; kb >= 0 {
			hard[k] = kb
			dst[k] = int8(127 - 254*int(kb))
			continue
		}
		// Rounded half away from zero and clipped, without a branch on
		// the sign, which near the sensitivity limit is a coin toss.
		v := float64(e.llr[k]) * g
		if v != v { // NaN from non-finite samples outside the training
			dst[k], hard[k] = 0, 0
			continue
		}
		// The magnitude is clipped at 127 on its bits (for positive
		// floats their order is the values'), an integer min: Go's
		// float min and max handle NaN and −0 with a longer sequence.
		b := math.Float64bits(v)
		sign := b & (1 << 63)
		v = math.Float64frombits(min(b&^sign, clip127) | sign)
		dst[k] = int8(v + math.Copysign(0.5, v))
		hard[k] = int8(math.Float32bits(e.llr[k]) >> 31 & b2u(e.llr[k] != 0))
	}
}

// clip127 is the bits of float64 127.
var clip127 = math.Float64bits(127)

// b2u is 1 for true, 0 for false.
func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// retune rebuilds e.zeq from the last run's input with the frequency
// offset freq (radians per symbol) removed, zero phase at the training
// centre as run does.
func (e *equaliser) retune(tr *training, freq float64) {
	n := tr.nbits + chanTaps - 1
	kc := float64(tr.start+tr.end-1) / 2
	s, c := math.Sincos(-freq * (float64(e.base-zPad) - kc))
	ph := complex(c, s)
	s, c = math.Sincos(-freq)
	step := complex(c, s)
	for i, v := range e.z[e.base : e.base+n] {
		pr, pi := float32(real(ph))*e.norm, float32(imag(ph))*e.norm
		e.zeq[i] = complex(real(v)*pr-imag(v)*pi, real(v)*pi+imag(v)*pr)
		ph *= step
	}
}

// finish equalises once more with soft output on the last channel
// estimate, when the last pass was a hard one.
func (e *equaliser) finish(hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, tr *training, scale float64) {
	e.equalise(hard, dst, tr, &e.h, e.noise, scale, true)
}

// reestimate fits the channel again by least squares over the whole burst,
// taking the last run's hard decisions as known symbols (decision-directed
// estimation): 26 training symbols leave an estimation error of about
// chanTaps/22 of the noise power, 0.8 dB of the signal-to-noise ratio at
// the operating point; 144 symbols leave 0.15 dB. It then equalises
// again. It returns false when the fit fails (the burst is kept as it
// was).
func (e *equaliser) reestimate(hard *[tdma.BurstBits]int8, dst *tdma.SoftBurst, tr *training, scale float64, soft bool) bool {
	// Normal equations BᵀB·h = Bᵀz over observations k = chanTaps−1 …
	// nbits−1, where every symbol b(k−l) is a decision or known. The
	// symbols are ±1: BᵀB counts agreements, Bᵀz adds and subtracts.
	var agree [chanTaps][chanTaps]int32 // in fact disagreements
	var atzRe, atzIm [chanTaps]float32
	var packed [3]uint64 // bit i: the decision on symbol i
	for k := 0; k < tr.nbits; k++ {
		packed[k>>6] |= uint64(hard[k]&1) << (k & 63)
	}
	n := tr.nbits
	// Bᵀz without a multiply per tap: observation k sees symbols k …
	// k−4, one of 32 patterns (bit l: the decision on k−l), so the
	// samples are first summed per pattern, and tap l's sum is then
	// the total less twice the patterns whose bit l says −1.
	var bre, bim [1 << chanTaps]float32
	pat := 0
	for k := 0; k < chanTaps-1; k++ {
		pat = pat<<1 | int(hard[k]&1)
	}
	var zz0, zz1 float32
	for k, z := range e.zeq[chanTaps-1 : n] {
		pat = (pat<<1 | int(hard[k+chanTaps-1]&1)) & (1<<chanTaps - 1)
		zr, zi := real(z), imag(z)
		bre[pat] += zr
		bim[pat] += zi
		if k&1 == 0 {
			zz0 += zr*zr + zi*zi
		} else {
			zz1 += zr*zr + zi*zi
		}
	}
	zz := zz0 + zz1
	var tr0, ti0 float32
	for p := range bre {
		tr0 += bre[p]
		ti0 += bim[p]
		for l := range chanTaps {
			if p>>l&1 != 0 {
				atzRe[l] += bre[p]
				atzIm[l] += bim[p]
			}
		}
	}
	for l := range chanTaps {
		atzRe[l] = tr0 - 2*atzRe[l]
		atzIm[l] = ti0 - 2*atzIm[l]
	}
	// Disagreements between symbols k−a and k−a−δ for k in chanTaps−1 …
	// n−1: bits i = k−a of packed XOR packed shifted up by δ.
	for dl := 1; dl < chanTaps; dl++ {
		var x [3]uint64
		for w := range x {
			sh := packed[w] << dl
			if w > 0 {
				sh |= packed[w-1] >> (64 - dl)
			}
			x[w] = packed[w] ^ sh
		}
		for a := 0; a+dl < chanTaps; a++ {
			agree[a][a+dl] = int32(popRange(&x, chanTaps-1-a, n-a))
		}
	}
	nobs := tr.nbits - (chanTaps - 1)
	var ata [chanTaps][chanTaps]float64
	for a := 0; a < chanTaps; a++ {
		ata[a][a] = float64(nobs)
		for c := a + 1; c < chanTaps; c++ {
			v := float64(nobs) - 2*float64(agree[a][c]) // agree counts disagreements
			ata[a][c], ata[c][a] = v, v
		}
	}
	inv := invert(ata)
	for l := range e.hvar {
		e.hvar[l] = inv[l][l]
	}
	var h [chanTaps]complex64
	var sig float64 // hᴴ·Bᵀz = ‖B·h‖² at the least-squares solution
	for l := range h {
		var re, im float64
		for k := range atzRe {
			re += inv[l][k] * float64(atzRe[k])
			im += inv[l][k] * float64(atzIm[k])
		}
		if re != re || im != im {
			return false
		}
		h[l] = complex(float32(re), float32(im))
		sig += re*float64(atzRe[l]) + im*float64(atzIm[l])
	}
	res := float64(zz) - sig
	if !(sig > 0) || math.IsInf(res, 0) || math.IsNaN(res) {
		return false
	}
	res = max(res, 0)
	noise := max(res/float64(nobs-chanTaps), sig/float64(nobs)*1e-5)
	e.equalise(hard, dst, tr, &h, noise, scale, soft)
	return true
}

// popRange counts the set bits i of x with lo ≤ i < hi.
func popRange(x *[3]uint64, lo, hi int) int {
	n := 0
	for w := range x {
		wlo, whi := max(lo-64*w, 0), min(hi-64*w, 64)
		if wlo >= whi {
			continue
		}
		v := x[w] >> wlo
		if whi-wlo < 64 {
			v &= 1<<(whi-wlo) - 1
		}
		n += bits.OnesCount64(v)
	}
	return n
}

// freqSlope measures the residual frequency offset of the last run, in
// radians per symbol, on the symbols within span of the training centre:
// after a first pass, decisions far from the training are unreliable when
// the offset is large.
func (e *equaliser) freqSlope(hard *[tdma.BurstBits]int8, tr *training, span int, free bool) float64 {
	// Residual phase slope: the phase of z against the re-modulated
	// decisions, in blocks of 8 symbols, fitted by least squares to a line
	// through zero at the training centre (where the channel estimate
	// fixed the phase) or, when free, to any line (after a fit over the
	// whole burst, which fixed the phase at the burst's centre of mass).
	// Large offsets need a narrow span first: the angles must stay
	// within ±π.
	const blk = 8
	kc := (tr.start + tr.end - 1) / 2
	nt, ns := e.nt, e.ns
	lo, hi := max(nt-1, kc-span), min(tr.nbits, kc+span)
	var sx, sy, sxx, sxy, n float64
	brMask := 2*ns - 1
	for k0 := lo; k0+blk <= hi; k0 += blk {
		// The decided branch of symbol k0−1: bits hard[k0−1−l] at l.
		br := 0
		for l := 1; l < nt; l++ {
			br |= int(hard[k0-l]&1) << (l - 1)
		}
		var pr, pi float32
		for k := k0; k < k0+blk; k++ {
			// The noiseless value of the decided branch (see branches),
			// conjugated.
			br = (br<<1 | int(hard[k]&1)) & brMask
			mr, mi := e.conjRe[br&(2*states-1)], e.conjIm[br&(2*states-1)]
			z := e.zeq[k+e.off]
			pr += real(z)*mr - imag(z)*mi
			pi += real(z)*mi + imag(z)*mr
		}
		p := complex(float64(pr), float64(pi))
		if p == 0 {
			continue
		}
		dk := float64(k0) + (blk-1)/2.0 - float64(kc)
		th := atan2Small(imag(p), real(p))
		sx, sy, sxx, sxy, n = sx+dk, sy+th, sxx+dk*dk, sxy+dk*th, n+1
	}
	num, den := sxy, sxx
	if free {
		num, den = sxy-sx*sy/n, sxx-sx*sx/n
	}
	if !(den > 0) || math.IsNaN(num) {
		return 0
	}
	return num / den
}

// atan2 is math.Atan2 to within 2e-5 radian (a degree-11 odd minimax
// polynomial on |t| ≤ 1), at a fraction of the cost: the phase slope fit
// takes 18 per burst and pass. It returns 0 for 0/0 and NaN for NaN.
func atan2(y, x float64) float64 {
	ax, ay := math.Abs(x), math.Abs(y)
	if ax == 0 && ay == 0 {
		return 0
	}
	swap := ay > ax
	t := ay / ax
	if swap {
		t = ax / ay
	}
	t2 := t * t
	a := t * (0.99997726 + t2*(-0.33262347+t2*(0.19354346+t2*(-0.11643287+t2*(0.05265332+t2*-0.01172120)))))
	if swap {
		a = math.Pi/2 - a
	}
	if x < 0 {
		a = math.Pi - a
	}
	// The sign of y is a coin toss around a phase near zero: no branch.
	return math.Copysign(a, y)
}

// atan2Small is atan2, with a shorter path for angles within ±0.38
// radian (|y| < 0.4·x), most of freqSlope's after the first correction:
// atan's series to t⁷ (error below t⁹/9, 3e-5 at the edge).
func atan2Small(y, x float64) float64 {
	if x > 0 && math.Abs(y) < 0.4*x {
		t := y / x
		t2 := t * t
		return t * (1 + t2*(-1.0/3+t2*(1.0/5-t2*(1.0/7))))
	}
	return atan2(y, x)
}

// viterbi2 is viterbi for the two-state trellis (nt = 2), the static
// channel's: the same fixed-point arithmetic, written out. Two states
// need only the difference of their metrics, dm = metric(1) − metric(0):
// each step waits on one add, one min and one subtract.
func (e *equaliser) viterbi2(hard *[tdma.BurstBits]int8, tr *training) {
	const scale = 1 << 10
	const forbid = int32(1 << 28)
	n := tr.nbits + 1
	off := e.off
	E0, E1 := int32(e.refE[0]*scale), int32(e.refE[1]*scale)
	r0r, r0i := e.refRe[0]*scale, e.refIm[0]*scale
	r1r, r1i := e.refRe[1]*scale, e.refIm[1]*scale
	var dm int32
	zeq := e.zeq[off : off+n]
	dec := e.dec[:n]
	known := tr.known[:tr.nbits]
	for k, z := range zeq {
		zr, zi := real(z), imag(z)
		c0 := int32(zr*r0r + zi*r0i)
		c1 := int32(zr*r1r + zi*r1i)
		// State 0 from 0 by branch 0, from 1 by branch 2 (−ref[1]);
		// state 1 from 0 by branch 1, from 1 by branch 3 (−ref[0]).
		// Metrics relative to state 0's.
		m0, m1 := E0-c0, dm+(E1+c1)
		n0 := min(m0, m1)
		mask0 := (m1 - m0) >> 31
		m0, m1 = E1-c1, dm+(E0+c0)
		n1 := min(m0, m1)
		mask1 := (m1 - m0) >> 31
		dm = n1 - n0
		if k < len(known) {
			switch known[k] {
			case 0:
				dm = forbid
			case 1:
				dm = -forbid
			}
		}
		dec[k] = uint16(mask0&1 | (mask1&1)<<1)
	}
	s := 0
	if dm < 0 {
		s = 1
	}
	for k := n - 1; k >= 0; k-- {
		if k < tr.nbits {
			hard[k] = int8(s)
		}
		s = int(dec[k] >> s & 1)
	}
	for k := 0; k < tr.nbits; k++ {
		if kb := tr.known[k]; kb >= 0 {
			hard[k] = kb
		}
	}
}

// maxLogMAP2 is maxLogMAP for the two-state trellis, written out. Each
// recursion is a chain of one add and one min a step, waiting on the
// last; the forward and backward recursions run in the same loop (the
// backward one from the end), so that the two chains overlap, and the
// soft outputs follow from what they stored in a loop that waits on
// nothing.
func (e *equaliser) maxLogMAP2(tr *training) {
	n := tr.nbits + 1
	off := e.off
	E0, E1 := e.refE[0], e.refE[1]
	r0r, r0i := e.refRe[0], e.refIm[0]
	r1r, r1i := e.refRe[1], e.refIm[1]
	zeq := e.zeq[off : off+n]
	known := tr.known[:tr.nbits]
	alpha := e.alpha2[:n+1]
	beta := e.beta2[:n]
	corr := e.corr2[:n]
	for k, z := range zeq {
		zr, zi := real(z), imag(z)
		corr[k][0], corr[k][1] = zr*r0r+zi*r0i, zr*r1r+zi*r1i
	}
	var a0, a1, b0, b1 float32
	alpha[0][0], alpha[0][1] = 0, 0
	for k := range corr {
		// Forward, step k.
		c0, c1 := corr[k][0], corr[k][1]
		n0 := min(a0+(E0-c0), a1+(E1+c1))
		n1 := min(a0+(E1-c1), a1+(E0+c0))
		if k < len(known) {
			switch known[k] {
			case 0:
				n1 = inf
			case 1:
				n0 = inf
			}
		}
		a0, a1 = n0, n1
		alpha[k+1][0], alpha[k+1][1] = n0, n1
		// Backward, step kb: the metrics after it, then before.
		kb := n - 1 - k
		if kb < len(known) {
			switch known[kb] {
			case 0:
				b1 = inf
			case 1:
				b0 = inf
			}
		}
		beta[kb][0], beta[kb][1] = b0, b1
		c0, c1 = corr[kb][0], corr[kb][1]
		// From state 0: branch 0 (to 0) and 1 (to 1); from state 1:
		// branch 2 (−ref[1], to 0) and 3 (−ref[0], to 1).
		b0, b1 = min(E0-c0+b0, E1-c1+b1), min(E1+c1+b0, E0+c0+b1)
	}
	llr := e.llr[:tr.nbits]
	for k := range llr {
		c0, c1 := corr[k][0], corr[k][1]
		a0, a1 := alpha[k][0], alpha[k][1]
		b0, b1 := beta[k][0], beta[k][1]
		m00, m01 := E0-c0+b0, E1-c1+b1
		m10, m11 := E1+c1+b0, E0+c0+b1
		llr[k] = min(a0+m01, a1+m11) - min(a0+m00, a1+m10)
	}
}

// symbols writes each symbol's sample with the other taps' interference
// removed on the decisions hard, over the strongest tap of the last
// channel estimate (see Demodulator.Symbols).
func (e *equaliser) symbols(dst *[tdma.BurstBits]complex64, hard *[tdma.BurstBits]int8) {
	h := &e.h
	ls := 0
	for l := range h {
		if real(h[l])*real(h[l])+imag(h[l])*imag(h[l]) > real(h[ls])*real(h[ls])+imag(h[ls])*imag(h[ls]) {
			ls = l
		}
	}
	p := real(h[ls])*real(h[ls]) + imag(h[ls])*imag(h[ls])
	if !(p > 0) {
		clear(dst[:])
		return
	}
	inv := complex(real(h[ls])/p, -imag(h[ls])/p) // 1/h[ls]
	for k := range dst {
		j := k + ls // the sample where symbol k meets tap ls
		v := e.zeq[j]
		for l, hl := range h {
			if i := j - l; l != ls && i >= 0 && i < tdma.BurstBits {
				v -= hl * complex(bsym(hard[i]), 0)
			}
		}
		dst[k] = v * inv
	}
}
