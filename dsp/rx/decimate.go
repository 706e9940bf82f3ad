package rx

// The receiver's decimating front end: when the samples arrive at twice
// the receiver's rate (Config.InputSPS = 2·SPS, dsp/trx's cell receiving
// the transmitter's 4 sps at 2), a half-band low-pass filter halves the
// rate before the matched filter.
//
// The filter is the 11-tap maximally flat half-band filter (the Lagrange
// interpolator of order 5 as a half-band design),
//
//	h = (3, 0, −25, 0, 150, 256, 150, 0, −25, 0, 3) / 512,
//
// symmetric and centred, so it adds no delay and keeps the burst's timing.
// At the input rate Fs = 4·Rs (Rs the symbol rate, 270.833 kbaud) it
// passes GMSK's band (|f| ≤ Rs/2, 99 % of the power for BT 0.3, TS 45.004
// §2.6) within 0.22 dB and attenuates what folds onto it after the
// decimation (|f| ≥ 3Rs/2) by 32 dB or more (66 dB at 7Rs/4); what folds from Rs … 3Rs/2
// lands at Rs/2 … Rs, where the matched filter C0 removes it. Every
// other tap is zero, so an output costs three multiplications per real
// part and one for the centre.
const (
	hbC    = 256.0 / 512
	hb1    = 150.0 / 512
	hb3    = -25.0 / 512
	hb5    = 3.0 / 512
	hbHalf = 5 // taps either side of the centre
)

// decimate2 writes the half-band-filtered samples of x at indices start,
// start+2, start+4, … to dst, taking x as zero outside the slice.
func decimate2(dst, x []complex64, start int) {
	for j := range dst {
		c := start + 2*j
		if c-hbHalf < 0 || c+hbHalf >= len(x) {
			dst[j] = decimateAt(x, c)
			continue
		}
		xs := (*[2*hbHalf + 1]complex64)(x[c-hbHalf : c+hbHalf+1])
		re := hbC*real(xs[5]) + hb1*(real(xs[4])+real(xs[6])) + hb3*(real(xs[2])+real(xs[8])) + hb5*(real(xs[0])+real(xs[10]))
		im := hbC*imag(xs[5]) + hb1*(imag(xs[4])+imag(xs[6])) + hb3*(imag(xs[2])+imag(xs[8])) + hb5*(imag(xs[0])+imag(xs[10]))
		dst[j] = complex(re, im)
	}
}

// decimateAt is one output of decimate2 centred on index c of x, near or
// beyond the slice's ends.
func decimateAt(x []complex64, c int) complex64 {
	at := func(i int) complex64 {
		if i < 0 || i >= len(x) {
			return 0
		}
		return x[i]
	}
	return hbC*at(c) + hb1*(at(c-1)+at(c+1)) + hb3*(at(c-3)+at(c+3)) + hb5*(at(c-5)+at(c+5))
}
