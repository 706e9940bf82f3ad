package l1

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Combination is a channel combination of 3GPP TS 45.002 §6.4.1: what one
// timeslot of the carrier carries.
type Combination uint8

// Channel combinations. CombOff is a timeslot with no channel; on C0 it is
// still filled with dummy bursts.
const (
	CombOff Combination = iota
	CombI               // TCH/F + FACCH/F + SACCH/TF
	CombIV              // FCCH + SCH + BCCH + CCCH
	CombV               // FCCH + SCH + BCCH + CCCH + SDCCH/4(0..3) + SACCH/C4(0..3)
	CombVII             // SDCCH/8(0..7) + SACCH/C8(0..7)
)

var combNames = [...]string{"off", "I", "IV", "V", "VII"}

func (c Combination) String() string {
	if int(c) < len(combNames) {
		return combNames[c]
	}
	return fmt.Sprintf("Combination(%d)", uint8(c))
}

// ParseCombination reads a combination as written in a config file: "off",
// a Roman numeral ("I", "IV", "V", "VII"), or the osmo-bts-trx SETSLOT
// number (0 off, 1 TCH/F, 4 comb IV, 5 comb V, 7 SDCCH/8).
func ParseCombination(s string) (Combination, error) {
	switch s {
	case "off", "OFF", "0", "":
		return CombOff, nil
	case "I", "1", "TCH/F":
		return CombI, nil
	case "IV", "4":
		return CombIV, nil
	case "V", "5":
		return CombV, nil
	case "VII", "7", "SDCCH/8":
		return CombVII, nil
	}
	return CombOff, fmt.Errorf("%w: unknown channel combination %q (want off, I, IV, V or VII)", ErrConfig, s)
}

// Slot is what one timeslot carries in one TDMA frame: the logical channel,
// the index of the burst within its four-burst block, and how many frames
// back the block's first burst was sent.
type Slot struct {
	Chan  Chan
	Burst uint8
	Back  uint8
}

// BlockStart returns the frame number of the first burst of the block that
// the slot at fn belongs to.
func (s Slot) BlockStart(fn tdma.FN) tdma.FN { return fn.Add(-int(s.Back)) }

// row is one line of a clause 7 table: a run of n frames starting at frame
// first (FN mod 51) carrying kind; for a four-burst block the run is 4 and
// sub gives the sub-channel in even 51-multiframes ((FN div 51) even) and
// subOdd in odd ones, which is how the tables write SACCH "A0 (A2)".
type row struct {
	first, n    uint8
	kind        ChanKind
	sub, subOdd uint8
}

// The 51-multiframe mappings of 3GPP TS 45.002 clause 7, Table 3 (TDMA
// frame mapping for channel combinations IV, V and VII). Frames not listed
// are idle. Downlink and uplink are separate columns in the spec: the
// uplink SDCCH and SACCH blocks come 15 frames after their downlink
// counterparts (so SDCCH/4 D0 is downlink 22..25, uplink 37..40), and the
// remaining uplink frames of combination V are RACH.
var (
	combIVDown = []row{
		{0, 1, ChanFCCH, 0, 0}, {1, 1, ChanSCH, 0, 0}, {2, 4, ChanBCCH, 0, 0}, {6, 4, ChanCCCH, 0, 0},
		{10, 1, ChanFCCH, 0, 0}, {11, 1, ChanSCH, 0, 0}, {12, 4, ChanCCCH, 1, 1}, {16, 4, ChanCCCH, 2, 2},
		{20, 1, ChanFCCH, 0, 0}, {21, 1, ChanSCH, 0, 0}, {22, 4, ChanCCCH, 3, 3}, {26, 4, ChanCCCH, 4, 4},
		{30, 1, ChanFCCH, 0, 0}, {31, 1, ChanSCH, 0, 0}, {32, 4, ChanCCCH, 5, 5}, {36, 4, ChanCCCH, 6, 6},
		{40, 1, ChanFCCH, 0, 0}, {41, 1, ChanSCH, 0, 0}, {42, 4, ChanCCCH, 7, 7}, {46, 4, ChanCCCH, 8, 8},
	}
	combIVUp = []row{{0, 51, ChanRACH, 0, 0}}

	combVDown = []row{
		{0, 1, ChanFCCH, 0, 0}, {1, 1, ChanSCH, 0, 0}, {2, 4, ChanBCCH, 0, 0}, {6, 4, ChanCCCH, 0, 0},
		{10, 1, ChanFCCH, 0, 0}, {11, 1, ChanSCH, 0, 0}, {12, 4, ChanCCCH, 1, 1}, {16, 4, ChanCCCH, 2, 2},
		{20, 1, ChanFCCH, 0, 0}, {21, 1, ChanSCH, 0, 0}, {22, 4, ChanSDCCH4, 0, 0}, {26, 4, ChanSDCCH4, 1, 1},
		{30, 1, ChanFCCH, 0, 0}, {31, 1, ChanSCH, 0, 0}, {32, 4, ChanSDCCH4, 2, 2}, {36, 4, ChanSDCCH4, 3, 3},
		{40, 1, ChanFCCH, 0, 0}, {41, 1, ChanSCH, 0, 0}, {42, 4, ChanSACCHC4, 0, 2}, {46, 4, ChanSACCHC4, 1, 3},
	}
	combVUp = []row{
		{0, 4, ChanSDCCH4, 3, 3}, {4, 2, ChanRACH, 0, 0}, {6, 4, ChanSACCHC4, 2, 0}, {10, 4, ChanSACCHC4, 3, 1},
		{14, 23, ChanRACH, 0, 0}, {37, 4, ChanSDCCH4, 0, 0}, {41, 4, ChanSDCCH4, 1, 1}, {45, 2, ChanRACH, 0, 0},
		{47, 4, ChanSDCCH4, 2, 2},
	}

	combVIIDown = []row{
		{0, 4, ChanSDCCH8, 0, 0}, {4, 4, ChanSDCCH8, 1, 1}, {8, 4, ChanSDCCH8, 2, 2}, {12, 4, ChanSDCCH8, 3, 3},
		{16, 4, ChanSDCCH8, 4, 4}, {20, 4, ChanSDCCH8, 5, 5}, {24, 4, ChanSDCCH8, 6, 6}, {28, 4, ChanSDCCH8, 7, 7},
		{32, 4, ChanSACCHC8, 0, 4}, {36, 4, ChanSACCHC8, 1, 5}, {40, 4, ChanSACCHC8, 2, 6}, {44, 4, ChanSACCHC8, 3, 7},
	}
	combVIIUp = []row{
		{0, 4, ChanSACCHC8, 5, 1}, {4, 4, ChanSACCHC8, 6, 2}, {8, 4, ChanSACCHC8, 7, 3},
		{15, 4, ChanSDCCH8, 0, 0}, {19, 4, ChanSDCCH8, 1, 1}, {23, 4, ChanSDCCH8, 2, 2}, {27, 4, ChanSDCCH8, 3, 3},
		{31, 4, ChanSDCCH8, 4, 4}, {35, 4, ChanSDCCH8, 5, 5}, {39, 4, ChanSDCCH8, 6, 6}, {43, 4, ChanSDCCH8, 7, 7},
		{47, 4, ChanSACCHC8, 0, 4},
	}
)

// mf102 is a 51-multiframe mapping expanded over the 102 frames in which
// the SACCH sub-channels alternate, indexed by FN mod 102.
type mf102 [102]Slot

func expand(rows []row) *mf102 {
	var t mf102
	for half := 0; half < 2; half++ {
		for _, r := range rows {
			sub := r.sub
			if half == 1 {
				sub = r.subOdd
			}
			for i := 0; i < int(r.n); i++ {
				s := Slot{Chan: Chan{Kind: r.kind, Sub: sub}}
				if r.n == 4 && r.kind != ChanRACH {
					s.Burst, s.Back = uint8(i), uint8(i)
				}
				t[half*51+int(r.first)+i] = s
			}
		}
	}
	return &t
}

var (
	tabIVDown, tabIVUp   = expand(combIVDown), expand(combIVUp)
	tabVDown, tabVUp     = expand(combVDown), expand(combVUp)
	tabVIIDown, tabVIIUp = expand(combVIIDown), expand(combVIIUp)
)

// tchF maps a TCH/F timeslot (combination I) over the 104-frame SACCH/TF
// period, TS 45.002 clause 7 Table 1: TCH/F in frames 0..11 and 13..24 of
// the 26-multiframe; SACCH/TF in frame 12 on even timeslots and frame 25 on
// odd ones, the other frame idle. The four SACCH/TF bursts of a block are
// 26 frames apart and the block starts at FN mod 104 = 12 + 13·TN, which
// staggers the measurement reporting periods of the timeslots (TS 45.008
// §8.4.1, Table 1). Uplink and downlink are the same.
func tchF(tn tdma.TN, fn tdma.FN) Slot {
	t2 := fn.T2()
	sacch := 12
	if tn&1 == 1 {
		sacch = 25
	}
	switch {
	case t2 == sacch:
		start := (12 + 13*int(tn)) % 104
		b := ((int(fn)%104 - start + 104) % 104) / 26
		return Slot{Chan: Chan{Kind: ChanSACCHTF, TN: tn}, Burst: uint8(b), Back: uint8(26 * b)}
	case t2 == 12 || t2 == 25:
		return Slot{Chan: Chan{Kind: ChanIdle, TN: tn}}
	}
	p := t2
	if p > 12 {
		p -= 13
	}
	return Slot{Chan: Chan{Kind: ChanTCHF, TN: tn}, Burst: uint8(p % 4), Back: uint8(p % 4)}
}

// Downlink returns what timeslot tn carries on the downlink in frame fn
// under combination c. CCCH blocks are returned as ChanCCCH.
func (c Combination) Downlink(tn tdma.TN, fn tdma.FN) Slot {
	return c.lookup(tn, fn, false)
}

// Uplink returns what timeslot tn carries on the uplink in frame fn under
// combination c. Uplink frame numbers are those of the downlink frame they
// are paired with (the uplink is sent three timeslots later, TS 45.002
// §4.3.3; the transceiver accounts for that).
func (c Combination) Uplink(tn tdma.TN, fn tdma.FN) Slot {
	return c.lookup(tn, fn, true)
}

func (c Combination) lookup(tn tdma.TN, fn tdma.FN, up bool) Slot {
	var t *mf102
	switch c {
	case CombI:
		return tchF(tn, fn)
	case CombIV:
		t = tabIVDown
		if up {
			t = tabIVUp
		}
	case CombV:
		t = tabVDown
		if up {
			t = tabVUp
		}
	case CombVII:
		t = tabVIIDown
		if up {
			t = tabVIIUp
		}
	default:
		return Slot{Chan: Chan{Kind: ChanIdle, TN: tn}}
	}
	s := t[int(fn)%102]
	s.Chan.TN = tn
	return s
}

// ccchBlocks returns the number of CCCH blocks in a 51-multiframe of
// combination c (TS 45.002 §6.5.1, Table 5): 9 for IV, 3 for V.
func ccchBlocks(c Combination) int {
	switch c {
	case CombIV:
		return 9
	case CombV:
		return 3
	}
	return 0
}

// ccchFirstFrame is the first frame (FN mod 51) of each CCCH block.
var ccchFirstFrame = [9]int{6, 12, 16, 22, 26, 32, 36, 42, 46}

// TC returns the BCCH type counter (FN div 51) mod 8 of TS 45.002 §6.3.1.3.
func TC(fn tdma.FN) uint8 { return uint8((int(fn) / 51) % 8) }
