package fr

// Regular pulse excitation, TS 46.010 §5.2.13–5.2.18 and §5.3.1.

// weighting is the RPE weighting filter, §5.2.13: x = e * H with e zero
// outside 0..39, rounded and scaled by 4.
func weighting(x *[40]int16, e *[40]int16) {
	// The sum of |H| is 24798, so the filter sum stays below 2^31 and
	// only the two doublings can saturate.
	var ext [50]int16 // e(-5..44), zero outside 0..39
	copy(ext[5:45], e[:])
	for k := 0; k < 40; k++ {
		w := (*[11]int16)(ext[k:])
		r := int32(0)
		for i := 0; i < 11; i++ {
			r += int32(w[i]) * int32(rpeH[i])
		}
		r = r<<1 + 8192
		r = lAdd(r, r)
		r = lAdd(r, r)
		x[k] = int16(r >> 16)
	}
}

// gridSelect is the RPE grid selection, §5.2.14: the decimation phase Mc
// with the most energy, and the 13 samples of that grid.
func gridSelect(xM *[13]int16, x *[40]int16) int16 {
	var em int32
	var mc int16
	for m := 0; m < 4; m++ {
		var r int32
		for i := 0; i < 13; i++ {
			t := x[m+3*i] >> 2
			r = lAdd(lMult(t, t), r)
		}
		if r > em {
			mc = int16(m)
			em = r
		}
	}
	for i := 0; i < 13; i++ {
		xM[i] = x[int(mc)+3*i]
	}
	return mc
}

// xmaxcToExpMant derives the exponent and mantissa of the coded block
// amplitude, as in §5.2.15 and §5.3.1.
func xmaxcToExpMant(xmaxc int16) (exp, mant int16) {
	if xmaxc > 15 {
		exp = xmaxc>>3 - 1
	}
	mant = xmaxc - exp<<3
	if mant == 0 {
		exp = -4
		mant = 15
	} else {
		for i := 0; i < 3 && mant <= 7; i++ {
			mant = mant<<1 | 1
			exp--
		}
	}
	return exp, mant - 8
}

// apcmQuantize is the APCM quantisation of the selected RPE sequence,
// §5.2.15: the block maximum is coded on 6 bits (xmaxc) and each sample,
// normalised by it, on 3 bits (xMc).
func apcmQuantize(xMc *[13]int16, xM *[13]int16) (xmaxc int16) {
	var xmax int16
	for i := 0; i < 13; i++ {
		if t := abs16(xM[i]); t > xmax {
			xmax = t
		}
	}
	var exp int16
	t := xmax >> 9
	itest := false
	for i := 0; i < 6; i++ {
		if t <= 0 {
			itest = true
		}
		t >>= 1
		if !itest {
			exp++
		}
	}
	xmaxc = add(xmax>>uint(exp+5), exp<<3)

	exp, mant := xmaxcToExpMant(xmaxc)
	t1 := 6 - exp // 0..10
	t2 := rpeNRFAC[mant]
	for i := 0; i < 13; i++ {
		v := xM[i] << uint(t1)
		v = mult(v, t2)
		xMc[i] = v>>12 + 4
	}
	return xmaxc
}

// apcmDequantize is the APCM inverse quantisation, §5.2.16 (and §5.3.1 in
// the decoder).
func apcmDequantize(xMp *[13]int16, xMc *[13]int16, xmaxc int16) {
	exp, mant := xmaxcToExpMant(xmaxc)
	t1 := rpeFAC[mant]
	t2 := sub(6, exp)
	t3 := asl(1, sub(t2, 1))
	for i := 0; i < 13; i++ {
		v := (xMc[i]&7)<<1 - 7 // restore sign
		v <<= 12
		v = multR(t1, v)
		v = add(v, t3)
		xMp[i] = asr(v, t2)
	}
}

// gridPosition is the RPE grid positioning, §5.2.17: ep is zero except on
// grid Mc.
func gridPosition(ep *[40]int16, xMp *[13]int16, mc int16) {
	*ep = [40]int16{}
	mc &= 3
	for i := 0; i < 13; i++ {
		ep[int(mc)+3*i] = xMp[i]
	}
}
