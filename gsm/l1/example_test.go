package l1_test

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A cell's per-frame loop: configure C0, install system information, and
// fill the eight timeslots of each TDMA frame.
func ExampleNewDownlink() {
	cfg := l1.Config{
		ARFCN:       62,
		BSIC:        tdma.BSIC{NCC: 0, BCC: 7},
		Slots:       [8]l1.Combination{l1.CombV, l1.CombVII, l1.CombI, l1.CombI},
		BSAgBlksRes: 1,
		BSPaMfrms:   2,
		IdleCCCH:    l1test.EmptyPaging, // from gsm/rr in a real cell
	}
	src := &l1test.Source{} // the cell: SDCCH/SACCH/AGCH/PCH blocks
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	var si3 [23]byte // from gsm/rr
	si3[0], si3[1], si3[2] = 0x49, 0x06, 0x1b
	dl.BCCH.Set(l1.SI3, &si3)

	var out [8]tdma.TxBurst
	for fn := tdma.FN(0); fn < 3; fn++ {
		dl.Frame(fn, &out) // then hand out to the transceiver
		fmt.Println(fn, out[0].Kind, out[1].Kind, out[7].Kind)
	}
	// Output:
	// FN0 fcch normal dummy
	// FN1 sch normal dummy
	// FN2 normal normal dummy
}
