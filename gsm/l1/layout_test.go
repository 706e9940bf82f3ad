package l1_test

import (
	"errors"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func TestSwitchAt(t *testing.T) {
	for _, tc := range []struct {
		to       l1.Combination
		fn, want tdma.FN
	}{
		{l1.CombVII, 0, 0}, {l1.CombVII, 1, 51}, {l1.CombVII, 51, 51}, {l1.CombVII, 100, 102},
		{l1.CombI, 0, 0}, {l1.CombI, 1, 26}, {l1.CombI, 52, 52}, {l1.CombI, 53, 78},
		{l1.CombVII, tdma.HyperFrame - 1, 0}, {l1.CombI, tdma.HyperFrame - 1, 0},
	} {
		if got := l1.SwitchAt(tc.to, tc.fn); got != tc.want {
			t.Errorf("SwitchAt(%v, %d) = %d, want %d", tc.to, tc.fn, got, tc.want)
		}
	}
}

func TestLayoutSwitchRefused(t *testing.T) {
	l := l1.NewLayout([8]l1.Combination{l1.CombV, l1.CombI, l1.CombI})
	for _, tc := range []struct {
		name string
		tn   tdma.TN
		to   l1.Combination
		at   tdma.FN
	}{
		{"TN0", 0, l1.CombVII, 51},
		{"combination V", 1, l1.CombV, 52},
		{"off the 51-multiframe", 1, l1.CombVII, 52},
		{"off the 26-multiframe", 1, l1.CombI, 51},
	} {
		if err := l.Switch(tc.tn, tc.to, tc.at); !errors.Is(err, l1.ErrConfig) {
			t.Errorf("%s: Switch(TN%d, %v, %d) = %v, want ErrConfig", tc.name, tc.tn, tc.to, tc.at, err)
		}
	}
	if err := l.Switch(1, l1.CombVII, 102); err != nil {
		t.Fatal(err)
	}
	if l.At(1, 101) != l1.CombI || l.At(1, 102) != l1.CombVII {
		t.Errorf("At(TN1) around the switch at FN 102: %v, %v, want I, VII", l.At(1, 101), l.At(1, 102))
	}
	if err := l.Switch(1, l1.CombI, 104); err == nil {
		t.Errorf("a second switch 2 frames after the first was accepted")
	}
	if err := l.Switch(1, l1.CombI, 312); err != nil {
		t.Errorf("a switch after the first settled: %v", err)
	}
	// Frames map to the combination on the air then.
	for _, tc := range []struct {
		fn   tdma.FN
		want l1.Combination
	}{{102, l1.CombVII}, {311, l1.CombVII}, {312, l1.CombI}} {
		if got := l.At(1, tc.fn); got != tc.want {
			t.Errorf("At(TN1, %d) = %v, want %v", tc.fn, got, tc.want)
		}
	}
	if got := l.At(2, 500); got != l1.CombI {
		t.Errorf("At(TN2) = %v, want the unswitched I", got)
	}
}

// A TCH/F timeslot switched to SDCCH/8 at FN 102: up to then the
// Downlink asks the traffic source, from then on the SDCCH/8 and
// SACCH/C8 blocks of TN2 are asked for at their block starts; the
// uplink delivers an SDCCH/8 block on TN2 after the switch and the plan
// follows. Switched back at a 26-multiframe boundary, the TCH/F returns.
func TestDownlinkUplinkSwitch(t *testing.T) {
	cfg := cfgV()
	cfg.Slots[2] = l1.CombI
	src := &l1test.Source{}
	src.Active[2] = true
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	sink := &l1test.Sink{}
	ul, err := l1.NewUplink(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	lay := l1.NewLayout(cfg.Slots)
	const at = 102
	for _, sw := range []func(tdma.TN, l1.Combination, tdma.FN) error{dl.Switch, ul.Switch, lay.Switch} {
		if err := sw(2, l1.CombVII, at); err != nil {
			t.Fatal(err)
		}
	}
	var out [8]tdma.TxBurst
	for fn := tdma.FN(0); fn < 2*at; fn++ {
		dl.Frame(fn, &out)
		if fn < at && out[2].Kind != tdma.KindNormal && fn.T2() != 12 && fn.T2() != 25 {
			t.Fatalf("FN %d TN2: %v before the switch, want the active TCH/F's normal burst", fn, out[2].Kind)
		}
	}
	sd := 0
	for _, r := range src.Requests {
		if r.Chan.TN != 2 {
			continue
		}
		switch r.Chan.Kind {
		case l1.ChanSDCCH8, l1.ChanSACCHC8:
			if r.FN < at {
				t.Errorf("%v asked for at FN %d, before the switch", r.Chan, r.FN)
			}
			if k := int(r.FN) % 51; k%4 != 0 || k > 44 {
				t.Errorf("%v asked for at FN %d, not a block start", r.Chan, r.FN)
			}
			sd++
		}
	}
	if sd != 2*12 {
		t.Errorf("%d SDCCH/8 and SACCH/C8 blocks asked for in two 51-multiframes, want 24", sd)
	}
	var p phy.Plan
	lay.Plan(cfg.TSC(), at+15, &p) // SDCCH/8 0 uplink
	if p.Slots[2] != phy.RxNormal {
		t.Errorf("plan after the switch, TN2 = %v, want normal", p.Slots[2])
	}
	lay.Plan(cfg.TSC(), at+12, &p) // idle in combination VII
	if p.Slots[2] != phy.RxOff {
		t.Errorf("plan after the switch at an idle VII frame, TN2 = %v, want off", p.Slots[2])
	}

	// The uplink: an SDCCH/8 block on TN2 after the switch.
	ch := l1.Chan{Kind: l1.ChanSDCCH8, TN: 2, Sub: 0}
	vii := cfg
	vii.Slots[2] = l1.CombVII
	msg := testMsg(0x41)
	for _, rx := range uplinkBursts(t, &vii, ch, at, &msg) {
		ul.Burst(&rx)
	}
	if g := sink.Good(ch); len(g) != 1 || g[0].Msg != msg {
		t.Errorf("uplink after the switch: %d good blocks on %v, want the one sent", len(g), ch)
	}

	// And back to TCH/F.
	back := l1.SwitchAt(l1.CombI, 3*at)
	for _, sw := range []func(tdma.TN, l1.Combination, tdma.FN) error{dl.Switch, ul.Switch, lay.Switch} {
		if err := sw(2, l1.CombI, back); err != nil {
			t.Fatal(err)
		}
	}
	src.Requests = nil
	for fn := tdma.FN(2 * at); fn < back+52; fn++ {
		dl.Frame(fn, &out)
		if fn >= back && out[2].Kind != tdma.KindNormal && fn.T2() != 12 && fn.T2() != 25 {
			t.Fatalf("FN %d TN2: %v after switching back, want the TCH/F", fn, out[2].Kind)
		}
	}
	for _, r := range src.Requests {
		if r.Chan.TN == 2 && r.Chan.Kind == l1.ChanSDCCH8 && r.FN >= back {
			t.Errorf("SDCCH/8 asked for at FN %d, after switching back at %d", r.FN, back)
		}
	}
}
