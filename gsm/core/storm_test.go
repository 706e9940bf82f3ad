package core

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

var (
	stormPhones = flag.Int("storm.phones", 200, "phones in the tier-2 storm tests")
	stormCells  = flag.Int("storm.cells", 16, "random cell configurations in TestStormRandomCells")
)

// stormWorld is a registration storm at tier 2: every phone of a village
// powers on in the same frame in front of one cell. Unlike world, the
// uplink is an air where access bursts collide: two channel requests in
// the same RACH slot are both lost unless one is at least captureDB
// stronger than the other, as on a real receiver.
type stormWorld struct {
	t      testing.TB
	cell   *bts.Cell
	net    *Network
	phones []*ms.Phone
	mm     []*ms.MM
	rssi   []float32
	origin []int
	fn     tdma.FN
	frames int64
	epoch  time.Time
	dl     [tdma.Slots]tdma.TxBurst
	ul     [tdma.Slots]tdma.TxBurst
	rach   []rachArrival
	// Collisions counts channel requests lost to another in the same slot.
	Collisions int
	// onFrame, when set, runs after every frame.
	onFrame func()
}

type rachArrival struct {
	rb   tdma.RxBurst
	rssi float32
}

const captureDB = 10

// stormCell is the default cell of a box with the given layout.
func stormCell(cc rr.CellConfig, sdcch8 []tdma.TN) bts.Config {
	cc.PLMN, cc.LAC, cc.CI = cellLAI.PLMN, cellLAI.LAC, 7
	cc.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
	cc.Band, cc.ARFCN = tdma.GSM900, 62
	return bts.Config{Cell: cc, SDCCH8: sdcch8}
}

func newStormWorld(t testing.TB, bc bts.Config, n int, seed uint64) *stormWorld {
	rg, _ := registry.ParseRange("10000-19999")
	reg, _ := registrytest.NewRegistry(t, registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg})
	w := &stormWorld{t: t, epoch: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	net, err := New(Config{MM: mm.Config{LAI: cellLAI}, HLR: NewHLR(reg), Rand: rand.NewChaCha8([32]byte{byte(seed)}), SyncHLR: true})
	if err != nil {
		t.Fatal(err)
	}
	w.net = net
	bc.ID, bc.Up = 1, net.Up()
	if w.cell, err = bts.New(bc); err != nil {
		t.Fatal(err)
	}
	net.AddCell(1, w.cell.Down())
	rng := rand.New(rand.NewPCG(seed, 0x5707))
	for i := range n {
		imsi := fmt.Sprintf("00101%010d", rng.Uint64N(1e10))
		s := sim(imsi, crypto.COMP128v1)
		cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
		cfg := &mm.MSConfig{Classmark1: cm1, IMEI: "490154203237518", Classmark2: l3.Classmark2{Classmark1: cm1, A53: true}}
		u := ms.NewMM(cfg, s)
		p, err := ms.New(ms.Config{SIM: s, Seed: seed<<20 + uint64(i) + 1, Upper: u})
		if err != nil {
			t.Fatal(err)
		}
		p.PowerOn()
		w.phones = append(w.phones, p)
		w.mm = append(w.mm, u)
		w.rssi = append(w.rssi, -60-40*rng.Float32())
		w.origin = append(w.origin, rng.IntN(1<<20))
	}
	return w
}

func (w *stormWorld) step() {
	w.cell.Frame(w.fn, &w.dl)
	w.rach = w.rach[:0]
	for i, p := range w.phones {
		local := w.fn.Add(-w.origin[i])
		mstest.Downlink(p, local, &w.dl)
		if !p.Frame(local, &w.ul) {
			continue
		}
		mstest.UplinkFrom(p, w.fn, &w.ul, w.rssi[i], float32(i%32), func(rb *tdma.RxBurst) {
			if rb.Kind == tdma.KindAccess {
				w.rach = append(w.rach, rachArrival{*rb, rb.RSSI})
				return
			}
			w.cell.Receive(rb)
		})
	}
	if len(w.rach) > 0 {
		// All RACH bursts of one frame are on TN0.
		slices.SortFunc(w.rach, func(a, b rachArrival) int {
			switch {
			case a.rssi > b.rssi:
				return -1
			case a.rssi < b.rssi:
				return 1
			}
			return 0
		})
		if len(w.rach) == 1 || w.rach[0].rssi-w.rach[1].rssi >= captureDB {
			w.cell.Receive(&w.rach[0].rb)
			w.Collisions += len(w.rach) - 1
		} else {
			// Energy on the slot, but no burst decodes.
			w.Collisions += len(w.rach)
			rb := w.rach[0].rb
			clear(rb.Soft[:])
			w.cell.Receive(&rb)
		}
	}
	w.frames++
	w.net.Step(w.epoch.Add(time.Duration(w.frames) * frameDuration))
	w.fn = w.fn.Add(1)
	if w.onFrame != nil {
		w.onFrame()
	}
}

// stormResult is what a storm came to.
type stormResult struct {
	Registered, Phones int
	Worst              time.Duration // power-on to registered, the slowest phone
	Mean               time.Duration
	GaveUp             int // phones whose attempt counter reached 4 (waiting for T3212)
	Frames             int64
	Cell               bts.DedicatedStats
	Collisions         int
	Overload           bts.OverloadStats
}

func (r stormResult) String() string {
	return fmt.Sprintf("%d/%d registered, mean %.1f s, worst %.1f s, %d waiting for T3212; %d assigned, %d rejected, %d AGCH dropped, %d T3101, %d collisions; overload level up to %d, wait up to %d s",
		r.Registered, r.Phones, r.Mean.Seconds(), r.Worst.Seconds(), r.GaveUp,
		r.Cell.Assigned, r.Cell.Rejected, r.Cell.AGCHDropped, r.Cell.T3101Expired, r.Collisions, r.Overload.LevelMax, r.Overload.WaitMax)
}

// run steps until every phone is registered or the air time runs out.
func (w *stormWorld) run(air time.Duration) stormResult {
	limit := int64(air / frameDuration)
	for w.frames < limit {
		w.step()
		if w.frames%51 == 0 && w.allRegistered() {
			break
		}
	}
	r := stormResult{Phones: len(w.phones), Frames: w.frames, Cell: w.cell.Stats().Dedicated, Collisions: w.Collisions, Overload: w.cell.Overload()}
	var sum time.Duration
	for i, p := range w.phones {
		st := p.Stats()
		if w.mm[i].MS.GaveUp() {
			r.GaveUp++
		}
		if !st.Registered {
			continue
		}
		r.Registered++
		d := time.Duration(st.RegisteredFN.Sub(0)) * frameDuration
		sum += d
		r.Worst = max(r.Worst, d)
	}
	if r.Registered > 0 {
		r.Mean = sum / time.Duration(r.Registered)
	}
	return r
}

func (w *stormWorld) allRegistered() bool {
	for _, p := range w.phones {
		if !p.Stats().Registered {
			return false
		}
	}
	return true
}

// randomCell draws a cell configuration an operator might write: CCCH
// combined or not, one or two SDCCH/8 timeslots, the AGCH reservation,
// the paging period and the RACH parameters.
func randomCell(rng *rand.Rand) bts.Config {
	cc := rr.DefaultCellConfig()
	cc.CombinedCCCH = rng.IntN(2) == 0
	maxAG := 7
	if cc.CombinedCCCH {
		maxAG = 2
	}
	cc.BSAGBlksRes = uint8(rng.IntN(maxAG + 1))
	cc.BSPAMfrms = uint8(2 + rng.IntN(8))
	cc.MaxRetrans = []uint8{1, 2, 4, 7}[rng.IntN(4)]
	cc.TxIntegerSlots = []int{3, 5, 8, 10, 12, 14, 20, 32, 50}[rng.IntN(9)]
	sd := []tdma.TN{1}
	if rng.IntN(2) == 0 {
		sd = []tdma.TN{1, 2}
	}
	bc := stormCell(cc, sd)
	// The timeslots left carry TCH/F, as the firmware lays them out,
	// the highest two of them dynamic (its default
	// cell.dynamic_timeslots).
	for tn := tdma.TN(len(sd) + 1); tn < tdma.Slots; tn++ {
		bc.TCHF = append(bc.TCHF, tn)
	}
	bc.DynamicTS = bc.TCHF[len(bc.TCHF)-2:]
	return bc
}

// The storm of issue #16: every phone of a village powers on at once in
// front of the default cell. All register, none is left waiting for
// T3212, the slowest within a minute of air, and a call (an emergency
// call above all) finds a TCH/F throughout. Three seeded villages, with
// the default's dynamic timeslots and, for the figures, without them:
// then the storm takes every TCH/F.
func TestStormDefaultCell(t *testing.T) {
	n := *stormPhones
	seeds := uint64(3)
	if testing.Short() {
		n, seeds = min(n, 40), 1
	}
	var mean [2]time.Duration
	for seed := uint64(1); seed <= seeds; seed++ {
		for i, dyn := range [][]tdma.TN{defaultDynamicTS, nil} {
			cc := rr.DefaultCellConfig()
			cc.CombinedCCCH = defaultCombinedCCCH
			bc := stormCell(cc, defaultSDCCH8)
			bc.TCHF, bc.DynamicTS = defaultTCHF, dyn
			w := newStormWorld(t, bc, n, seed)
			minFree := len(bc.TCHF)
			w.onFrame = func() {
				if w.frames%26 == 0 {
					minFree = min(minFree, w.cell.Stats().TCHFFree)
				}
			}
			r := w.run(180 * time.Second)
			mean[i] += r.Mean / time.Duration(seeds)
			t.Logf("default cell, seed %d, dynamic timeslots %v, %d phones: %v; fewest TCH/F free for a call %d", seed, dyn, n, r, minFree)
			if dyn == nil {
				continue
			}
			checkStorm(t, r)
			if want := len(bc.TCHF) - len(bc.DynamicTS); minFree < want {
				t.Errorf("as few as %d TCH/F free during the storm, want %d", minFree, want)
			}
		}
	}
	t.Logf("default cell: mean time to register %v with its dynamic timeslots, %v without", mean[0].Round(time.Millisecond), mean[1].Round(time.Millisecond))
}

// The same storm in front of seeded random cell configurations.
func TestStormRandomCells(t *testing.T) {
	n, cells := *stormPhones, *stormCells
	if testing.Short() {
		n, cells = min(n, 40), min(cells, 2)
	}
	for seed := range uint64(cells) {
		rng := rand.New(rand.NewPCG(seed+100, 16))
		bc := randomCell(rng)
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			w := newStormWorld(t, bc, n, seed+100)
			r := w.run(180 * time.Second)
			c := bc.Cell
			t.Logf("combined=%v sdcch8=%v ag=%d pa=%d M=%d T=%d: %v", c.CombinedCCCH, bc.SDCCH8, c.BSAGBlksRes, c.BSPAMfrms, c.MaxRetrans, c.TxIntegerSlots, r)
			checkStorm(t, r)
		})
	}
}

func checkStorm(t *testing.T, r stormResult) {
	t.Helper()
	if r.Registered != r.Phones {
		t.Errorf("%d of %d phones registered, want all", r.Registered, r.Phones)
	}
	if r.GaveUp > 0 {
		t.Errorf("%d phones wait for T3212 (attempt counter reached %d), want none", r.GaveUp, mm.MaxLUAttempts)
	}
	if r.Worst > 60*time.Second {
		t.Errorf("slowest phone registered after %v of air, want under 60 s", r.Worst)
	}
}

// Dynamic timeslots (gsm/bts dynamic.go) in the same storms, off and
// on, on a cell laid out with one SDCCH/8 and six TCH/F. Without them the
// signalling the SDCCHs cannot take goes onto the TCH/Fs one phone each,
// and during the storm no call can be set up; with them two idle TCH/F
// timeslots carry SDCCH/8 instead, the other TCH/Fs stay free for calls
// throughout, and the villages register no slower (the mean over three
// seeds). Once each storm is over the timeslots are TCH/F again with
// every channel free.
func TestStormDynamicTimeslots(t *testing.T) {
	n := *stormPhones
	if testing.Short() {
		n = min(n, 40)
	}
	var mean [2]time.Duration
	for seed := uint64(1); seed <= 3; seed++ {
		for i, dyn := range [][]tdma.TN{nil, {6, 7}} {
			bc := stormCell(rr.DefaultCellConfig(), []tdma.TN{1})
			bc.TCHF, bc.DynamicTS = []tdma.TN{2, 3, 4, 5, 6, 7}, dyn
			w := newStormWorld(t, bc, n, seed)
			minFree := len(bc.TCHF)
			w.onFrame = func() {
				if w.frames%26 == 0 {
					minFree = min(minFree, w.cell.Stats().TCHFFree)
				}
			}
			r := w.run(180 * time.Second)
			w.onFrame = nil
			mean[i] += r.Mean / 3
			st := w.cell.Stats()
			t.Logf("seed %d, dynamic %v, %d phones: %v; fewest TCH/F free for a call %d; switches %+v", seed, dyn, n, r, minFree, st.Dynamic)
			checkStorm(t, r)
			if dyn == nil {
				if n >= 100 && minFree > 0 {
					t.Errorf("without dynamic timeslots %d TCH/F stayed free: the storm did not spill onto them", minFree)
				}
				continue
			}
			if minFree < len(bc.TCHF)-len(dyn) {
				t.Errorf("with dynamic timeslots as few as %d TCH/F were free for calls during the storm, want all %d static ones", minFree, len(bc.TCHF)-len(dyn))
			}
			if st.Dynamic.ToSDCCH == 0 {
				t.Errorf("no timeslot switched to SDCCH/8 during the storm")
			}
			// The storm is over: within 30 s of air the timeslots go back.
			for end := w.frames + int64(30*time.Second/frameDuration); w.frames < end; {
				w.step()
			}
			st = w.cell.Stats()
			for _, tn := range dyn {
				if st.Timeslots[tn] != l1.CombI {
					t.Errorf("30 s after the storm TN%d carries %v, want TCH/F again", tn, st.Timeslots[tn])
				}
			}
			if st.Dynamic.SDCCH8Now != 0 || st.Overload.SDCCHTotal != 12 || st.ChannelsInUse != 0 {
				t.Errorf("after the storm: %+v, %d SDCCHs, %d channels in use; want none switched, the 12 static SDCCHs, none in use",
					st.Dynamic, st.Overload.SDCCHTotal, st.ChannelsInUse)
			}
		}
	}
	t.Logf("mean time to register over three storms: %v without dynamic timeslots, %v with", mean[0].Round(time.Millisecond), mean[1].Round(time.Millisecond))
	if mean[1] > mean[0]*11/10 {
		t.Errorf("mean time to register with dynamic timeslots %v, without %v: want no slower", mean[1], mean[0])
	}
}
