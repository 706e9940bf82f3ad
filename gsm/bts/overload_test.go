package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A burst of requests larger than the CCCH can answer in time: every
// request is answered (assigned or refused) or dropped as stale, and no
// Immediate Assignment goes out later than the phone's window.
func TestStaleRequestsDropped(t *testing.T) {
	a := newAir(t, testConfig())
	ra := uint8(0)
	reqFN := map[uint8]tdma.FN{}
	const n = 100
	for a.fn < 51*12 {
		before := len(a.ccch)
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if ra >= n || fn < 51 {
				return nil
			}
			b := rach(a.cell, fn, tn, ra&0x1f, 0)
			if b != nil {
				reqFN[ra&0x1f] = fn
				ra++
			}
			return b
		})
		for _, ia := range a.ccch[before:] {
			for r, f := range reqFN {
				if ia.Ref.Matches(r, f) {
					if age := a.fn.Sub(f); age > a.cell.staleFrames()+4 {
						t.Errorf("assignment for the request of FN %d sent at FN %d: %d frames late, the window is %d", f, a.fn, age, a.cell.staleFrames())
					}
				}
			}
		}
	}
	st, ov := a.cell.Stats().Dedicated, a.cell.Overload()
	if got := st.Assigned + st.Rejected + ov.Stale + ov.QueueFull; got != n {
		t.Errorf("assigned %d + rejected %d + stale %d + overflow %d = %d, want every one of %d requests", st.Assigned, st.Rejected, ov.Stale, ov.QueueFull, got, n)
	}
	if ov.Stale == 0 {
		t.Errorf("no request went stale: the test does not overload the CCCH")
	}
	if ov.RejectMsgs == 0 || st.Rejected < 2*ov.RejectMsgs {
		t.Errorf("%d refusals in %d messages, want them grouped (up to 4 per message)", st.Rejected, ov.RejectMsgs)
	}
	if int(st.Rejected) != a.rej {
		t.Errorf("Rejected = %d, the air saw %d refused references", st.Rejected, a.rej)
	}
}

// The wait indications spread the refused phones over the seconds the
// SDCCHs can serve: the more refused, the longer the wait.
func TestWaitIndicationScales(t *testing.T) {
	c, err := New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	per := c.servicePerSecond()
	var last uint8
	for i := range 10 * per {
		w := c.waitIndication()
		if w < last {
			t.Fatalf("refusal %d: wait %d s after %d s", i, w, last)
		}
		last = w
	}
	if int(last) < t3122Min+9 {
		t.Errorf("after %d refusals at %d per second the wait is %d s, want ≥ %d", 10*per, per, last, t3122Min+9)
	}
	if b := c.backlog(); b != 10*per {
		t.Errorf("backlog %d, want %d", b, 10*per)
	}
}

// Under a flood of requests the overload control spreads the RACH and
// then bars access classes, in the System Information it broadcasts;
// when the flood stops it lifts them again, one level at a time.
func TestOverloadControl(t *testing.T) {
	cfg := testConfig()
	a := newAir(t, cfg)
	base := cfg.Cell.TxIntegerSlots
	flood := true
	ra := uint8(0)
	up := func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
		if !flood {
			return nil
		}
		b := rach(a.cell, fn, tn, ra&0x1f, 0)
		if b != nil {
			ra++
		}
		return b
	}
	var maxLevel OverloadLevel
	var barredSeen uint16
	for range secondFrames * 40 {
		a.step(up)
		maxLevel = max(maxLevel, a.cell.Overload().Level)
		barredSeen |= si3(t, a.cell).RACH.Barred
	}
	if maxLevel < OverloadBar3 || barredSeen == 0 {
		t.Fatalf("under a flood: level %v, barred classes %#x; want barring", maxLevel, barredSeen)
	}
	if got := rr.TxIntegerSlots(si3(t, a.cell).RACH.TxInteger); got != 50 {
		t.Errorf("Tx-integer under a flood %d, want 50", got)
	}
	flood = false
	for range secondFrames * 300 {
		a.step(up)
	}
	s := si3(t, a.cell)
	if lvl := a.cell.Overload().Level; lvl != OverloadNone || s.RACH.Barred != 0 || rr.TxIntegerSlots(s.RACH.TxInteger) != base {
		t.Errorf("after the flood: level %v, barred %#x, Tx-integer %d; want none, 0, %d", lvl, s.RACH.Barred, rr.TxIntegerSlots(s.RACH.TxInteger), base)
	}
	if ov := a.cell.Overload(); ov.SIChanges < 3 {
		t.Errorf("%d SI changes, want the way up and down", ov.SIChanges)
	}
}

func si3(t *testing.T, c *Cell) rr.SI3 {
	t.Helper()
	var m rr.SI3
	if err := m.Unmarshal(c.SystemInformation().SI3[:]); err != nil {
		t.Fatal(err)
	}
	return m
}
