package limetest

// The board's antenna wiring: which of the LMS7002M's ports its RF
// switches (FPGA register 0x17) connect to the SMA connectors, and the
// range each port is matched for. The fake hears the air only through
// the LNA the chip selects when the switch connects that LNA to the RX
// connector and SXR is tuned within its range, and lets TX out only
// from the selected band's output when the switch connects it and SXT
// is in range: a bring-up that selects the wrong port hears and sends
// nothing, as a real board would. Facts from LimeSuite
// src/API/LimeSDR_mini.cpp and LimeNET_micro.cpp (register values and
// the frequency split) — see boards/rf/chains.go and docs/rf-bringup.md.

// Board models.
const (
	BoardLimeSDRMini  = "limesdr-mini"
	BoardLimeNETMicro = "limenet-micro"
)

// port is one switch position.
type port struct {
	field, want uint16 // (reg 0x17 & field) == want selects it
	chip        uint16 // SEL_PATH_RFE code (RX) or TX band (1, 2)
	lo, hi      float64
}

type wiring struct{ rx, tx []port }

var wirings = map[string]wiring{
	// RX: bits 9..8 = 1 LNAH, 2 LNAW (LNAL not connected); TX: bits
	// 13..12 = 1 TX1_1, 2 TX1_2.
	BoardLimeSDRMini: {
		rx: []port{{0x0300, 0x0100, 1, 1.7e9, 3.8e9}, {0x0300, 0x0200, 3, 10e6, 1.7e9}},
		tx: []port{{0x3000, 0x1000, 1, 2e9, 3.8e9}, {0x3000, 0x2000, 2, 10e6, 2e9}},
	},
	// Hardware v3: RX bits 10..8 = 5 LNAL, 6 LNAH (LNAW not connected),
	// bit 1 set; TX bits 14..12 = 5 TX1_1, 6 TX1_2.
	BoardLimeNETMicro: {
		rx: []port{{0x0702, 0x0502, 2, 10e6, 1.7e9}, {0x0702, 0x0602, 1, 1.7e9, 3.8e9}},
		tx: []port{{0x7000, 0x5000, 1, 2e9, 3.8e9}, {0x7000, 0x6000, 2, 10e6, 2e9}},
	},
}

const (
	regRFESel = 0x010D
	fpgaRFSW  = 0x0017
)

// rxRouted reports whether the antenna reaches the RX mixer; the caller
// holds mu.
func (f *Fake) rxRouted() bool {
	if f.cfg.IgnoreRouting {
		return true
	}
	w, ok := wirings[f.board()]
	if !ok {
		return false
	}
	rfe, sel := f.Chip.Reg(regRFE), f.Chip.Reg(regRFESel)
	path := sel >> 7 & 3
	if rfe>>7&1 == 1 { // PD_LNA_RFE
		return false
	}
	switch path {
	case 2:
		if sel>>2&1 == 1 { // EN_INSHSW_L_RFE: LNAL input shorted
			return false
		}
	case 3:
		if sel>>1&1 == 1 { // EN_INSHSW_W_RFE
			return false
		}
	}
	lo := f.RXFrequency()
	sw := f.fpga[fpgaRFSW]
	for _, p := range w.rx {
		if sw&p.field == p.want && p.chip == path && lo >= p.lo && lo < p.hi {
			return true
		}
	}
	return false
}

// txRouted reports whether the TX chain's output reaches the antenna
// connector (the pad's power is checked separately); the caller holds
// mu.
func (f *Fake) txRouted() bool {
	if f.cfg.IgnoreRouting {
		return true
	}
	w, ok := wirings[f.board()]
	if !ok {
		return false
	}
	band := f.Chip.Reg(regTRFBand)
	lo := f.TXFrequency()
	sw := f.fpga[fpgaRFSW]
	for _, p := range w.tx {
		// SEL_BAND1_TRF is bit 11, SEL_BAND2_TRF bit 10.
		if sw&p.field == p.want && band>>(12-p.chip)&1 == 1 && lo >= p.lo && lo < p.hi {
			return true
		}
	}
	return false
}

func (f *Fake) board() string {
	if f.cfg.Board == "" {
		return BoardLimeSDRMini
	}
	return f.cfg.Board
}

// Routed reports whether the RX and the TX are routed to the antenna
// connectors as the board is wired.
func (f *Fake) Routed() (rx, tx bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rxRouted(), f.txRouted()
}
