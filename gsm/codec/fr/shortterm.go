package fr

// Short-term (LPC) parts shared by encoder and decoder.

// decodeLAR is the decoding of the coded log-area ratios, TS 46.010 §5.2.8
// (and §5.3.3 in the decoder): LARpp(i) = (LARc(i) + MIC(i) - B(i)) / A(i).
func decodeLAR(larpp *[8]int16, larc *[8]int16) {
	for i := 0; i < 8; i++ {
		t1 := add(larc[i], larMIC[i]) << 10
		t2 := larB[i] << 1
		t1 = sub(t1, t2)
		t1 = multR(larINVA[i], t1)
		larpp[i] = add(t1, t1)
	}
}

// Segments of the frame over which the LARs are interpolated, §5.2.9.1.
var larSegments = [4][2]int{{0, 13}, {13, 27}, {27, 40}, {40, 160}}

// interpolateLAR computes LARp for segment seg of the frame from the
// previous frame's LARpp (prev) and this frame's (cur), §5.2.9.1.
func interpolateLAR(larp *[8]int16, prev, cur *[8]int16, seg int) {
	for i := 0; i < 8; i++ {
		switch seg {
		case 0: // 3/4 prev + 1/4 cur
			t := add(prev[i]>>2, cur[i]>>2)
			larp[i] = add(t, prev[i]>>1)
		case 1: // 1/2 prev + 1/2 cur
			larp[i] = add(prev[i]>>1, cur[i]>>1)
		case 2: // 1/4 prev + 3/4 cur
			t := add(prev[i]>>2, cur[i]>>2)
			larp[i] = add(t, cur[i]>>1)
		default:
			larp[i] = cur[i]
		}
	}
}

// larpToRp converts interpolated LARs to reflection coefficients,
// §5.2.9.2, in place.
func larpToRp(rp *[8]int16) {
	for i := 0; i < 8; i++ {
		t := abs16(rp[i])
		switch {
		case t < 11059:
			t <<= 1
		case t < 20070:
			t = add(t, 11059)
		default:
			t = add(t>>2, 26112)
		}
		if rp[i] < 0 {
			t = sub(0, t)
		}
		rp[i] = t
	}
}

// shortTermAnalysis is the short-term analysis lattice filter, §5.2.10.
// It filters s in place into the short-term residual d.
func shortTermAnalysis(u *[8]int16, rp *[8]int16, s []int16) {
	for k := range s {
		di := s[k]
		sav := di
		for i := 0; i < 8; i++ {
			ui := u[i]
			t := add(ui, multR(rp[i], di))
			di = add(di, multR(rp[i], ui))
			u[i] = sav
			sav = t
		}
		s[k] = di
	}
}

// shortTermSynthesis is the short-term synthesis lattice filter, §5.3.4.
// It filters the residual in wt into sr.
func shortTermSynthesis(v *[9]int16, rrp *[8]int16, wt, sr []int16) {
	for k := range wt {
		sri := wt[k]
		for i := 7; i >= 0; i-- {
			sri = sub(sri, multR(rrp[i], v[i]))
			v[i+1] = add(v[i], multR(rrp[i], sri))
		}
		v[0] = sri
		sr[k] = sri
	}
}
