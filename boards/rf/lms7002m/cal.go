package lms7002m

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Loop sends src through the TX→RX loopback and returns what the
// receiver heard in dst (len(dst) == len(src)): the measurement seam of
// the host calibration. CalibrateTX calls it about twenty times, with
// the TX correctors changed between calls, and blocks on it.
//
// The contract: dst[n] is the TX chain's output for src (through the
// correctors in force and the analog chain) at sample n of the block,
// in the TX LO's frame (the LO leakage at DC, a tone at +k bins at +k),
// times one complex gain that is the same for every call (the
// loopback's attenuation and the phase between the TX and RX LOs), plus
// anything that lands on other bins of the block (the receiver's own DC
// and image, when the receiver's LO is offset and the loop mixes them
// away) and a little noise. lime.Loopback is the hardware loop (the
// chip's TX→RX RF loopback over the sample stream); limetest's
// Fake.Loopback is a model of the correctors alone, for tests.
type Loop func(dst, src []complex64) error

// TXCalibration is the result of CalibrateTX.
type TXCalibration struct {
	// DCI, DCQ are the TX DC corrector codes (LO leakage).
	DCI, DCQ int8
	// IQ is the gain and phase correction.
	IQ IQCorrection
	// LeakBeforeDBc, LeakAfterDBc are the LO leakage relative to the
	// test tone (amplitude 0.5, full scale 1) as the receiver heard it
	// with neutral correctors, before and after; ImageBeforeDBc,
	// ImageAfterDBc the image of the tone relative to the tone.
	LeakBeforeDBc, LeakAfterDBc   float64
	ImageBeforeDBc, ImageAfterDBc float64
	// Measurements counts loopback exchanges.
	Measurements int
}

const (
	calN    = 1024
	calBin  = 64 // tone at +64/1024 of the sample rate
	calTone = 0.5
)

// CalibrateTX searches the TX DC corrector (LO leakage) and the TX IQ
// gain and phase corrector (image) through loop, and leaves the best
// found loaded. Both searches are Newton steps on a measured 2×2
// Jacobian (the leakage is linear in the DC codes, the image close to
// linear in the log gain ratio and the phase), three rounds each, DC
// first (it does not depend on the IQ correction's phase at the tone's
// frequency). It starts from the neutral correctors. Its first exchange
// sends the tone alone to learn the loop's gain, the reference of the
// leakage figures (so they are dBc of the carrier, whatever the
// loopback's attenuation).
func (d *Dev) CalibrateTX(loop Loop) (TXCalibration, error) {
	var res TXCalibration
	src := make([]complex64, calN)
	dst := make([]complex64, calN)
	tone := make([]complex64, calN)
	for n := range tone {
		s, c := math.Sincos(2 * math.Pi * calBin * float64(n) / calN)
		tone[n] = complex64(complex(calTone*c, calTone*s))
	}
	bin := func(k int) complex128 {
		var acc complex128
		for n, v := range dst {
			s, c := math.Sincos(-2 * math.Pi * float64(k) * float64(n) / calN)
			acc += complex128(v) * complex(c, s)
		}
		return acc / calN
	}
	if err := d.SetIQCorrection(TX, IQCorrection{GainI: 1, GainQ: 1}); err != nil {
		return res, err
	}
	if err := d.SetTXDCCorrection(0, 0); err != nil {
		return res, err
	}
	// The loop's gain: the tone as heard, neutral correctors.
	copy(src, tone)
	if err := loop(dst, src); err != nil {
		return res, err
	}
	res.Measurements++
	ref := cmplx.Abs(bin(calBin))
	if ref < calTone*1e-4 {
		return res, fmt.Errorf("%w: the loopback returned no tone (%.1f dBFS)", ErrNoLoop, 20*math.Log10(ref+1e-12))
	}
	dbc := func(a float64) float64 { return 20 * math.Log10(a/ref+1e-12) }
	// LO leakage: the mean of what comes back of silence.
	leak := func(i, q float64) (complex128, error) {
		ci, cq := int8(max(-128, min(127, math.Round(i)))), int8(max(-128, min(127, math.Round(q))))
		if err := d.SetTXDCCorrection(ci, cq); err != nil {
			return 0, err
		}
		clear(src)
		if err := loop(dst, src); err != nil {
			return 0, err
		}
		res.Measurements++
		return bin(0), nil
	}
	var x, y float64
	m0, err := leak(0, 0)
	if err != nil {
		return res, err
	}
	res.LeakBeforeDBc = dbc(cmplx.Abs(m0))
	const dDC = 16
	for round := 0; round < 3; round++ {
		mi, err := leak(x+dDC, y)
		if err != nil {
			return res, err
		}
		mq, err := leak(x, y+dDC)
		if err != nil {
			return res, err
		}
		dx, dy, ok := solve((mi-m0)/dDC, (mq-m0)/dDC, -m0)
		if !ok {
			break
		}
		x, y = max(-128, min(127, x+dx)), max(-128, min(127, y+dy))
		if m0, err = leak(x, y); err != nil {
			return res, err
		}
	}
	res.DCI, res.DCQ = int8(math.Round(x)), int8(math.Round(y))
	res.LeakAfterDBc = dbc(cmplx.Abs(m0))

	// Image: the tone's mirror at −calBin relative to the tone.
	corr := func(u, p float64) IQCorrection {
		r := math.Exp(u) // GainQ/GainI
		c := IQCorrection{GainI: 1, GainQ: r, PhaseRad: p}
		if r > 1 {
			c = IQCorrection{GainI: 1 / r, GainQ: 1, PhaseRad: p}
		}
		return c
	}
	image := func(u, p float64) (complex128, error) {
		if err := d.SetIQCorrection(TX, corr(u, p)); err != nil {
			return 0, err
		}
		copy(src, tone)
		if err := loop(dst, src); err != nil {
			return 0, err
		}
		res.Measurements++
		return bin(-calBin) / bin(calBin), nil
	}
	var u, p float64
	r0, err := image(0, 0)
	if err != nil {
		return res, err
	}
	res.ImageBeforeDBc = 20 * math.Log10(cmplx.Abs(r0)+1e-12)
	const dU, dP = 0.02, 0.02
	for round := 0; round < 3; round++ {
		ru, err := image(u+dU, p)
		if err != nil {
			return res, err
		}
		rp, err := image(u, p+dP)
		if err != nil {
			return res, err
		}
		du, dp, ok := solve((ru-r0)/dU, (rp-r0)/dP, -r0)
		if !ok {
			break
		}
		u, p = max(-0.69, min(0.69, u+du)), max(-0.7, min(0.7, p+dp))
		if r0, err = image(u, p); err != nil {
			return res, err
		}
	}
	res.IQ = corr(u, p)
	res.ImageAfterDBc = 20 * math.Log10(cmplx.Abs(r0)+1e-12)
	if err := d.SetIQCorrection(TX, res.IQ); err != nil {
		return res, err
	}
	return res, nil
}

// solve finds real x, y with a·x + b·y = c (a, b, c complex: two real
// equations), false when singular.
func solve(a, b, c complex128) (x, y float64, ok bool) {
	det := real(a)*imag(b) - imag(a)*real(b)
	if math.Abs(det) < 1e-15 {
		return 0, 0, false
	}
	x = (real(c)*imag(b) - imag(c)*real(b)) / det
	y = (real(a)*imag(c) - imag(a)*real(c)) / det
	return x, y, true
}
