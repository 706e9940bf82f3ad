package lms7002m

import (
	"fmt"
	"math"

	"periph.io/x/conn/v3/physic"
)

// Register addresses (LMS7002M datasheet register map).
const (
	RegMAC      = 0x0020 // LRST/MRST resets, SRST FIFOs, RXEN/TXEN, MAC[1:0]
	RegChipID   = 0x002F // VER[15:11], REV[10:6], MASK[5:0]
	RegCGEN     = 0x0086 // CGEN control and power-downs
	RegCGENFrac = 0x0087 // FRAC_SDM_CGEN[15:0]
	RegCGENInt  = 0x0088 // INT_SDM_CGEN[13:4], FRAC_SDM_CGEN[19:16] in [3:0]
	RegCGENDiv  = 0x0089 // SEL_SDMCLK_CGEN[14], DIV_OUTCH_CGEN[10:3]
	RegCGENCSW  = 0x008B // ICT_VCO_CGEN[13:9], CSW_VCO_CGEN[8:1], COARSE_START_CGEN[0]
	RegCGENCmp  = 0x008C // VCO_CMPHO_CGEN[13], VCO_CMPLO_CGEN[12]
	RegTRF      = 0x0100 // PD_TXPAD_TRF[1], EN_G_TRF[0]
	RegTXPAD    = 0x0101 // LOSS_LIN_TXPAD_TRF[10:6], LOSS_MAIN_TXPAD_TRF[5:1]
	RegTBB      = 0x0105 // PD_LPFH_TBB[4], PD_LPFIAMP_TBB[3], PD_LPFLAD_TBB[2], PD_LPFS5_TBB[1], EN_G_TBB[0]
	RegTBBRCal  = 0x0109 // RCAL_LPFH_TBB[15:8], RCAL_LPFLAD_TBB[7:0]
	RegTBBLad   = 0x010A // BYPLADDER_TBB[13]
	RegRFE      = 0x010C // PD_LNA_RFE[7], EN_G_RFE[0]
	RegRFEGain  = 0x0113 // G_LNA_RFE[9:6], G_RXLOOPB_RFE[5:2], G_TIA_RFE[1:0]
	RegRBB      = 0x0115 // PD_LPFH_RBB[3], PD_LPFL_RBB[2], PD_PGA_RBB[1], EN_G_RBB[0]
	RegRBBLPFL  = 0x0117 // RCC_CTL_LPFL_RBB[13:11], C_CTL_LPFL_RBB[10:0]
	RegRBBIn    = 0x0118 // INPUT_CTL_PGA_RBB[15:13]
	RegRBBPGA   = 0x0119 // G_PGA_RBB[4:0]
	RegSX       = 0x011C // RESET_N[15], SPDUP_VCO[14], EN_DIV2_DIVPROG[10], EN_INTONLY_SDM[9], EN_SDM_CLK[8], PD_*[7:1], EN_G[0]
	RegSXFrac   = 0x011D // FRAC_SDM[15:0]
	RegSXInt    = 0x011E // INT_SDM[13:4], FRAC_SDM[19:16] in [3:0]
	RegSXDiv    = 0x011F // DIV_LOCH[8:6], SEL_SDMCLK[2]
	RegSXVCO    = 0x0121 // CSW_VCO[10:3], SEL_VCO[2:1], COARSE_START[0]
	RegSXCmp    = 0x0123 // VCO_CMPHO[13], VCO_CMPLO[12]
	RegSXDir    = 0x0124 // EN_DIR_SXX[4], EN_DIR_RBB[3], EN_DIR_RFE[2], EN_DIR_TBB[1], EN_DIR_TRF[0]
)

// ChipID is the expected content of register 0x002F: VER 7, REV 1, MASK 1.
const ChipID = 0x3841

// Field is a bit range of a register.
type Field struct {
	Addr uint16
	MSB  uint8
	LSB  uint8
	Name string
}

func (f Field) mask() uint16 { return uint16((1<<(f.MSB-f.LSB+1))-1) << f.LSB }

// Fields the driver touches.
var (
	fMAC         = Field{RegMAC, 1, 0, "MAC"}
	fLNAGain     = Field{RegRFEGain, 9, 6, "G_LNA_RFE"}
	fTIAGain     = Field{RegRFEGain, 1, 0, "G_TIA_RFE"}
	fPGAGain     = Field{RegRBBPGA, 4, 0, "G_PGA_RBB"}
	fLossLin     = Field{RegTXPAD, 10, 6, "LOSS_LIN_TXPAD_TRF"}
	fLossMain    = Field{RegTXPAD, 5, 1, "LOSS_MAIN_TXPAD_TRF"}
	fPDTXPAD     = Field{RegTRF, 1, 1, "PD_TXPAD_TRF"}
	fENGTRF      = Field{RegTRF, 0, 0, "EN_G_TRF"}
	fRBBPath     = Field{RegRBBIn, 15, 13, "INPUT_CTL_PGA_RBB"}
	fRBBPDLPF    = Field{RegRBB, 3, 2, "PD_LPFH_RBB:PD_LPFL_RBB"}
	fRCCLPFL     = Field{RegRBBLPFL, 13, 11, "RCC_CTL_LPFL_RBB"}
	fTBBPD       = Field{RegTBB, 4, 1, "PD_LPFH..PD_LPFS5_TBB"}
	fBypLadder   = Field{RegTBBLad, 13, 13, "BYPLADDER_TBB"}
	fRCalLad     = Field{RegTBBRCal, 7, 0, "RCAL_LPFLAD_TBB"}
	fSXDivLOCH   = Field{RegSXDiv, 8, 6, "DIV_LOCH"}
	fSXSelSDMClk = Field{RegSXDiv, 2, 2, "SEL_SDMCLK"}
	fSXSelVCO    = Field{RegSXVCO, 2, 1, "SEL_VCO"}
	fSXCSW       = Field{RegSXVCO, 10, 3, "CSW_VCO"}
	fSXEnDirSXX  = Field{RegSXDir, 4, 4, "EN_DIR_SXX"}
	fCGENDivOut  = Field{RegCGENDiv, 10, 3, "DIV_OUTCH_CGEN"}
	fCGENSelSDM  = Field{RegCGENDiv, 14, 14, "SEL_SDMCLK_CGEN"}
	fCGENCSW     = Field{RegCGENCSW, 8, 1, "CSW_VCO_CGEN"}
)

// SX control word bits (register 0x011C).
const (
	sxResetN   = 1 << 15
	sxSpdupVCO = 1 << 14
	sxEnDiv2   = 1 << 10
	sxEnSDMClk = 1 << 8
	sxEnG      = 1 << 0
	// PD_FBDIV[7], PD_LOCH_T2RBUF[6], PD_CP[5], PD_FDIV[4], PD_SDM[3],
	// PD_VCO_COMP[2], PD_VCO[1] all 0: everything powered; BYPLDO_VCO[13]
	// 0 (LDO in use), CURLIM_VCO[11] 0.
)

// CGEN control bits (register 0x0086).
const (
	cgResetN   = 1 << 14
	cgSpdupVCO = 1 << 15
	cgEnSDMClk = 1 << 8
	cgEnG      = 1 << 0
)

// VCO ranges of the RF synthesisers and of CGEN, in Hz (LMS7002M
// datasheet, SX and CGEN characteristics).
var sxVCOs = [3]struct {
	name   string
	lo, hi float64
}{
	{"VCOL", 3.800e9, 5.222e9},
	{"VCOM", 4.961e9, 6.754e9},
	{"VCOH", 6.306e9, 7.714e9},
}

const (
	cgenVCOLo = 2.0e9
	cgenVCOHi = 2.7e9
	fracBits  = 20
	div2Above = 5.5e9
)

// SXConfig is the computed setting of one RF synthesiser.
type SXConfig struct {
	Want    physic.Frequency
	VCOHz   float64
	DivLOCH uint8 // fLO = fVCO / 2^(DivLOCH+1)
	SelVCO  uint8 // 0 VCOL, 1 VCOM, 2 VCOH
	EnDiv2  bool
	Int     uint16 // INT_SDM = floor(N) − 4
	Frac    uint32 // 20 bits
	RefHz   float64
}

// LOHz returns the LO frequency the setting produces.
func (c SXConfig) LOHz() float64 {
	n := float64(c.Int) + 4 + float64(c.Frac)/(1<<fracBits)
	ref := c.RefHz
	if c.EnDiv2 {
		ref *= 2
	}
	return n * ref / float64(uint(2)<<c.DivLOCH)
}

// ErrorHz is the produced minus the requested LO frequency.
func (c SXConfig) ErrorHz() float64 { return c.LOHz() - float64(c.Want)/float64(physic.Hertz) }

// ComputeSX finds the divider, VCO and N for LO frequency f from
// reference ref. Among the VCOs that cover fVCO it picks the one with the
// most margin to its band edges.
func ComputeSX(ref, f physic.Frequency) (SXConfig, error) {
	refHz := float64(ref) / float64(physic.Hertz)
	fHz := float64(f) / float64(physic.Hertz)
	if refHz <= 0 || fHz <= 0 {
		return SXConfig{}, fmt.Errorf("%w: SX %v from reference %v", ErrRange, f, ref)
	}
	for div := uint8(0); div <= 6; div++ {
		vco := fHz * float64(uint(2)<<div)
		if vco < sxVCOs[0].lo {
			continue
		}
		if vco > sxVCOs[2].hi {
			break
		}
		best, margin := -1, -1.0
		for i, v := range sxVCOs {
			if vco >= v.lo && vco <= v.hi {
				if m := math.Min(vco-v.lo, v.hi-vco); m > margin {
					best, margin = i, m
				}
			}
		}
		if best < 0 {
			continue
		}
		c := SXConfig{Want: f, VCOHz: vco, DivLOCH: div, SelVCO: uint8(best), RefHz: refHz, EnDiv2: vco > div2Above}
		pfd := refHz
		if c.EnDiv2 {
			pfd *= 2
		}
		n := vco / pfd
		in := math.Floor(n)
		frac := math.Round((n - in) * (1 << fracBits))
		if frac == 1<<fracBits {
			in++
			frac = 0
		}
		if in < 4 || in-4 > 1023 {
			return SXConfig{}, fmt.Errorf("%w: SX N %.3f outside the INT_SDM range for %v", ErrRange, n, f)
		}
		c.Int, c.Frac = uint16(in-4), uint32(frac)
		return c, nil
	}
	return SXConfig{}, fmt.Errorf("%w: no SX divider puts the VCO for %v in 3.8–7.714 GHz", ErrRange, f)
}

// CGENConfig is the computed clock-generator setting.
type CGENConfig struct {
	Want     physic.Frequency
	VCOHz    float64
	DivOutCH uint8  // fOUT = fVCO / (2 × (DivOutCH + 1))
	Int      uint16 // INT_SDM_CGEN = floor(N) − 1
	Frac     uint32
	RefHz    float64
}

// OutHz returns the clock the setting produces.
func (c CGENConfig) OutHz() float64 {
	n := float64(c.Int) + 1 + float64(c.Frac)/(1<<fracBits)
	return n * c.RefHz / float64(2*(int(c.DivOutCH)+1))
}

// ComputeCGEN finds the CGEN setting for output clock f: the largest
// even output divider that keeps the VCO inside 2.0–2.7 GHz.
func ComputeCGEN(ref, f physic.Frequency) (CGENConfig, error) {
	refHz := float64(ref) / float64(physic.Hertz)
	fHz := float64(f) / float64(physic.Hertz)
	if refHz <= 0 || fHz <= 0 {
		return CGENConfig{}, fmt.Errorf("%w: CGEN %v from reference %v", ErrRange, f, ref)
	}
	for fdiv := 512; fdiv >= 2; fdiv -= 2 {
		vco := fHz * float64(fdiv)
		if vco > cgenVCOHi {
			continue
		}
		if vco < cgenVCOLo {
			break
		}
		n := vco / refHz
		in := math.Floor(n)
		frac := math.Round((n - in) * (1 << fracBits))
		if frac == 1<<fracBits {
			in++
			frac = 0
		}
		if in < 1 || in-1 > 1023 {
			return CGENConfig{}, fmt.Errorf("%w: CGEN N %.3f out of range", ErrRange, n)
		}
		return CGENConfig{Want: f, VCOHz: vco, DivOutCH: uint8(fdiv/2 - 1), Int: uint16(in - 1), Frac: uint32(frac), RefHz: refHz}, nil
	}
	return CGENConfig{}, fmt.Errorf("%w: no CGEN divider puts the VCO for %v in 2.0–2.7 GHz", ErrRange, f)
}

// ChipVersion splits register 0x002F.
type ChipVersion struct{ Ver, Rev, Mask uint8 }

// DecodeChipID splits a chip-ID register value.
func DecodeChipID(v uint16) ChipVersion {
	return ChipVersion{Ver: uint8(v >> 11 & 0x1f), Rev: uint8(v >> 6 & 0x1f), Mask: uint8(v & 0x3f)}
}

// DecodeReadBack extracts the register value from a 4-byte read
// transaction's MISO bytes (the data phase is the last two bytes).
func DecodeReadBack(b []byte) (uint16, error) {
	if len(b) < 4 {
		return 0, fmt.Errorf("%w: %d bytes, need 4", ErrShort, len(b))
	}
	return uint16(b[2])<<8 | uint16(b[3]), nil
}

// ReadCommand and WriteCommand build the 4 MOSI bytes of a transaction.
func ReadCommand(addr uint16) [4]byte {
	return [4]byte{byte(addr>>8) & 0x7f, byte(addr), 0}
}

// WriteCommand builds a write transaction: bit 15 set.
func WriteCommand(addr, v uint16) [4]byte {
	return [4]byte{byte(addr>>8)&0x7f | 0x80, byte(addr), byte(v >> 8), byte(v)}
}
