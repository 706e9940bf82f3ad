package limetest

import (
	"math"
	"math/rand/v2"

	"github.com/gsmbox/gsmbox/dsp/radio"
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

// RXImpairment is the receiver's own error on the loopback: a DC offset
// (complex, full scale 1), IQ imbalance (Q gain relative to I, phase)
// and white Gaussian noise of NoiseDBFS (0: none), seeded by
// Config.Seed.
type RXImpairment struct {
	DC        complex128
	GainQ     float64 // 0 or 1 = balanced
	PhaseRad  float64
	NoiseDBFS float64
}

// DCStep is the full-scale fraction one TX DC corrector code adds.
const DCStep = 1.0 / 1024

// LMS7002M registers and bits of the loopback (datasheet register map).
const (
	regTRF     = 0x0100 // PD_TXPAD_TRF[1], EN_G_TRF[0]
	regTXPAD   = 0x0101 // EN_LOOPB_TXPAD_TRF[0]
	regTRFBand = 0x0103 // SEL_BAND2_TRF[10]
	regRFE     = 0x010C // PD_RLOOPB_1_RFE[6], PD_RLOOPB_2_RFE[5]
	regRFEPath = 0x010D // SEL_PATH_RFE[8:7], EN_INSHSW_LB1_RFE[4], EN_INSHSW_LB2_RFE[3]
)

// txModel is the TX chain (correctors and impairment) as the registers
// set it.
type txModel struct {
	gi, gq, t, di, dq float64
	g, s, c           float64
	leak              complex128
}

func (f *Fake) txModel() txModel {
	reg := func(a uint16) uint16 { return f.Chip.Reg(a) }
	ph := int16(reg(0x0203)<<4) >> 4 // 12-bit signed
	dc := reg(0x0204)
	m := txModel{
		gq: float64(reg(0x0201)&0x7ff) / 2048, gi: float64(reg(0x0202)&0x7ff) / 2048,
		t:  float64(ph) / 2048,
		di: float64(int8(dc>>8)) * DCStep, dq: float64(int8(dc)) * DCStep,
		g: f.cfg.Impairment.GainQ, leak: f.cfg.Impairment.LOLeak,
	}
	if m.g == 0 {
		m.g = 1
	}
	m.s, m.c = math.Sincos(f.cfg.Impairment.PhaseRad)
	return m
}

func (m *txModel) apply(x complex64) complex128 {
	xi, xq := float64(real(x))*m.gi, float64(imag(x))*m.gq
	xq += m.t * xi
	xi, xq = xi+m.di, xq+m.dq
	return complex(xi, m.g*(xq*m.c-xi*m.s)) + m.leak
}

// Loopback fills dst with what the TX chain makes of src with the
// correctors in force and the impairment: the model alone, without the
// stream, the RF loopback or the receiver (the calibration's unit
// seam). len(dst) must equal len(src). The stream-level loopback is
// below.
func (f *Fake) Loopback(dst, src []complex64) {
	m := f.txModel()
	for i, x := range src {
		dst[i] = complex64(m.apply(x))
	}
}

// padOn reports whether the chip model's TX pad is powered and the TRF
// enabled: what leaves the antenna port.
func (f *Fake) padOn() bool {
	v := f.Chip.Reg(regTRF)
	return v&2 == 0 && v&1 == 1
}

// loopbackRouted reports whether the TX pad's loopback tap is enabled.
func (f *Fake) loopbackRouted() bool { return f.Chip.Reg(regTXPAD)&1 == 1 }

// loopback reports whether the chip model is in its TX→RX RF loopback:
// the TRF enabled with its pad loopback tap on (EN_G_TRF = 1,
// EN_LOOPB_TXPAD_TRF = 1) and the RX front end fed from the loopback
// that matches the TX band: band 2 (SEL_BAND2_TRF = 1) is loopback 2
// on the LNAL path (SEL_PATH_RFE = 2, PD_RLOOPB_2_RFE = 0,
// EN_INSHSW_LB2_RFE = 0), band 1 loopback 1 on the LNAW path
// (SEL_PATH_RFE = 3, PD_RLOOPB_1_RFE = 0, EN_INSHSW_LB1_RFE = 0). The
// fake then treats the antenna as out of the RX path: the RX samples
// are the loopback alone, and the TX reaches the air only if the pad is
// powered.
func (f *Fake) loopback() bool {
	if f.Chip.Reg(regTRF)&1 == 0 || !f.loopbackRouted() {
		return false
	}
	rfe, path := f.Chip.Reg(regRFE), f.Chip.Reg(regRFEPath)
	sel := path >> 7 & 3
	if f.Chip.Reg(regTRFBand)>>10&1 == 1 {
		return sel == 2 && rfe>>5&1 == 0 && path>>3&1 == 0
	}
	return sel == 3 && rfe>>6&1 == 0 && path>>4&1 == 0
}

// chipRate is the RX sample rate the chip model is clocked for: CGEN
// ((INT + 1 + FRAC/2^20) × ref / (2 × (DIV_OUTCH + 1)), 0x0087..0x0089)
// over the TSP divider (2^CLKH_OV_CLKL_CGEN, 0x0089[12:11]) over the
// decimation (2^(HBD_OVR_RXTSP + 1), 0x0403[14:12]); radio.SampleRate4
// when CGEN is not set.
func (f *Fake) chipRate() float64 {
	in, div, hbd := f.Chip.Reg(0x0088), f.Chip.Reg(0x0089), f.Chip.Reg(0x0403)
	cgen := f.Chip.CGENVCOHz() / float64(2*(int(div>>3&0xff)+1))
	if in == 0 || cgen <= 0 {
		return radio.SampleRate4
	}
	return cgen / float64(uint(1)<<(div>>11&3)) / float64(uint(2)<<(hbd>>12&7))
}

const lbRingSize = 1 << 16

// loopStore keeps TX samples for the RX counter at (stamp + Delay); the
// caller holds mu.
func (f *Fake) loopStore(src []complex64, at uint64) {
	if f.lbRing == nil {
		f.lbRing = make([]complex64, lbRingSize)
	}
	for i, v := range src {
		if at+uint64(i) < f.counter {
			// Already received: on the chip these samples went round
			// the loop after the receiver took that instant. Stored,
			// they would stay in the ring and come back a lap later.
			continue
		}
		f.lbRing[(at+uint64(i))&(lbRingSize-1)] = v
	}
	if end := at + uint64(len(src)); end > f.lbEnd {
		f.lbEnd = end
	}
}

// loopFill renders RX samples c … c+len(buf)−1 from the loopback: the TX
// samples sent for them, through the TX correctors in force and the
// Impairment, the loopback's gain, the RX LO's offset from the TX LO
// (read from SXR and SXT: e^{j(2π(fTX−fRX)t/rate + LOPhaseRad)}, t the
// board's sample counter) and the RXImpairment. The caller holds mu.
func (f *Fake) loopFill(buf []complex64, c uint64) {
	if f.lbRing == nil {
		f.lbRing = make([]complex64, lbRingSize)
	}
	m := f.txModel()
	fs := f.cfg.SampleRate
	if fs == 0 {
		fs = f.chipRate()
	}
	ratio := (f.TXFrequency() - f.RXFrequency()) / fs
	gain := math.Pow(10, f.cfg.LoopGainDB/20)
	if f.cfg.LoopGainDB == 0 {
		gain = math.Pow(10, -12.0/20)
	}
	if f.cfg.BrokenLoopback {
		gain = 0
	}
	rx := f.cfg.RXImpairment
	rg := rx.GainQ
	if rg == 0 {
		rg = 1
	}
	rs, rc := math.Sincos(rx.PhaseRad)
	var sd float64
	if rx.NoiseDBFS != 0 {
		if f.rxNoise == nil {
			f.rxNoise = rand.New(rand.NewPCG(f.cfg.Seed, 0x6c62))
		}
		sd = math.Sqrt(math.Pow(10, rx.NoiseDBFS/10) / 2)
	}
	base := math.Mod(ratio*float64(c), 1)
	for i := range buf {
		k := (c + uint64(i)) & (lbRingSize - 1)
		x := f.lbRing[k]
		f.lbRing[k] = 0
		s, co := math.Sincos(2*math.Pi*(base+ratio*float64(i)) + f.cfg.LOPhaseRad)
		z := m.apply(x)*complex(gain*co, gain*s) + rx.DC
		z = complex(real(z), rg*(imag(z)*rc-real(z)*rs))
		if sd > 0 {
			z += complex(sd*f.rxNoise.NormFloat64(), sd*f.rxNoise.NormFloat64())
		}
		buf[i] = complex64(z)
	}
}
