package l1

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The cell's receive plan follows the uplink tables (TS 45.002 §7 Table 3
// of 9): combination V's RACH positions (frames 4, 5, 14..36, 45, 46 of
// the 51-multiframe) listen for access bursts, its SDCCH/4 and SACCH
// frames for normal bursts with the BCC as TSC; combination VII's idle
// frames and an unused timeslot are off.
func TestConfigPlan(t *testing.T) {
	c := Config{BSIC: tdma.BSIC{NCC: 1, BCC: 5}, Slots: [8]Combination{CombV, CombVII}}
	var p phy.Plan
	for _, tc := range []struct {
		fn   tdma.FN
		tn   tdma.TN
		want phy.Rx
	}{
		{4, 0, phy.RxAccess}, {20, 0, phy.RxAccess}, {46, 0, phy.RxAccess},
		{51 + 4, 0, phy.RxAccess},
		{0, 0, phy.RxNormal}, // SDCCH/4 uplink
		{2, 7, phy.RxOff},    // no channel on TN7
	} {
		c.Plan(tc.fn, &p)
		if got := p.Slots[tc.tn]; got != tc.want {
			t.Errorf("Plan(FN %d) TN%d = %v, want %v", tc.fn, tc.tn, got, tc.want)
		}
		if p.TSC[tc.tn] != 5 {
			t.Errorf("Plan(FN %d) TN%d TSC = %d, want the BCC 5", tc.fn, tc.tn, p.TSC[tc.tn])
		}
	}
	// Combination VII has idle uplink frames: they are off, the rest normal.
	off, normal := 0, 0
	for fn := tdma.FN(0); fn < 102; fn++ {
		c.Plan(fn, &p)
		switch p.Slots[1] {
		case phy.RxOff:
			off++
		case phy.RxNormal:
			normal++
		default:
			t.Errorf("Plan(FN %d) TN1 = %v, want off or normal", fn, p.Slots[1])
		}
	}
	if off == 0 || normal == 0 {
		t.Errorf("combination VII over 102 frames: %d off, %d normal; want both", off, normal)
	}
}
