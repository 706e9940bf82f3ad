package lms7002m

import (
	"fmt"
	"math"
	"math/bits"

	"periph.io/x/conn/v3/physic"
)

// Registers of the digital side (LMS7002M datasheet register map: the
// LimeLight port 0x0021..0x002C, TxTSP 0x0200..0x020C and RxTSP
// 0x0400..0x040E, both banked by MAC like every channel register).
const (
	RegLMLCfg      = 0x0023 // MOD_EN[6], LML2_FIDM[5], LML2_TXNRXIQ[4], LML2_MODE[3], LML1_FIDM[2], LML1_TXNRXIQ[1], LML1_MODE[0]
	RegLML1Pos     = 0x0024 // LML1 sample positions S3S..S0S[15:8], BQP..AIP[7:0]
	RegLML2Pos     = 0x0027 // LML2 sample positions
	RegLMLMux      = 0x002A // RX_MUX[11:10], TX_MUX[9:8], TXRDCLK_MUX[7:6], TXWRCLK_MUX[5:4], RXRDCLK_MUX[3:2], RXWRCLK_MUX[1:0]
	RegLMLClk      = 0x002B // MCLK2SRC[5:4], MCLK1SRC[3:2], TXDIVEN[1], RXDIVEN[0]
	RegLMLDiv      = 0x002C // TXTSPCLKA_DIV[15:8], RXTSPCLKA_DIV[7:0]
	RegCGENClkDiv  = 0x0089 // CLKH_OV_CLKL_CGEN[12:11]
	RegTXTSP       = 0x0200 // EN_TXTSP[0]
	RegTXGCorrQ    = 0x0201 // GCORRQ_TXTSP[10:0]
	RegTXGCorrI    = 0x0202 // GCORRI_TXTSP[10:0]
	RegTXIQCorr    = 0x0203 // HBI_OVR_TXTSP[14:12], IQCORR_TXTSP[11:0]
	RegTXDCCorr    = 0x0204 // DCCORRI_TXTSP[15:8], DCCORRQ_TXTSP[7:0]
	RegTXTSPBypass = 0x0208 // CMIX_BYP[8], ISINC_BYP[7], GFIR3_BYP[6], GFIR2_BYP[5], GFIR1_BYP[4], DC_BYP[3], GC_BYP[1], PH_BYP[0]
	RegRXTSP       = 0x0400 // EN_RXTSP[0]
	RegRXGCorrQ    = 0x0401 // GCORRQ_RXTSP[10:0]
	RegRXGCorrI    = 0x0402 // GCORRI_RXTSP[10:0]
	RegRXIQCorr    = 0x0403 // HBD_OVR_RXTSP[14:12], IQCORR_RXTSP[11:0]
	RegRXDCAvg     = 0x0404 // DCCORR_AVG_RXTSP[2:0]
	RegRXTSPBypass = 0x040C // CMIX_BYP[7], AGC_BYP[6], GFIR3_BYP[5], GFIR2_BYP[4], GFIR1_BYP[3], DC_BYP[2], GC_BYP[1], PH_BYP[0]
)

var (
	fCLKHOvCLKL = Field{RegCGENClkDiv, 12, 11, "CLKH_OV_CLKL_CGEN"}
	fHBI        = Field{RegTXIQCorr, 14, 12, "HBI_OVR_TXTSP"}
	fHBD        = Field{RegRXIQCorr, 14, 12, "HBD_OVR_RXTSP"}
	fTXIQCorr   = Field{RegTXIQCorr, 11, 0, "IQCORR_TXTSP"}
	fRXIQCorr   = Field{RegRXIQCorr, 11, 0, "IQCORR_RXTSP"}
	fTXGCorrQ   = Field{RegTXGCorrQ, 10, 0, "GCORRQ_TXTSP"}
	fTXGCorrI   = Field{RegTXGCorrI, 10, 0, "GCORRI_TXTSP"}
	fRXGCorrQ   = Field{RegRXGCorrQ, 10, 0, "GCORRQ_RXTSP"}
	fRXGCorrI   = Field{RegRXGCorrI, 10, 0, "GCORRI_RXTSP"}
	fRXDCAvg    = Field{RegRXDCAvg, 2, 0, "DCCORR_AVG_RXTSP"}
	fENTXTSP    = Field{RegTXTSP, 0, 0, "EN_TXTSP"}
	fENRXTSP    = Field{RegRXTSP, 0, 0, "EN_RXTSP"}
)

// LimeLight register values for the LimeSDR Mini / LimeNET Micro wiring:
// port 1 carries TX samples into the chip, port 2 RX samples out, both
// in TRXIQ mode, one channel (SISO), I then Q on the two edges of MCLK
// (DDR).
const (
	lmlCfg = 1<<6 | 1<<1 // MOD_EN, LML1_TXNRXIQ = TXIQ, LML2 = RXIQ, TRXIQ mode
	lmlPos = 0xE4E4      // identity sample positions (AI, AQ, BI, BQ)
	// RX_MUX = RxTSP, TX_MUX = port 1, TXRDCLK = TxTSPCLK, TXWRCLK =
	// FCLK1, RXRDCLK = FCLK2, RXWRCLK = RxTSPCLK.
	lmlMux = 2<<6 | 0<<4 | 1<<2 | 2
	// MCLK1 from TxTSPCLKA after its divider, MCLK2 from RxTSPCLKA after
	// its divider; both dividers enabled.
	lmlClk = 0<<2 | 1<<4 | 1<<1 | 1
	// The TSP clock is CGEN / 4 (CLKH_OV_CLKL_CGEN = 2).
	tspPerCGEN = 4
)

// StreamPlan is the clocking of a stream: the interface sample rate, the
// half-band interpolation (TX, HBI) and decimation (RX, HBD) ratio, the
// converter (TSP) clock and the CGEN frequency.
type StreamPlan struct {
	RateHz  float64 // LimeLight sample rate: 1625/6 kHz × SPS
	SPS     int
	Ratio   int    // HBI/HBD ratio, 2..32
	HBOVR   uint16 // HBI_OVR/HBD_OVR: log2(Ratio) − 1
	TSPHz   float64
	CGENHz  float64
	MCLKDiv uint16 // TXTSPCLKA_DIV/RXTSPCLKA_DIV: MCLK = TSP / (2(DIV+1)) = RateHz
}

// GSMRate is the GSM symbol rate, 1625/6 kHz (3GPP TS 45.004 §2).
const GSMRate = 1625e3 / 6

// cgenMax is the highest CGEN output the datasheet allows.
const cgenMax = 640e6

// PlanStream plans the clocks for a GSM stream at sps samples per symbol
// (1, 2 or 4) as osmo-trx runs the Lime: both directions at 1625/6 kHz ×
// sps. ratio 0 picks the largest half-band ratio (most digital filtering)
// that keeps CGEN within 640 MHz and inside its VCO's reach.
func PlanStream(ref physic.Frequency, sps, ratio int) (StreamPlan, error) {
	if sps != 1 && sps != 2 && sps != 4 {
		return StreamPlan{}, fmt.Errorf("%w: %d samples per symbol (1, 2 or 4)", ErrRange, sps)
	}
	rate := GSMRate * float64(sps)
	try := []int{32, 16, 8, 4, 2}
	if ratio != 0 {
		if ratio < 2 || ratio > 32 || ratio&(ratio-1) != 0 {
			return StreamPlan{}, fmt.Errorf("%w: half-band ratio %d (2, 4, 8, 16 or 32)", ErrRange, ratio)
		}
		try = []int{ratio}
	}
	for _, r := range try {
		p := StreamPlan{RateHz: rate, SPS: sps, Ratio: r, HBOVR: uint16(bits.TrailingZeros(uint(r)) - 1)}
		p.TSPHz = rate * float64(r)
		p.CGENHz = p.TSPHz * tspPerCGEN
		p.MCLKDiv = uint16(r/2 - 1)
		if p.CGENHz > cgenMax {
			continue
		}
		if _, err := ComputeCGEN(ref, physic.Frequency(math.Round(p.CGENHz))*physic.Hertz); err != nil {
			continue
		}
		return p, nil
	}
	return StreamPlan{}, fmt.Errorf("%w: no half-band ratio gives a CGEN for %.1f Hz", ErrRange, rate)
}

// ConfigureStream sets CGEN for the plan, the LimeLight port (TX on port
// 1, RX on port 2, SISO DDR, MCLK at the sample rate), the TSP clock
// divider, and HBI/HBD, and enables both TSPs on channel A with the
// frequency-shift mixers, general FIR filters, inverse-sinc and AGC
// bypassed and the gain, phase and DC correctors in the path (neutral
// until SetIQCorrection and SetTXDCCorrection load values). The RX DC
// corrector tracks by itself over 2^(12+avg) samples.
func (d *Dev) ConfigureStream(p StreamPlan) error {
	if p.Ratio < 2 || p.Ratio > 32 || p.RateHz <= 0 {
		return fmt.Errorf("%w: stream plan %+v", ErrRange, p)
	}
	if _, err := d.SetSampleClock(physic.Frequency(math.Round(p.CGENHz)) * physic.Hertz); err != nil {
		return err
	}
	steps := []struct{ addr, v uint16 }{
		{RegLMLCfg, lmlCfg},
		{RegLML1Pos, lmlPos},
		{RegLML2Pos, lmlPos},
		{RegLMLMux, lmlMux},
		{RegLMLClk, lmlClk},
		{RegLMLDiv, p.MCLKDiv<<8 | p.MCLKDiv},
		{RegTXTSPBypass, 1<<8 | 1<<7 | 1<<6 | 1<<5 | 1<<4}, // CMIX, ISINC, GFIR1..3 bypassed; DC, GC, PH in
		{RegRXTSPBypass, 1<<7 | 1<<6 | 1<<5 | 1<<4 | 1<<3}, // CMIX, AGC, GFIR1..3 bypassed; DC, GC, PH in
	}
	for _, s := range steps {
		if err := d.Write(s.addr, s.v); err != nil {
			return err
		}
	}
	for _, m := range []struct {
		f Field
		v uint16
	}{
		{fCLKHOvCLKL, 2},
		{fHBI, p.HBOVR},
		{fHBD, p.HBOVR},
		{fENTXTSP, 1},
		{fENRXTSP, 1},
		{fRXDCAvg, 7},
	} {
		if err := d.Modify(m.f, m.v); err != nil {
			return err
		}
	}
	return d.SetIQCorrection(TX, IQCorrection{GainI: 1, GainQ: 1})
}

// IQCorrection is the gain and phase correction of one direction's IQ
// imbalance: each branch is scaled by its gain (0..1, in 1/2048 steps)
// and Q is rotated by PhaseRad (±atan(2047/2048), about ±45°).
type IQCorrection struct {
	GainI, GainQ float64
	PhaseRad     float64
}

// Codes returns the GCORRI, GCORRQ and IQCORR register codes.
func (c IQCorrection) Codes() (gi, gq uint16, phase int16, err error) {
	code := func(g float64) (uint16, error) {
		if g < 0 || g > 1 {
			return 0, fmt.Errorf("%w: IQ gain %.4f outside 0..1", ErrRange, g)
		}
		return uint16(min(2047, math.Round(g*2048))), nil
	}
	if gi, err = code(c.GainI); err != nil {
		return
	}
	if gq, err = code(c.GainQ); err != nil {
		return
	}
	p := math.Round(math.Tan(c.PhaseRad) * 2048)
	if math.Abs(c.PhaseRad) >= math.Pi/4 || p < -2048 || p > 2047 {
		return 0, 0, 0, fmt.Errorf("%w: IQ phase %.4f rad", ErrRange, c.PhaseRad)
	}
	return gi, gq, int16(p), nil
}

// SetIQCorrection loads gain and phase correction for TX or RX on
// channel A.
func (d *Dev) SetIQCorrection(dir Direction, c IQCorrection) error {
	gi, gq, ph, err := c.Codes()
	if err != nil {
		return err
	}
	if err := d.setMAC(1); err != nil {
		return err
	}
	fi, fq, fp := fTXGCorrI, fTXGCorrQ, fTXIQCorr
	if dir == RX {
		fi, fq, fp = fRXGCorrI, fRXGCorrQ, fRXIQCorr
	}
	for _, m := range []struct {
		f Field
		v uint16
	}{{fi, gi}, {fq, gq}, {fp, uint16(ph) & 0x0fff}} {
		if err := d.Modify(m.f, m.v); err != nil {
			return err
		}
	}
	return nil
}

// SetTXDCCorrection loads the TX DC offsets (LO leakage cancellation),
// signed codes −128..127 on I and Q.
func (d *Dev) SetTXDCCorrection(i, q int8) error {
	if err := d.setMAC(1); err != nil {
		return err
	}
	return d.Write(RegTXDCCorr, uint16(uint8(i))<<8|uint16(uint8(q)))
}
