package lms7002m

import "fmt"

// Registers of the internal TX→RX RF loopback (LMS7002M datasheet
// register map, TRF and RFE blocks; the loopback paths are described in
// the "LMS7002Mr3 Calibration Using MCU" note on the Myriad-RF wiki,
// where the TX calibration loops the TX output back into the receiver's
// front end and measures the LO leakage and the image there).
const (
	RegTRFBand  = 0x0103 // SEL_BAND1_TRF[11], SEL_BAND2_TRF[10]
	RegRFEPath  = 0x010D // SEL_PATH_RFE[8:7], EN_INSHSW_LB1_RFE[4], EN_INSHSW_LB2_RFE[3], EN_INSHSW_L_RFE[2], EN_INSHSW_W_RFE[1]
	RegRFELNAPD = RegRFE // PD_LNA_RFE[7], PD_RLOOPB_1_RFE[6], PD_RLOOPB_2_RFE[5]
)

// RF loopback fields.
var (
	fENLoopbTXPAD = Field{RegTXPAD, 0, 0, "EN_LOOPB_TXPAD_TRF"}
	fLLoopbTXPAD  = Field{RegTXPAD, 12, 11, "L_LOOPB_TXPAD_TRF"}
	fSelBand2TRF  = Field{RegTRFBand, 10, 10, "SEL_BAND2_TRF"}
	fPDLNA        = Field{RegRFE, 7, 7, "PD_LNA_RFE"}
	fPDRLoopb1    = Field{RegRFE, 6, 6, "PD_RLOOPB_1_RFE"}
	fPDRLoopb2    = Field{RegRFE, 5, 5, "PD_RLOOPB_2_RFE"}
	fSelPathRFE   = Field{RegRFEPath, 8, 7, "SEL_PATH_RFE"}
	fInshswLB1    = Field{RegRFEPath, 4, 4, "EN_INSHSW_LB1_RFE"}
	fInshswLB2    = Field{RegRFEPath, 3, 3, "EN_INSHSW_LB2_RFE"}
	fInshswL      = Field{RegRFEPath, 2, 2, "EN_INSHSW_L_RFE"}
	fInshswW      = Field{RegRFEPath, 1, 1, "EN_INSHSW_W_RFE"}
	fGRXLoopb     = Field{RegRFEGain, 5, 2, "G_RXLOOPB_RFE"}
)

// Loopback 2 enters on the LNAL path, loopback 1 on the LNAW path
// (SEL_PATH_RFE, paths.go).
const (
	pathLNAL = uint16(RXLNAL)
	pathLNAW = uint16(RXLNAW)
)

// loopbackRegs are the registers TXLoopback changes (channel A) and
// restores verbatim.
var loopbackRegs = [...]uint16{RegTRF, RegTXPAD, RegRFE, RegRFEPath, RegRFEGain}

// TXLoopbackSettings are the loopback's gains: L_LOOPB_TXPAD_TRF (0..3,
// the loss of the TX pad's loopback tap, 0 = least) and G_RXLOOPB_RFE
// (0..15, the loopback amplifier's gain, 15 = most). What a board needs
// (a tone at −10..−20 dBFS in the RX, clear of clipping) is settled on
// hardware (docs/rf-bringup.md, Lime checklist item 4).
type TXLoopbackSettings struct {
	Loss, Gain uint8
}

// DefaultTXLoopback is the starting point: the tap's highest loss and a
// middle loopback gain.
var DefaultTXLoopback = TXLoopbackSettings{Loss: 3, Gain: 8}

// LoopbackState is what TXLoopback changed; Restore puts it back.
type LoopbackState struct {
	d     *Dev
	saved [len(loopbackRegs)]uint16
	// Path is 1 or 2: the loopback in use (2 when the TX drives band 2,
	// SEL_BAND2_TRF = 1, as on the LimeSDR Mini; 1 otherwise).
	Path int
}

// TXLoopback routes the TX output back into the receiver on channel A
// for a host calibration, with the output stage off:
//
//   - PD_TXPAD_TRF stays 1: the TX pad (the output stage that drives the
//     antenna port) is never powered; TXLoopback refuses with ErrTXOn
//     when it is. EN_G_TRF is set so the TRF's mixer and the pad's
//     loopback tap (EN_LOOPB_TXPAD_TRF) carry the signal.
//   - the RX front end takes its input from the matching loopback:
//     loopback 1 on the LNAW path (SEL_PATH_RFE = 3, PD_RLOOPB_1_RFE = 0,
//     EN_INSHSW_LB1_RFE = 0) for TX band 1, loopback 2 on the LNAL path
//     (SEL_PATH_RFE = 2, PD_RLOOPB_2_RFE = 0, EN_INSHSW_LB2_RFE = 0) for
//     TX band 2; the LNA is powered down (PD_LNA_RFE = 1) and the LNA
//     inputs shorted (EN_INSHSW_L_RFE = EN_INSHSW_W_RFE = 1), so the
//     antenna is out of the path.
//
// The synthesisers are not touched: the caller retunes SXR (see
// lime.Loopback). Restore writes the five registers back as they were.
func (d *Dev) TXLoopback(s TXLoopbackSettings) (*LoopbackState, error) {
	if s.Loss > 3 || s.Gain > 15 {
		return nil, fmt.Errorf("%w: loopback loss %d gain %d", ErrRange, s.Loss, s.Gain)
	}
	if err := d.setMAC(1); err != nil {
		return nil, err
	}
	st := &LoopbackState{d: d, Path: 1}
	for i, a := range loopbackRegs {
		v, err := d.Read(a)
		if err != nil {
			return nil, err
		}
		st.saved[i] = v
	}
	if d.txOn || st.saved[0]&(1<<1) == 0 {
		return nil, fmt.Errorf("%w: TX loopback refused (PD_TXPAD_TRF = 0)", ErrTXOn)
	}
	band, err := d.Read(RegTRFBand)
	if err != nil {
		return nil, err
	}
	if band>>fSelBand2TRF.LSB&1 == 1 {
		st.Path = 2
	}
	steps := []struct {
		f Field
		v uint16
	}{
		{fPDTXPAD, 1},
		{fENGTRF, 1},
		{fLLoopbTXPAD, uint16(s.Loss)},
		{fENLoopbTXPAD, 1},
		{fPDLNA, 1},
		{fInshswL, 1},
		{fInshswW, 1},
		{fGRXLoopb, uint16(s.Gain)},
	}
	if st.Path == 1 {
		steps = append(steps, []struct {
			f Field
			v uint16
		}{{fPDRLoopb2, 1}, {fInshswLB2, 1}, {fPDRLoopb1, 0}, {fInshswLB1, 0}, {fSelPathRFE, pathLNAW}}...)
	} else {
		steps = append(steps, []struct {
			f Field
			v uint16
		}{{fPDRLoopb1, 1}, {fInshswLB1, 1}, {fPDRLoopb2, 0}, {fInshswLB2, 0}, {fSelPathRFE, pathLNAL}}...)
	}
	d.inLoop = true
	for _, m := range steps {
		if err := d.Modify(m.f, m.v); err != nil {
			_ = st.Restore()
			return nil, err
		}
	}
	return st, nil
}

// Restore writes back the registers TXLoopback changed, in reverse order
// (the RX path first, the TRF, with its pad power-down, last).
func (st *LoopbackState) Restore() error {
	d := st.d
	d.inLoop = false
	if err := d.setMAC(1); err != nil {
		return err
	}
	var first error
	for i := len(loopbackRegs) - 1; i >= 0; i-- {
		if err := d.Write(loopbackRegs[i], st.saved[i]); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Synth returns the last setting Tune loaded into synthesiser dir, and
// false when it was never tuned.
func (d *Dev) Synth(dir Direction) (SXConfig, bool) {
	if dir != RX && dir != TX {
		return SXConfig{}, false
	}
	c := d.sx[dir]
	return c, c.Want != 0
}
