package core

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// air is one simulated cell and the phones camped on it.
type air struct {
	cell   *bts.Cell
	phones []*ms.Phone
	dl, ul [tdma.Slots]tdma.TxBurst
}

// One core serves two cells on different carriers (ARFCN 62 and 70,
// cell identities 7 and 8, different BSICs): phones on each register
// through their own cell, authenticated and ciphered, into the one
// registry, and the core's session table and counters see both cells.
func TestTwoCellsOneCore(t *testing.T) {
	reg, _ := registrytest.NewRegistry(t, registry.Policy{Mode: registry.ModeClosed})
	var ended []mm.Result
	net, err := New(Config{MM: mm.Config{LAI: cellLAI}, HLR: NewHLR(reg), Rand: rand.NewChaCha8([32]byte{2}),
		SyncHLR: true, OnResult: func(r mm.Result) { ended = append(ended, r) }})
	if err != nil {
		t.Fatal(err)
	}
	var airs [2]*air
	for i, c := range []struct {
		arfcn tdma.ARFCN
		ci    uint16
		bsic  tdma.BSIC
	}{{62, 7, tdma.BSIC{NCC: 2, BCC: 5}}, {70, 8, tdma.BSIC{NCC: 2, BCC: 3}}} {
		cc := rr.DefaultCellConfig()
		cc.PLMN, cc.LAC, cc.CI = cellLAI.PLMN, cellLAI.LAC, c.ci
		cc.BSIC, cc.Band, cc.ARFCN = c.bsic, tdma.GSM900, c.arfcn
		id := rsl.CellID(10 + i)
		cell, err := bts.New(bts.Config{Cell: cc, ID: id, Up: net.Up()})
		if err != nil {
			t.Fatal(err)
		}
		net.AddCell(id, cell.Down())
		airs[i] = &air{cell: cell}
	}
	cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
	for i := range 6 {
		s := sim(fmt.Sprintf("0010100000%05d", 900+i), crypto.COMP128v3)
		if _, err := reg.Add(registry.Subscriber{IMSI: s.IMSI, MSISDN: fmt.Sprintf("90%d", i), Algorithm: s.Algorithm, Ki: s.Ki}); err != nil {
			t.Fatal(err)
		}
		cfg := &mm.MSConfig{Classmark1: cm1, IMEI: "490154203237518", Classmark2: l3.Classmark2{Classmark1: cm1, A53: true}}
		p, err := ms.New(ms.Config{SIM: s, Seed: uint64(40 + i), Upper: ms.NewMM(cfg, s)})
		if err != nil {
			t.Fatal(err)
		}
		p.PowerOn()
		a := airs[i%2]
		a.phones = append(a.phones, p)
	}
	epoch := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var fn tdma.FN
	for k := range 51 * 300 {
		for ci, a := range airs {
			// The carriers are not in step: cell 1 runs 1000 frames ahead.
			cfn := fn.Add(1000 * ci)
			a.cell.Frame(cfn, &a.dl)
			for i, p := range a.phones {
				mstest.Downlink(p, cfn, &a.dl)
				p.Frame(cfn, &a.ul)
				mstest.UplinkFrom(p, cfn, &a.ul, -70, float32(i), a.cell.Receive)
			}
		}
		net.Step(epoch.Add(time.Duration(k+1) * frameDuration))
		fn = fn.Add(1)
		if len(ended) == 6 {
			break
		}
	}
	if len(ended) != 6 {
		t.Fatalf("%d connections ended, want 6: %+v", len(ended), ended)
	}
	for _, r := range ended {
		if r.Outcome != mm.OutcomeAccepted || !r.Ciphered || !r.TMSIConfirmed {
			t.Errorf("%s: %+v, want accepted, ciphered, TMSI confirmed", r.IMSI, r)
		}
	}
	for ci, a := range airs {
		st := a.cell.Stats().Dedicated
		if st.Activated < 3 || st.Ciphered < 3 {
			t.Errorf("cell %d: %d channels activated, %d ciphered, want 3 each", ci, st.Activated, st.Ciphered)
		}
		for i, p := range a.phones {
			if !p.Stats().Registered {
				t.Errorf("cell %d phone %d did not register (state %v)", ci, i, p.State())
			}
			s, err := reg.Get(p.SIM().IMSI)
			if err != nil || uint32(s.TMSI) != p.SIM().TMSI || !s.Attached {
				t.Errorf("cell %d phone %d: registry %+v, %v; want attached with the SIM's TMSI %#x", ci, i, s, err, p.SIM().TMSI)
			}
		}
	}
	snap := net.Snapshot()
	if snap.Cells != 2 || snap.Stats.ChanRequired < 6 || snap.Stats.Connections != 6 {
		t.Errorf("snapshot %+v, want 2 cells, 6 connections", snap)
	}
}

// Stepped in virtual time with the registry inside Step, the network is
// deterministic: the same phones register on the same frames with the
// same TMSIs, run after run.
func TestSteppedDeterministic(t *testing.T) {
	run := func() (fn tdma.FN, tmsis []uint32) {
		rg, _ := registry.ParseRange("5000-5099")
		reg, err := registry.New(registry.Config{Store: registrytest.NewStore(), Rand: rand.NewChaCha8([32]byte{9}),
			Policy: registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg}, Now: registrytest.NewClock(registrytest.Epoch).Now})
		if err != nil {
			t.Fatal(err)
		}
		w := newWorldOn(t, reg, mm.Config{FullName: "Same"})
		for i := range 6 {
			w.addPhone(sim(fmt.Sprintf("0010100000%05d", 600+i), crypto.COMP128v1), 5+37*i)
		}
		w.run(51 * 300)
		for _, p := range w.phones {
			tmsis = append(tmsis, p.SIM().TMSI)
		}
		return w.fn, tmsis
	}
	fn1, t1 := run()
	fn2, t2 := run()
	if fn1 != fn2 || fmt.Sprint(t1) != fmt.Sprint(t2) {
		t.Errorf("run 1 ended at %v with TMSIs %x, run 2 at %v with %x", fn1, t1, fn2, t2)
	}
}
