package fr

// Encoder is the GSM 06.10 encoder, TS 46.010 §5.2. Its zero value is an
// encoder in the home state (all memories zero); it is not safe for
// concurrent use.
type Encoder struct {
	z1    int16      // offset compensation, §5.2.2
	lz2   int32      // offset compensation, §5.2.2
	mp    int16      // preemphasis, §5.2.3
	u     [8]int16   // short-term analysis filter memory, §5.2.10
	larpp [8]int16   // decoded LARs of the previous frame, §5.2.9
	dp    [120]int16 // reconstructed short-term residual dp(-120..-1), §5.2.18
}

// NewEncoder returns an encoder in the home state.
func NewEncoder() *Encoder { return &Encoder{} }

// Reset returns the encoder to the home state.
func (e *Encoder) Reset() { *e = Encoder{} }

// Encode codes 160 samples of 8 kHz 16-bit linear PCM into a 33-byte frame.
func (e *Encoder) Encode(dst *[FrameSize]byte, pcm *[FrameSamples]int16) {
	var p Params
	e.EncodeParams(&p, pcm)
	p.Pack(dst)
}

// EncodeParams codes 160 samples into the 76 codec parameters.
func (e *Encoder) EncodeParams(p *Params, pcm *[FrameSamples]int16) {
	var s [FrameSamples]int16
	e.preprocess(&s, pcm)

	var larc [8]int16
	lpcAnalysis(&larc, &s)
	for i := range larc {
		p.LARc[i] = uint8(larc[i])
	}

	// Short-term analysis filtering with interpolated coefficients,
	// §5.2.8–5.2.10; s becomes the short-term residual d.
	var larpp, rp [8]int16
	decodeLAR(&larpp, &larc)
	for seg, r := range larSegments {
		interpolateLAR(&rp, &e.larpp, &larpp, seg)
		larpToRp(&rp)
		shortTermAnalysis(&e.u, &rp, s[r[0]:r[1]])
	}
	e.larpp = larpp

	for j := 0; j < 4; j++ {
		d := (*[40]int16)(s[40*j:])
		sf := &p.Sub[j]

		// Long-term prediction, §5.2.11–5.2.12.
		nc, bc := ltpParams(d, &e.dp)
		sf.Nc, sf.Bc = uint8(nc), uint8(bc)
		var dpp, res [40]int16
		bp := ltpQLB[bc]
		for k := 0; k < 40; k++ {
			dpp[k] = multR(bp, e.dp[120+k-int(nc)])
			res[k] = sub(d[k], dpp[k])
		}

		// RPE encoding, §5.2.13–5.2.17.
		var x [40]int16
		var xM, xMc, xMp [13]int16
		weighting(&x, &res)
		mc := gridSelect(&xM, &x)
		xmaxc := apcmQuantize(&xMc, &xM)
		sf.Mc, sf.Xmaxc = uint8(mc), uint8(xmaxc)
		for i := range xMc {
			sf.XMc[i] = uint8(xMc[i])
		}
		apcmDequantize(&xMp, &xMc, xmaxc)
		var ep [40]int16
		gridPosition(&ep, &xMp, mc)

		// Update of the reconstructed short-term residual, §5.2.18.
		copy(e.dp[:80], e.dp[40:])
		for k := 0; k < 40; k++ {
			e.dp[80+k] = add(ep[k], dpp[k])
		}
	}
}

// preprocess is the downscaling, offset compensation and preemphasis of
// §5.2.1–5.2.3.
func (e *Encoder) preprocess(s *[FrameSamples]int16, pcm *[FrameSamples]int16) {
	z1, lz2, mp := e.z1, e.lz2, e.mp
	for k, v := range pcm {
		so := v >> 3 << 2 // §5.2.1

		// Offset compensation, §5.2.2 (cannot overflow).
		s1 := so - z1
		z1 = so
		ls2 := int32(s1) << 15
		msp := int16(lz2 >> 15)
		lsp := lz2 - int32(msp)<<15
		ls2 += int32(multR(int16(lsp), 32735))
		lz2 = lAdd(lMult(msp, 32735)>>1, ls2)

		// Preemphasis, §5.2.3.
		lt := lAdd(lz2, 16384)
		msp = multR(mp, -28180)
		mp = int16(lt >> 15)
		s[k] = add(mp, msp)
	}
	e.z1, e.lz2, e.mp = z1, lz2, mp
}

// lpcAnalysis is the LPC analysis of §5.2.4–5.2.7: autocorrelation,
// Schur recursion, reflection coefficients to LAR, and coding of the LARs.
// It leaves s rescaled as §5.2.4 prescribes, which the short-term analysis
// filter then works on.
func lpcAnalysis(larc *[8]int16, s *[FrameSamples]int16) {
	// Autocorrelation with dynamic scaling, §5.2.4.
	var smax int16
	for _, v := range s {
		if t := abs16(v); t > smax {
			smax = t
		}
	}
	var scalauto int16
	if smax != 0 {
		scalauto = 4 - norm(int32(smax)<<16)
	}
	if scalauto > 0 {
		t := int16(16384 >> uint(scalauto-1))
		for k := range s {
			s[k] = multR(s[k], t)
		}
	}
	// After scaling |s| <= 2^11, so 160 products of L_mult stay below
	// 2^31: the L_add chain of the spec never saturates.
	var lacf [9]int32
	for k := 0; k <= 8; k++ {
		var acc int32
		for i := k; i < FrameSamples; i++ {
			acc += int32(s[i]) * int32(s[i-k])
		}
		lacf[k] = acc << 1
	}
	if scalauto > 0 {
		for k := range s {
			s[k] <<= uint(scalauto)
		}
	}

	// Schur recursion, §5.2.5.
	var r [9]int16 // r[1..8]
	if lacf[0] != 0 {
		schur(&r, &lacf)
	}

	// Transformation of reflection coefficients to log-area ratios, §5.2.6,
	// and their quantisation and coding, §5.2.7.
	for i := 0; i < 8; i++ {
		t := abs16(r[i+1])
		switch {
		case t < 22118:
			t >>= 1
		case t < 31130:
			t = sub(t, 11059)
		default:
			t = sub(t, 26112) << 2
		}
		if r[i+1] < 0 {
			t = sub(0, t)
		}
		t = mult(larA[i], t)
		t = add(t, larB[i])
		t = add(t, 256)
		t >>= 9
		if t > larMAC[i] {
			t = larMAC[i]
		} else if t < larMIC[i] {
			t = larMIC[i]
		}
		larc[i] = sub(t, larMIC[i])
	}
}

// schur computes the reflection coefficients r[1..8] from a non-zero
// autocorrelation, §5.2.5.
func schur(r *[9]int16, lacf *[9]int32) {
	var acf, p, k [9]int16
	t := norm(lacf[0])
	for i := 0; i <= 8; i++ {
		acf[i] = int16((lacf[i] << uint(t)) >> 16)
	}
	for i := 1; i <= 7; i++ {
		k[9-i] = acf[i]
	}
	p = acf
	for n := 1; n <= 8; n++ {
		if p[0] < abs16(p[1]) {
			for i := n; i <= 8; i++ {
				r[i] = 0
			}
			return
		}
		r[n] = div(abs16(p[1]), p[0])
		if p[1] > 0 {
			r[n] = sub(0, r[n])
		}
		if n == 8 {
			return
		}
		p[0] = add(p[0], multR(p[1], r[n]))
		for m := 1; m <= 8-n; m++ {
			p[m] = add(p[m+1], multR(k[9-m], r[n]))
			k[9-m] = add(k[9-m], multR(p[m+1], r[n]))
		}
	}
}

// ltpParams computes the LTP lag Nc and gain index bc for one subframe of
// residual d, searching the reconstructed residual dp(-120..-1), §5.2.11.
func ltpParams(d *[40]int16, dp *[120]int16) (nc, bc int16) {
	var dmax int16
	for _, v := range d {
		if t := abs16(v); t > dmax {
			dmax = t
		}
	}
	var t int16
	if dmax != 0 {
		t = norm(int32(dmax) << 16)
	}
	var scal int16
	if t <= 6 {
		scal = 6 - t
	}
	var wt [40]int16
	for k := range d {
		wt[k] = d[k] >> uint(scal)
	}

	// Cross-correlation search over lags 40..120. The scaling above keeps
	// |wt| < 2^9, so each L_mult is below 2^25 and the sum of 40 cannot
	// saturate: plain integer arithmetic gives the same result as the
	// L_add/L_mult of the spec, with the doubling of L_mult done once.
	var lmax int32
	nc = 40
	for lambda := 40; lambda <= 120; lambda++ {
		var acc int32
		seg := (*[40]int16)(dp[120-lambda:])
		for k := 0; k < 40; k++ {
			acc += int32(wt[k]) * int32(seg[k])
		}
		if acc > lmax {
			nc = int16(lambda)
			lmax = acc
		}
	}
	lmax <<= 1
	lmax >>= uint(6 - scal)

	// Power of the chosen segment.
	var lpower int32
	base := 120 - int(nc)
	for k := 0; k < 40; k++ {
		w := dp[base+k] >> 3
		lpower = lAdd(lpower, lMult(w, w))
	}

	// Coding of the gain.
	if lmax <= 0 {
		return nc, 0
	}
	if lmax >= lpower {
		return nc, 3
	}
	t = norm(lpower)
	rr := int16((lmax << uint(t)) >> 16)
	ss := int16((lpower << uint(t)) >> 16)
	for bc = 0; bc <= 2; bc++ {
		if rr <= mult(ss, ltpDLB[bc]) {
			break
		}
	}
	return nc, bc
}
