package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// air joins a cell to a test's idea of one MS: it runs the cell frame by
// frame, decodes the CCCH of TN0 like an MS, and builds the MS's uplink
// bursts at their TS 45.002 positions.
type air struct {
	t    *testing.T
	cell *Cell
	fn   tdma.FN
	out  [tdma.Slots]tdma.TxBurst
	soft [8][4][116]int8 // per TN, the downlink block being gathered
	ccch []rr.ImmediateAssignment
	rej  int // requests refused (Immediate Assignment Reject references)
}

func newAir(t *testing.T, cfg Config) *air {
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &air{t: t, cell: cell}
}

func toSoft(dst *[116]int8, b *tdma.Burst) {
	var data [tdma.NormalDataBits]byte
	tdma.NormalData(&data, (*[tdma.BurstBits]byte)(b))
	for i, v := range data {
		dst[i] = 127
		if v == 1 {
			dst[i] = -127
		}
	}
}

// step runs one frame: downlink decoded, then uplink bursts from up.
func (a *air) step(up func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst) {
	a.cell.Frame(a.fn, &a.out)
	comb := a.cell.L1Config().Slots[0]
	s := comb.Downlink(0, a.fn)
	switch s.Chan.Kind {
	case l1.ChanAGCH, l1.ChanPCH, l1.ChanCCCH:
		toSoft(&a.soft[0][s.Burst], &a.out[0].Bits)
		if s.Burst == 3 {
			var msg [23]byte
			if _, ok := coding.DecodeXCCH(&msg, &a.soft[0]); !ok {
				a.t.Fatalf("FN %d: CCCH block does not decode", a.fn)
			}
			switch msg[2] {
			case 0x3f:
				var ia rr.ImmediateAssignment
				if err := ia.Unmarshal(msg[:]); err != nil {
					a.t.Fatalf("immediate assignment: %v", err)
				}
				a.ccch = append(a.ccch, ia)
			case 0x3a:
				var rej rr.ImmediateAssignmentReject
				if err := rej.Unmarshal(msg[:]); err != nil {
					a.t.Fatalf("immediate assignment reject: %v", err)
				}
				a.rej += rej.Count
			}
		}
	}
	if up != nil {
		for tn := tdma.TN(0); tn < tdma.Slots; tn++ {
			if b := up(a.fn, tn); b != nil {
				a.cell.Receive(b)
			}
		}
	}
	a.fn = a.fn.Add(1)
}

// rach returns an access burst carrying ra at its first RACH position.
func rach(cell *Cell, fn tdma.FN, tn tdma.TN, ra uint8, toa float32) *tdma.RxBurst {
	if tn != 0 || cell.L1Config().Slots[0].Uplink(0, fn).Chan.Kind != l1.ChanRACH {
		return nil
	}
	var coded [36]byte
	coding.EncodeRACH(&coded, ra, cell.cfg.Cell.BSIC)
	b := &tdma.RxBurst{FN: fn, TN: tn, Kind: tdma.KindAccess, ToA: toa, RSSI: -60}
	for i := range b.Soft {
		b.Soft[i] = 127
	}
	for i, v := range coded {
		if v == 1 {
			b.Soft[tdma.AccessDataStart+i] = -127
		}
	}
	return b
}

// dedicatedBurst returns the uplink burst of msg on the SDCCH (or its
// SACCH) of ch at fn, or nil when fn carries nothing of that channel.
func dedicatedBurst(cell *Cell, fn tdma.FN, tn tdma.TN, ch l1.Chan, sacch bool, msg *[23]byte) *tdma.RxBurst {
	if tn != ch.TN {
		return nil
	}
	s := cell.L1Config().Slots[tn].Uplink(tn, fn)
	want := ch.Kind
	if sacch {
		want = map[l1.ChanKind]l1.ChanKind{l1.ChanSDCCH4: l1.ChanSACCHC4, l1.ChanSDCCH8: l1.ChanSACCHC8}[ch.Kind]
	}
	if s.Chan.Kind != want || s.Chan.Sub != ch.Sub {
		return nil
	}
	var enc [4][116]byte
	coding.EncodeXCCH(&enc, msg)
	var bits tdma.Burst
	tdma.Normal(&bits, &enc[s.Burst], cell.cfg.Cell.BSIC.BCC)
	b := &tdma.RxBurst{FN: fn, TN: tn, Kind: tdma.KindNormal, RSSI: -60}
	for i, v := range bits {
		b.Soft[i] = 127
		if v == 1 {
			b.Soft[i] = -127
		}
	}
	return b
}

func TestImmediateAssignment(t *testing.T) {
	a := newAir(t, testConfig())
	const ra = 0x05 // location updating (NECI 1: 0000xxxx)
	sent := false
	var rachFN tdma.FN
	for len(a.ccch) == 0 && a.fn < 51*4 {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if sent || fn < 60 {
				return nil
			}
			b := rach(a.cell, fn, tn, ra, 7.3)
			if b != nil {
				sent, rachFN = true, fn
			}
			return b
		})
	}
	if len(a.ccch) != 1 {
		t.Fatalf("got %d immediate assignments, want 1", len(a.ccch))
	}
	ia := a.ccch[0]
	if !ia.Ref.Matches(ra, rachFN) {
		t.Errorf("request reference %+v does not match RA %#x at FN %d", ia.Ref, ra, rachFN)
	}
	if ia.TA != 7 {
		t.Errorf("TA = %d, want 7 (ToA 7.3 symbols)", ia.TA)
	}
	if ia.Chan.Type != rr.ChanSDCCH4 || ia.Chan.TN != 0 || ia.Chan.TSC != 7 || ia.Chan.ARFCN != 62 {
		t.Errorf("channel = %+v, want SDCCH/4 on TN0, TSC 7, ARFCN 62", ia.Chan)
	}
	if got := a.cell.Channels()[ia.Chan.SubChan]; got != ChanAssigned {
		t.Errorf("channel state = %v, want assigned", got)
	}
}

// The MS comes to its SDCCH: the channel becomes active and its link sees
// the uplink; when the MS goes silent the radio link counter releases it.
func TestChannelLifecycle(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](1024)
	cfg.Up, cfg.ID = up, 9
	a := newAir(t, cfg)
	sent := false
	for len(a.ccch) == 0 && a.fn < 51*4 {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if sent {
				return nil
			}
			b := rach(a.cell, fn, tn, 0x03, 0)
			sent = b != nil
			return b
		})
	}
	if len(a.ccch) == 0 {
		t.Fatal("no immediate assignment")
	}
	sub := a.ccch[0].Chan.SubChan
	ch := l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: sub}
	sabm := [23]byte{0x01, 0x3f, 0x01, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}
	meas := [23]byte{0x05, 0x00, 0x01, 0x03, 0x01} // L1 header then a LAPDm UI fill
	until := a.fn.Add(51 * 8)
	for a.fn.Before(until) {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if b := dedicatedBurst(a.cell, fn, tn, ch, false, &sabm); b != nil {
				return b
			}
			return dedicatedBurst(a.cell, fn, tn, ch, true, &meas)
		})
	}
	if got := a.cell.Channels()[sub]; got != ChanActive {
		t.Fatalf("channel state = %v, want active", got)
	}
	events := drainUp(up)
	if len(events) < 2 || events[0].Kind != rsl.ChanRequired || events[1].Kind != rsl.EstablishInd {
		t.Fatalf("events %v, want CHAN RQD then EST IND", kinds(events))
	}
	if e := events[0]; rr.EstCause(e.Cause) != rr.EstLocationUpdate || e.Cell != 9 || e.Chan != ch || e.Ref == 0 {
		t.Errorf("CHAN RQD %+v, want location updating on %v of cell 9", e, ch)
	}
	// CHAN RQD carries the assignment's Channel Description, which the
	// core keeps for a call that follows; read after the cell has built
	// many more CCCH blocks, it is still the one the MS was given.
	var desc [3]byte
	if _, err := a.ccch[0].Chan.MarshalTo(desc[:]); err != nil {
		t.Fatal(err)
	}
	if e := events[0]; string(e.Msg) != string(desc[:]) {
		t.Errorf("CHAN RQD Msg = % x, want the Channel Description % x", e.Msg, desc)
	}
	if e := events[1]; e.SAPI != 0 || e.Chan != ch || e.Ref != events[0].Ref {
		t.Errorf("EST IND %+v, want SAPI 0 on %v, ref %d", e, ch, events[0].Ref)
	}
	// Silence: radio link timeout 32 at -1 per lost SACCH block (every
	// 102 frames per sub-channel) releases the channel after 32 blocks.
	for i := 0; i < 102*34; i++ {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if tn != 0 {
				return nil
			}
			// The MS is gone: only noise on its slots.
			return &tdma.RxBurst{FN: fn, TN: tn, Kind: tdma.KindNormal}
		})
	}
	if got := a.cell.Channels()[sub]; got != ChanFree {
		t.Fatalf("channel state after silence = %v, want free", got)
	}
	if st := a.cell.Stats().Dedicated; st.RadioLinkLost != 1 {
		t.Errorf("RadioLinkLost = %d, want 1", st.RadioLinkLost)
	}
	events = drainUp(up)
	if k := kinds(events); len(k) < 2 || k[len(k)-2] != rsl.ConnFailure || k[len(k)-1] != rsl.ChanReleased {
		t.Errorf("events after silence %v, want ... CONN FAIL, RF CHAN REL ACK", k)
	}
}

func drainUp(q *rsl.Queue[rsl.Up]) []rsl.Up {
	var out []rsl.Up
	for {
		u, ok := q.Get()
		if !ok {
			return out
		}
		out = append(out, u)
	}
}

func kinds(us []rsl.Up) []rsl.UpKind {
	var k []rsl.UpKind
	for _, u := range us {
		k = append(k, u.Kind)
	}
	return k
}

func TestT3101(t *testing.T) {
	a := newAir(t, testConfig())
	sent := false
	for a.fn < T3101Frames+51*4 {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if sent {
				return nil
			}
			b := rach(a.cell, fn, tn, 0x03, 0)
			sent = b != nil
			return b
		})
	}
	for i, s := range a.cell.Channels() {
		if s != ChanFree {
			t.Errorf("channel %d is %v after T3101, want free", i, s)
		}
	}
	if st := a.cell.Stats().Dedicated; st.T3101Expired != 1 {
		t.Errorf("T3101Expired = %d, want 1", st.T3101Expired)
	}
}

// With every SDCCH taken, a further request gets Immediate Assignment
// Reject with the wait indication.
func TestCongestion(t *testing.T) {
	a := newAir(t, testConfig())
	ra := uint8(0)
	for a.fn < 51*3 {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if ra >= 6 {
				return nil
			}
			b := rach(a.cell, fn, tn, ra, 0)
			if b != nil {
				ra++
			}
			return b
		})
	}
	if len(a.ccch) != 4 || a.rej != 2 {
		t.Fatalf("got %d assignments and %d rejects, want 4 and 2", len(a.ccch), a.rej)
	}
	seen := map[uint8]bool{}
	for _, ia := range a.ccch {
		if seen[ia.Chan.SubChan] {
			t.Errorf("sub-channel %d assigned twice", ia.Chan.SubChan)
		}
		seen[ia.Chan.SubChan] = true
	}
}

func TestTimingAdvanceRounding(t *testing.T) {
	for _, c := range []struct {
		toa  float32
		want uint8
	}{{-3, 0}, {0, 0}, {0.49, 0}, {0.51, 1}, {62.6, 63}, {80, 63}} {
		if got := timingAdvance(c.toa); got != c.want {
			t.Errorf("timingAdvance(%v) = %d, want %d", c.toa, got, c.want)
		}
	}
}

// MS power control steps a loud phone down towards the target, 2 dB per
// SACCH period, and leaves a faint one at the cell's maximum; the order
// goes out in the downlink SACCH's L1 header.
func TestMSPowerControl(t *testing.T) {
	for _, tc := range []struct {
		name string
		rssi float32
		want func(dbm int) bool
	}{
		{"loud", -50, func(dbm int) bool { return dbm < 33 }},
		{"faint", -100, func(dbm int) bool { return dbm == 33 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MSPowerTargetDBm = -80
			a := newAir(t, cfg)
			sent := false
			for len(a.ccch) == 0 && a.fn < 51*4 {
				a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
					if sent {
						return nil
					}
					b := rach(a.cell, fn, tn, 0x03, 0)
					sent = b != nil
					return b
				})
			}
			sub := a.ccch[0].Chan.SubChan
			ch := l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: sub}
			sabm := [23]byte{0x01, 0x3f, 0x01}
			meas := [23]byte{0x05, 0x00, 0x01, 0x03, 0x01}
			for i := 0; i < 102*6; i++ {
				a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
					b := dedicatedBurst(a.cell, fn, tn, ch, false, &sabm)
					if b == nil {
						b = dedicatedBurst(a.cell, fn, tn, ch, true, &meas)
					}
					if b != nil {
						b.RSSI = tc.rssi
					}
					return b
				})
			}
			d := &a.cell.chans[sub]
			if !tc.want(d.msDBm) {
				t.Errorf("ordered MS power %d dBm after 6 SACCH periods at %v dBm", d.msDBm, tc.rssi)
			}
			var blk [23]byte
			a.cell.sacch(d, a.fn, &blk)
			if blk[0]&31 != rr.PowerLevel(tdma.GSM900, d.msDBm) {
				t.Errorf("SACCH L1 header orders level %d, want %d", blk[0]&31, rr.PowerLevel(tdma.GSM900, d.msDBm))
			}
		})
	}
}
