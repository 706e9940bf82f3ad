package lms7002m

import (
	"fmt"

	"periph.io/x/conn/v3/physic"
)

// The RF ports: which TX output (band) drives the board's TX connector
// and which LNA takes the RX connector. LMS7002M datasheet, TRF register
// 0x0103 (SEL_BAND1_TRF[11], SEL_BAND2_TRF[10]: TX1_1 and TX1_2 outputs
// of channel A) and RFE registers 0x010C/0x010D (SEL_PATH_RFE[8:7]:
// 0 none, 1 LNAH, 2 LNAL, 3 LNAW; PD_LNA_RFE; the loopback amplifiers'
// power-downs PD_RLOOPB_1/2_RFE; and the input shorting switches
// EN_INSHSW_*_RFE, 1 = the input shorted to ground). Which shorting
// switches open with which path follows the datasheet's RFE block
// diagram (LNAL's and LNAW's inputs have their own switches; LNAH has
// none) and matches what LimeSuite's LMS7002M::SetPathRFE programs.

// TXBand is the TX output: 1 = TX1_1 (SEL_BAND1_TRF), 2 = TX1_2
// (SEL_BAND2_TRF) on channel A.
type TXBand uint8

// TX outputs.
const (
	TXBandNone TXBand = 0
	TXBand1    TXBand = 1
	TXBand2    TXBand = 2
)

func (b TXBand) String() string {
	switch b {
	case TXBand1:
		return "BAND1 (TX1_1)"
	case TXBand2:
		return "BAND2 (TX1_2)"
	case TXBandNone:
		return "none"
	}
	return fmt.Sprintf("TXBand(%d)", uint8(b))
}

// RXPath is the SEL_PATH_RFE value: which LNA feeds the RX mixer.
type RXPath uint8

// RX paths (SEL_PATH_RFE codes).
const (
	RXPathNone RXPath = 0
	RXLNAH     RXPath = 1
	RXLNAL     RXPath = 2
	RXLNAW     RXPath = 3
)

func (p RXPath) String() string {
	switch p {
	case RXPathNone:
		return "none"
	case RXLNAH:
		return "LNAH"
	case RXLNAL:
		return "LNAL"
	case RXLNAW:
		return "LNAW"
	}
	return fmt.Sprintf("RXPath(%d)", uint8(p))
}

var fSelBand1TRF = Field{RegTRFBand, 11, 11, "SEL_BAND1_TRF"}

// SelectTXBand routes channel A's TX to output b (the other output
// off). The TX pad's power is not touched.
func (d *Dev) SelectTXBand(b TXBand) error {
	if b != TXBand1 && b != TXBand2 {
		return fmt.Errorf("%w: TX band %d", ErrRange, b)
	}
	if err := d.setMAC(1); err != nil {
		return err
	}
	if err := d.Modify(fSelBand1TRF, b2u(b == TXBand1)); err != nil {
		return err
	}
	return d.Modify(fSelBand2TRF, b2u(b == TXBand2))
}

// SelectRXPath feeds channel A's RX mixer from LNA p: SEL_PATH_RFE = p,
// the LNA powered (PD_LNA_RFE = 0), the loopback amplifiers powered down
// with their inputs shorted (PD_RLOOPB_1/2_RFE = 1, EN_INSHSW_LB1/2_RFE
// = 1), and of the LNAL and LNAW input switches only the selected one's
// open (EN_INSHSW_L_RFE = 0 for LNAL, EN_INSHSW_W_RFE = 0 for LNAW; both
// shorted for LNAH).
func (d *Dev) SelectRXPath(p RXPath) error {
	if p != RXLNAH && p != RXLNAL && p != RXLNAW {
		return fmt.Errorf("%w: RX path %d", ErrRange, p)
	}
	if err := d.setMAC(1); err != nil {
		return err
	}
	for _, m := range []struct {
		f Field
		v uint16
	}{
		{fPDRLoopb1, 1},
		{fPDRLoopb2, 1},
		{fInshswLB1, 1},
		{fInshswLB2, 1},
		{fInshswL, b2u(p != RXLNAL)},
		{fInshswW, b2u(p != RXLNAW)},
		{fSelPathRFE, uint16(p)},
		{fPDLNA, 0},
	} {
		if err := d.Modify(m.f, m.v); err != nil {
			return err
		}
	}
	return nil
}

// Paths reads back channel A's TX output and RX path. A TX band of 0
// means neither output is selected; 3 (both) is reported as is.
func (d *Dev) Paths() (TXBand, RXPath, error) {
	if err := d.setMAC(1); err != nil {
		return 0, 0, err
	}
	t, err := d.Read(RegTRFBand)
	if err != nil {
		return 0, 0, err
	}
	r, err := d.Read(RegRFEPath)
	if err != nil {
		return 0, 0, err
	}
	return TXBand(t>>10&1<<1 | t>>11&1), RXPath(r >> 7 & 3), nil
}

// Router selects the RF ports (and a board's RF switches) for a carrier
// at f in direction dir; Tune calls it before programming the
// synthesiser.
type Router func(dir Direction, f physic.Frequency) error

// SetRouter installs r (nil: Tune leaves the ports alone). Tune does
// not call it while the TX loopback is set up (TXLoopback..Restore):
// the loopback owns the RX path then.
func (d *Dev) SetRouter(r Router) { d.router = r }

func b2u(b bool) uint16 {
	if b {
		return 1
	}
	return 0
}
