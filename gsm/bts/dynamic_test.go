package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func dynamicConfig() Config {
	cfg := testConfig()
	cfg.TCHF = []tdma.TN{3, 4, 5, 6, 7}
	cfg.DynamicTS = []tdma.TN{6, 7}
	return cfg
}

// activAnswers empties the up queue and counts the CHAN ACTIV answers.
func activAnswers(up *rsl.Queue[rsl.Up]) (acks, nacks int) {
	for up.Len() > 0 {
		u, _ := up.Get()
		switch u.Kind {
		case rsl.ChanActivAck:
			acks++
		case rsl.ChanActivNack:
			nacks++
		}
	}
	return acks, nacks
}

// A flood of channel requests that the four SDCCH/4 cannot take turns
// the two dynamic TCH/F timeslots into SDCCH/8, highest first, at
// 51-multiframe boundaries; grants then go out on their SDCCH/8, never
// before the switch. When the flood stops and the channels are released
// (T3101: nobody comes), they go back to TCH/F at a 26-multiframe
// boundary, and a call gets its TCH/F there.
func TestDynamicTimeslots(t *testing.T) {
	cfg := dynamicConfig()
	up := rsl.NewQueue[rsl.Up](4096)
	cfg.Up = up
	told := map[tdma.TN]tdma.FN{} // what OnSwitch said (an external transceiver's SETSLOT)
	cfg.OnSwitch = func(tn tdma.TN, to l1.Combination, at tdma.FN) {
		if to == l1.CombVII {
			told[tn] = at
		}
	}
	a := newAir(t, cfg)
	if got := a.cell.Overload().SDCCHTotal; got != 4 {
		t.Fatalf("SDCCHs at start = %d, want the 4 SDCCH/4", got)
	}
	ra := uint8(0)
	flood := func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
		b := rach(a.cell, fn, tn, ra&0x0f, 0) // location updating
		if b != nil {
			ra++
		}
		return b
	}
	switched := map[tdma.TN]tdma.FN{}
	for a.fn < 51*40 {
		seen := len(a.ccch)
		a.step(flood)
		activAnswers(up)
		ts := a.cell.Timeslots()
		for _, tn := range []tdma.TN{6, 7} {
			if _, ok := switched[tn]; !ok && ts[tn] == l1.CombVII {
				switched[tn] = a.cell.dyn[tn].at
			}
		}
		for _, ia := range a.ccch[seen:] {
			if at, ok := switched[ia.Chan.TN]; ia.Chan.Type == rr.ChanSDCCH8 && (!ok || a.fn < at) {
				t.Errorf("FN %d: SDCCH/8 granted on TN%d before its switch (FN %d)", a.fn, ia.Chan.TN, at)
			}
		}
	}
	if len(switched) != 2 || switched[7] > switched[6] {
		t.Fatalf("switched to SDCCH/8: %v, want TN7 then TN6", switched)
	}
	if len(told) != 2 || told[6] != switched[6] || told[7] != switched[7] {
		t.Errorf("OnSwitch told %v, want the switches %v", told, switched)
	}
	for tn, at := range switched {
		if at%51 != 0 {
			t.Errorf("TN%d switched at FN %d, not a 51-multiframe boundary", tn, at)
		}
	}
	on := map[tdma.TN]int{}
	for _, ia := range a.ccch {
		if ia.Chan.Type == rr.ChanSDCCH8 {
			on[ia.Chan.TN]++
		}
	}
	if on[6] == 0 || on[7] == 0 {
		t.Errorf("SDCCH/8 grants per timeslot: %v, want some on TN6 and TN7", on)
	}
	st := a.cell.Stats()
	if st.Overload.SDCCHTotal != 20 || st.Dynamic.SDCCH8Now != 2 || st.Dynamic.ToSDCCH != 2 {
		t.Errorf("SDCCHs %d, dynamic %+v; want 20 SDCCHs, 2 timeslots switched", st.Overload.SDCCHTotal, st.Dynamic)
	}
	// The receive plan listens on the SDCCH/8 (uplink of sub-channel 0
	// is frames 15..18).
	var p phy.Plan
	a.cell.Plan(a.fn.Add(15-a.fn.T3()+51), &p)
	if p.Slots[7] != phy.RxNormal {
		t.Errorf("plan on TN7's SDCCH/8 = %v, want normal", p.Slots[7])
	}

	// The flood stops: T3101 frees the channels, the demand is gone, and
	// after the hold both timeslots go back to TCH/F.
	back := map[tdma.TN]tdma.FN{}
	for end := a.fn.Add(30 * secondFrames); a.fn.Before(end); {
		a.step(nil)
		activAnswers(up)
		ts := a.cell.Timeslots()
		for _, tn := range []tdma.TN{6, 7} {
			if _, ok := back[tn]; !ok && ts[tn] == l1.CombI {
				back[tn] = a.cell.dyn[tn].at
				if !a.cell.slotIdle(tn) {
					t.Errorf("TN%d switched back with a channel in use", tn)
				}
			}
		}
	}
	if len(back) != 2 {
		t.Fatalf("switched back to TCH/F: %v, want TN6 and TN7", back)
	}
	for tn, at := range back {
		if at%26 != 0 {
			t.Errorf("TN%d switched back at FN %d, not a 26-multiframe boundary", tn, at)
		}
	}
	st = a.cell.Stats()
	if st.Overload.SDCCHTotal != 4 || st.Dynamic.SDCCH8Now != 0 || st.Dynamic.ToTCH != 2 || st.ChannelsInUse != 0 {
		t.Errorf("after the storm: SDCCHs %d, dynamic %+v, %d channels in use; want 4, none switched, none in use",
			st.Overload.SDCCHTotal, st.Dynamic, st.ChannelsInUse)
	}
	// Every TCH/F, the dynamic ones too, can be activated for calls.
	for range 5 {
		a.cell.Down().Put(rsl.Down{Kind: rsl.ChanActivate, Cell: a.cell.ID(), Chan: l1.Chan{Kind: l1.ChanTCHF}})
	}
	a.step(nil)
	if acks, nacks := activAnswers(up); acks != 5 || nacks != 0 {
		t.Errorf("5 TCH/F activations after the storm: %d ACK, %d NACK; want all ACK", acks, nacks)
	}
}

// Calls short of TCH/Fs during a storm: the dynamic timeslots stop
// taking signalling and go back to TCH/F as soon as their SDCCHs are
// released, while the flood goes on.
func TestDynamicTimeslotsCallsFirst(t *testing.T) {
	cfg := dynamicConfig()
	up := rsl.NewQueue[rsl.Up](4096)
	cfg.Up = up
	a := newAir(t, cfg)
	ra := uint8(0)
	flood := func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
		b := rach(a.cell, fn, tn, ra&0x0f, 0)
		if b != nil {
			ra++
		}
		return b
	}
	for a.fn < 51*40 {
		a.step(flood)
		activAnswers(up)
	}
	if ts := a.cell.Timeslots(); ts[6] != l1.CombVII || ts[7] != l1.CombVII {
		t.Fatalf("timeslots %v after the flood, want TN6 and TN7 on SDCCH/8", ts)
	}
	// Three calls' TCH/Fs take TN3..5: fewer than two are left free.
	for range 3 {
		a.cell.Down().Put(rsl.Down{Kind: rsl.ChanActivate, Cell: a.cell.ID(), Chan: l1.Chan{Kind: l1.ChanTCHF}})
	}
	a.step(flood)
	sabm := [23]byte{0x01, 0x3f, 0x01}
	for i := 3; i < 23; i++ {
		sabm[i] = 0x2b
	}
	acks := 0
	for up.Len() > 0 {
		u, _ := up.Get()
		if u.Kind == rsl.ChanActivAck {
			acks++
			// The phone comes: the call holds its TCH/F.
			a.cell.UplinkBlock(&l1.UplinkBlock{Chan: l1.Chan{Kind: l1.ChanFACCHF, TN: u.Chan.TN}, FN: a.fn, Good: true, Msg: sabm})
		}
	}
	if acks != 3 {
		t.Fatalf("%d of 3 TCH/F activations acknowledged", acks)
	}
	for end := a.fn.Add(10 * secondFrames); a.fn.Before(end); {
		a.step(flood)
		activAnswers(up)
	}
	ts := a.cell.Timeslots()
	if ts[6] != l1.CombI {
		t.Errorf("timeslots %v: with calls short of TCH/Fs, want TN6 back on TCH/F", ts)
	}
	a.cell.Down().Put(rsl.Down{Kind: rsl.ChanActivate, Cell: a.cell.ID(), Chan: l1.Chan{Kind: l1.ChanTCHF}})
	a.step(flood)
	if acks, nacks := activAnswers(up); acks != 1 || nacks != 0 {
		t.Errorf("a fourth call during the flood: %d ACK, %d NACK, want its TCH/F", acks, nacks)
	}
}
