package limetest

import (
	"math"
)

// Impairment is the analog TX chain's error the fake models behind the
// LMS7002M's digital correctors: LO leakage (a carrier at the LO, as a
// complex amplitude relative to full scale) and IQ imbalance (the Q
// branch's gain relative to I, and its phase error). The correctors,
// read from the chip model's registers, act before it, as on the chip:
// GCORRI/GCORRQ (0x0202/0x0201, gain in 1/2048) scale I and Q, IQCORR
// (0x0203, tan of the angle × 2048) adds that much of I into Q, and
// DCCORRI/DCCORRQ (0x0204, signed) add a DC offset of DCStep per code.
type Impairment struct {
	LOLeak   complex128
	GainQ    float64 // 1 = balanced
	PhaseRad float64
}

// DCStep is the full-scale fraction one TX DC corrector code adds.
const DCStep = 1.0 / 1024

// Loopback fills dst with what the RX side hears of src on the fake's
// internal TX→RX loopback: src through the TX correctors in force and
// the impairment. It is the measurement seam of a host calibration
// (lms7002m.CalibrateTX); a real board's loopback (the TRF→RFE loopback
// path and the stream) is not modelled. len(dst) must equal len(src).
func (f *Fake) Loopback(dst, src []complex64) {
	reg := func(a uint16) uint16 { return f.Chip.Reg(a) }
	gq := float64(reg(0x0201)&0x7ff) / 2048
	gi := float64(reg(0x0202)&0x7ff) / 2048
	ph := int16(reg(0x0203)<<4) >> 4 // 12-bit signed
	t := float64(ph) / 2048
	dc := reg(0x0204)
	di, dq := float64(int8(dc>>8))*DCStep, float64(int8(dc))*DCStep
	imp := f.cfg.Impairment
	g := imp.GainQ
	if g == 0 {
		g = 1
	}
	s, c := math.Sincos(imp.PhaseRad)
	for i, x := range src {
		xi, xq := float64(real(x))*gi, float64(imag(x))*gq
		xq += t * xi
		xi, xq = xi+di, xq+dq
		yi := xi
		yq := g * (xq*c - xi*s)
		y := complex(yi, yq) + imp.LOLeak
		dst[i] = complex64(y)
	}
}
