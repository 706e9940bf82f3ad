package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The pool holds TCH/Fs of combination I from the configuration next to
// the SDCCHs: a RACH never takes one, the core activates it (CHAN ACTIV),
// LAPDm runs on its FACCH/F with FACCH parameters, and it is released
// like any other channel.
func TestTCHFPool(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](64)
	cfg.Up, cfg.ID, cfg.TCHF = up, 3, []tdma.TN{2, 3}
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s := cell.L1Config().Slots; s[2] != l1.CombI || s[3] != l1.CombI {
		t.Fatalf("timeslot combinations %v, want I on TN2 and TN3", s)
	}
	tch := l1.Chan{Kind: l1.ChanTCHF, TN: 2}
	var n4, nt int
	for _, c := range cell.ChannelList() {
		switch c.Kind {
		case l1.ChanSDCCH4:
			n4++
		case l1.ChanTCHF:
			nt++
		}
	}
	if n4 != 4 || nt != 2 {
		t.Fatalf("pool has %d SDCCH/4 and %d TCH/F, want 4 and 2", n4, nt)
	}
	if d := cell.find(tch); d == nil || d.link.Entity(0).Config().Channel.T200() != 34 {
		t.Fatalf("TCH/F link is not on FACCH/F parameters")
	}
	var out [tdma.Slots]tdma.TxBurst
	fn := tdma.FN(0)
	frame := func() {
		cell.Frame(fn, &out)
		fn = fn.Add(1)
	}
	// Off until activated: dummy bursts on TN2.
	frame()
	if out[2].Kind != tdma.KindDummy {
		t.Errorf("inactive TCH/F sends %v, want dummy bursts", out[2].Kind)
	}
	cell.Down().Put(rsl.Down{Kind: rsl.ChanActivate, Cell: 3, Chan: tch})
	frame()
	u, ok := up.Get()
	if !ok || u.Kind != rsl.ChanActivAck || u.Chan != tch || u.Ref == 0 {
		t.Fatalf("answer to CHAN ACTIV: %+v, want an ACK for %v", u, tch)
	}
	ref := u.Ref
	cell.Down().Put(rsl.Down{Kind: rsl.ChanActivate, Cell: 3, Chan: tch})
	frame()
	if u, _ := up.Get(); u.Kind != rsl.ChanActivNack {
		t.Errorf("second CHAN ACTIV of a busy channel: %+v, want NACK", u)
	}
	// The MS's SABM on FACCH/F (TS 44.006: SAPI 0, C/R 0, P, length 0).
	sabm := [23]byte{0x01, 0x3f, 0x01, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}
	cell.UplinkBlock(&l1.UplinkBlock{Chan: l1.Chan{Kind: l1.ChanFACCHF, TN: 2}, FN: fn, Good: true, Msg: sabm})
	if u, _ := up.Get(); u.Kind != rsl.EstablishInd || u.Chan != tch || u.Ref != ref {
		t.Fatalf("after the SABM: %+v, want EST IND on %v", u, tch)
	}
	var speech [260]byte
	var facch [23]byte
	if k := cell.DownlinkTraffic(tch, fn, &speech, &facch); k != l1.TrafficFACCH || facch[1]&0xef != 0x63 {
		t.Errorf("downlink after the SABM: %v % x, want the UA on FACCH", k, facch[:3])
	}
	if k := cell.DownlinkTraffic(tch, fn, &speech, &facch); k != l1.TrafficNone {
		t.Errorf("downlink with nothing to send: %v, want none (fill)", k)
	}
	for range 26 * 8 {
		frame()
	}
	cell.Down().Put(rsl.Down{Kind: rsl.ChanRelease, Cell: 3, Chan: tch, Ref: ref})
	frame()
	var rel bool
	for {
		u, ok := up.Get()
		if !ok {
			break
		}
		rel = rel || u.Kind == rsl.ChanReleased && u.Chan == tch && u.Ref == ref
	}
	if !rel || cell.find(tch).state != ChanFree {
		t.Errorf("after RF CHAN REL: released %v, state %v", rel, cell.find(tch).state)
	}
}

// A request for an earlier activation of a channel is stale: it is
// dropped and counted, and the channel's new user is not disturbed.
func TestStaleRequest(t *testing.T) {
	cfg := testConfig()
	cfg.Up = rsl.NewQueue[rsl.Up](64)
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := &cell.chans[0]
	cell.activate(d, 0, 0, rr.EstLocationUpdate)
	d.state = ChanActive
	cell.Down().Put(rsl.Down{Kind: rsl.ChanRelease, Chan: d.ch, Ref: d.ref - 1})
	var out [tdma.Slots]tdma.TxBurst
	cell.Frame(0, &out)
	if d.state != ChanActive || cell.Stats().Dedicated.DownStale != 1 {
		t.Errorf("state %v, stale %d: want the channel kept and the request counted", d.state, cell.Stats().Dedicated.DownStale)
	}
}

// T3101 runs until the MS establishes its main signalling link, not
// only until its first block (TS 44.018 §3.3.1.1.3): an MS that sends
// only on the SACCH loses the channel.
func TestT3101UntilSABM(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](256)
	cfg.Up = up
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
	meas := [23]byte{0x05, 0x00, 0x01, 0x03, 0x01}
	for range T3101Frames + 51*4 {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			return dedicatedBurst(a.cell, fn, tn, ch, true, &meas)
		})
	}
	st := a.cell.Stats().Dedicated
	if a.cell.Channels()[sub] != ChanFree || st.Activated != 1 || st.T3101Expired != 1 {
		t.Errorf("state %v, activated %d, T3101 expiries %d: want the channel freed by T3101", a.cell.Channels()[sub], st.Activated, st.T3101Expired)
	}
}

func TestTCHFConfig(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sdcch8 []tdma.TN
		tchf   []tdma.TN
		ok     bool
	}{
		{"tch on 1..7", nil, []tdma.TN{1, 7}, true},
		{"tch on TN0", nil, []tdma.TN{0}, false},
		{"tch on TN8", nil, []tdma.TN{8}, false},
		{"tch and sdcch/8 on one slot", []tdma.TN{2}, []tdma.TN{2}, false},
		{"tch twice", nil, []tdma.TN{3, 3}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.SDCCH8, cfg.TCHF = tc.sdcch8, tc.tchf
			_, err := New(cfg)
			if (err == nil) != tc.ok {
				t.Errorf("New(SDCCH8 %v, TCHF %v) = %v, want ok %v", tc.sdcch8, tc.tchf, err, tc.ok)
			}
		})
	}
}
