package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// rachFNs returns the frames of RACH slots k·gap apart from the first
// RACH slot at or after fn.
func rachFNs(c *Cell, fn tdma.FN, n, gap int) []tdma.FN {
	var out []tdma.FN
	for ; len(out) < n; fn++ {
		if c.l1cfg.Slots[0].Uplink(0, fn).Chan.Kind != l1.ChanRACH {
			continue
		}
		if len(out) == 0 || c.rachSlot(fn)-c.rachSlot(out[0]) == len(out)*gap {
			out = append(out, fn)
		}
	}
	return out
}

// A phone's three channel requests, S slots apart, wait in the queue with
// another phone's request. Once the first is granted, the other phone is
// answered next and the first phone's two others only after it: they are
// marked as its siblings. With nothing else waiting, the one 2 dB off is
// answered, the one 1 dB off dropped. A request with the same timing but
// another timing advance and level is not a sibling.
func TestSiblingRequests(t *testing.T) {
	c, err := New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := slotsS(c.cfg.Cell.TxIntegerSlots, c.cfg.Cell.CombinedCCCH)
	a := rachFNs(c, 100, 3, s)
	b := rachFNs(c, a[0]+1, 1, 1)[0]
	// A fourth request at A's second request's gap, but 10 dB stronger
	// and from further away: another phone.
	other := rachFNs(c, a[2]+1, 1, 1)[0]
	for _, r := range []struct {
		ra   uint8
		fn   tdma.FN
		toa  float32
		rssi float32
	}{{0x01, a[0], 3, -80}, {0x02, b, 9, -70}, {0x03, a[1], 3, -82}, {0x04, a[2], 3, -79}, {0x05, other, 12, -60}} {
		c.AccessBurst(&l1.AccessBurst{RA: r.ra, FN: r.fn, ToA: r.toa, RSSI: r.rssi})
	}
	var got []uint8
	fn := other.Add(1)
	var blk [23]byte
	for c.grant(fn, &blk) {
		if blk[2] != 0x3f {
			t.Fatalf("grant: message type %#x, want only Immediate Assignments", blk[2])
		}
		var ia rr.ImmediateAssignment
		if err := ia.Unmarshal(blk[:]); err != nil {
			t.Fatalf("grant: %v", err)
		}
		got = append(got, ia.Ref.RA)
	}
	want := []uint8{0x01, 0x02, 0x05, 0x03}
	if len(got) != len(want) {
		t.Fatalf("granted RAs %#x, want %#x", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("granted RAs %#x, want %#x", got, want)
		}
	}
	if ov := c.Overload(); ov.Siblings != 2 || ov.SiblingDrops != 1 || ov.QueueLen != 0 {
		t.Errorf("Siblings = %d, SiblingDrops = %d, queue %d; want the first phone's other 2 requests marked, the close one (1 dB) dropped",
			ov.Siblings, ov.SiblingDrops, ov.QueueLen)
	}
}
