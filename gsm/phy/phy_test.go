package phy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/phy/phytest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func TestRxString(t *testing.T) {
	for r, want := range map[phy.Rx]string{phy.RxOff: "off", phy.RxAccess: "access", phy.RxFCCH: "fcch", 9: "Rx(9)"} {
		if got := r.String(); got != want {
			t.Errorf("Rx(%d).String() = %q, want %q", uint8(r), got, want)
		}
	}
}

func TestPlanAny(t *testing.T) {
	var p phy.Plan
	if p.Any() {
		t.Errorf("zero Plan.Any() = true, want false")
	}
	p.Slots[5] = phy.RxNormal
	if !p.Any() {
		t.Errorf("Plan.Any() with TN5 normal = false, want true")
	}
}

// TestFakeCarrier drives the fake as the cell loop does: frames count
// up, the downlink is kept, and the uplink is filtered by the plan.
func TestFakeCarrier(t *testing.T) {
	c := &phytest.Carrier{Limit: 3}
	ctx := context.Background()
	// TN0 listens for access bursts, TN1 for normal bursts, the rest off.
	plan := phy.PlanFunc(func(fn tdma.FN, p *phy.Plan) {
		*p = phy.Plan{}
		p.Slots[0], p.Slots[1] = phy.RxAccess, phy.RxNormal
	})
	var got []tdma.RxBurst
	emit := func(b *tdma.RxBurst) { got = append(got, *b) }
	for want := tdma.FN(0); want < 3; want++ {
		fn, err := c.Next(ctx)
		if err != nil || fn != want {
			t.Fatalf("Next() = %d, %v, want %d, nil", fn, err, want)
		}
		var b [tdma.Slots]tdma.TxBurst
		b[0].Kind = tdma.KindFCCH
		if err := c.Transmit(fn, &b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Next(ctx); !errors.Is(err, phy.ErrClosed) {
		t.Errorf("Next() after Limit: err %v, want ErrClosed", err)
	}
	if b, ok := c.Sent(1); !ok || b[0].Kind != tdma.KindFCCH {
		t.Errorf("Sent(1) = %v, %v, want an FCCH on TN0", b[0].Kind, ok)
	}
	c.Queue(tdma.RxBurst{FN: 1, TN: 0, Kind: tdma.KindAccess},
		tdma.RxBurst{FN: 1, TN: 1, Kind: tdma.KindAccess},
		tdma.RxBurst{FN: 1, TN: 2, Kind: tdma.KindNormal})
	if err := c.Receive(plan, emit); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Kind != tdma.KindAccess || got[1].Kind != tdma.KindNone {
		t.Errorf("Receive emitted %+v, want TN0 access and TN1 none", got)
	}
	if n := c.Ignored(); n != 1 {
		t.Errorf("Ignored() = %d, want 1", n)
	}
}
