package core

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// storm is a registration storm against a core that runs as a service:
// the cell's frame loop on the caller's goroutine, the core on its own
// (Serve, real clock) with the registry on a worker, the registry a bbolt
// file. It returns the time each frame's cell work took (Frame and the
// uplink bursts), and the phones.
type storm struct {
	cell   *bts.Cell
	net    *Network
	reg    *registry.Registry
	phones []*ms.Phone
	steps  []time.Duration
}

func newStorm(tb testing.TB, phones int, sync bool) *storm {
	db, err := registry.Open(filepath.Join(tb.TempDir(), "subscribers.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	rg, _ := registry.ParseRange("5000-5999")
	reg, err := registry.New(registry.Config{Store: db, Policy: registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg}})
	if err != nil {
		tb.Fatal(err)
	}
	net, err := New(Config{MM: mm.Config{LAI: cellLAI, FullName: "Storm"}, HLR: NewHLR(reg),
		Rand: rand.NewChaCha8([32]byte{3}), SyncHLR: sync})
	if err != nil {
		tb.Fatal(err)
	}
	cc := rr.DefaultCellConfig()
	cc.PLMN, cc.LAC, cc.CI = cellLAI.PLMN, cellLAI.LAC, 7
	cc.BSIC, cc.Band, cc.ARFCN = tdma.BSIC{NCC: 2, BCC: 5}, tdma.GSM900, 62
	cc.CombinedCCCH = false
	cell, err := bts.New(bts.Config{Cell: cc, ID: 1, Up: net.Up(), SDCCH8: []tdma.TN{1, 2}})
	if err != nil {
		tb.Fatal(err)
	}
	net.AddCell(1, cell.Down())
	s := &storm{cell: cell, net: net, reg: reg}
	cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
	for i := range phones {
		sm := sim(fmt.Sprintf("0010100001%05d", i), crypto.COMP128v1)
		cfg := &mm.MSConfig{Classmark1: cm1, IMEI: "490154203237518", Classmark2: l3.Classmark2{Classmark1: cm1}}
		p, err := ms.New(ms.Config{SIM: sm, Seed: uint64(100 + i), Upper: ms.NewMM(cfg, sm)})
		if err != nil {
			tb.Fatal(err)
		}
		p.PowerOn()
		s.phones = append(s.phones, p)
	}
	return s
}

// serve runs the core as a service until the returned stop is called.
func (s *storm) serve() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.net.Serve(ctx) }()
	return func() { cancel(); wg.Wait() }
}

// run drives the air until every phone is registered and idle, or the
// frame budget runs out; with step, the core is stepped on the frame
// loop in virtual time (the old shape), else it runs as a service (see
// serve).
func (s *storm) run(frames int, step bool) int {
	var dl, ul [tdma.Slots]tdma.TxBurst
	var fn tdma.FN
	epoch := time.Now()
	for k := range frames {
		var cellTime time.Duration
		t0 := time.Now()
		s.cell.Frame(fn, &dl)
		if step {
			s.net.Step(epoch.Add(time.Duration(k) * frameDuration))
		}
		cellTime += time.Since(t0)
		done := true
		for i, p := range s.phones {
			mstest.Downlink(p, fn, &dl)
			p.Frame(fn, &ul)
			mstest.UplinkFrom(p, fn, &ul, -70, float32(i%8), func(b *tdma.RxBurst) {
				t := time.Now()
				s.cell.Receive(b)
				cellTime += time.Since(t)
			})
			done = done && p.Stats().Registered && p.State() == ms.StateIdle
		}
		s.steps = append(s.steps, cellTime)
		fn = fn.Add(1)
		if done {
			return k + 1
		}
		if !step && k%8 == 0 {
			// Let the core's goroutines run: on a board the cell loop is
			// paced by the radio and sleeps between frames.
			time.Sleep(time.Microsecond)
		}
	}
	return frames
}

func (s *storm) registered() int {
	n := 0
	for _, p := range s.phones {
		if p.Stats().Registered {
			n++
		}
	}
	return n
}

// stepStats returns the median, 99.9th percentile and worst step time,
// and how many steps took over a millisecond.
func (s *storm) stepStats() (median, p999, worst time.Duration, slow int) {
	d := slices.Clone(s.steps)
	slices.Sort(d)
	for _, v := range d {
		if v > time.Millisecond {
			slow++
		}
	}
	return d[len(d)/2], d[len(d)*999/1000], d[len(d)-1], slow
}

// The core runs as a service with the registry (a bbolt file) on its
// worker: phones register, their TMSIs reach the disk, and the session
// table is empty once they are idle.
func TestServeRegistersOnDisk(t *testing.T) {
	s := newStorm(t, 8, false)
	stop := s.serve()
	defer stop()
	s.run(51*600, false)
	if n := s.registered(); n != len(s.phones) {
		t.Fatalf("%d of %d phones registered; core %+v", n, len(s.phones), s.net.Snapshot())
	}
	// The last commits may still be on the worker's queue.
	deadline := time.Now().Add(5 * time.Second)
	for _, p := range s.phones {
		for {
			r, err := s.reg.Get(p.SIM().IMSI)
			if err == nil && uint32(r.TMSI) == p.SIM().TMSI && r.Attached {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: registry %+v, %v; want attached with TMSI %#x", p.SIM().IMSI, r, err, p.SIM().TMSI)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	snap := s.net.Snapshot()
	if snap.Stats.HLRDropped != 0 || snap.Stats.CommitFails != 0 || snap.UpDropped != 0 {
		t.Errorf("snapshot %+v: nothing should be dropped or fail", snap)
	}
}

// BenchmarkCellStepRegistering is the cell's frame loop (Frame and the
// uplink bursts) while 50 phones register with a registry on disk
// (bbolt in a temporary directory): the median and the worst step. In
// "service" the core runs on its own goroutine with the registry on a
// worker, so no fsync lands on the loop; "stepped" is the shape before
// the seam, the core and its registry writes on the frame loop. On a
// shared, loaded machine the worst step of either is set by the
// scheduler; the 99.9th percentile and the count of steps over 1 ms show
// the fsyncs.
func BenchmarkCellStepRegistering(b *testing.B) {
	for _, mode := range []string{"service", "stepped"} {
		b.Run(mode, func(b *testing.B) {
			var med, p999, worst time.Duration
			var frames, reg, slow int
			for b.Loop() {
				s := newStorm(b, 50, mode == "stepped")
				stop := func() {}
				if mode == "service" {
					stop = s.serve()
				}
				frames = s.run(51*3000, mode == "stepped")
				stop()
				reg = s.registered()
				med, p999, worst, slow = s.stepStats()
			}
			b.ReportMetric(float64(med.Nanoseconds()), "ns/step-median")
			b.ReportMetric(float64(p999.Nanoseconds()), "ns/step-p99.9")
			b.ReportMetric(float64(worst.Nanoseconds()), "ns/step-worst")
			b.ReportMetric(float64(slow), "steps>1ms")
			b.ReportMetric(float64(frames), "frames")
			b.ReportMetric(float64(reg), "registered")
		})
	}
}

// countingHLR is a Subscribers that only counts writes, slowly.
type countingHLR struct {
	mu      sync.Mutex
	applied int
}

func (h *countingHLR) IMSIByTMSI(uint32) (string, bool)    { return "", false }
func (h *countingHLR) Decide(mm.Request) mm.Decision       { return mm.Decision{} }
func (h *countingHLR) AllocateTMSI(string) (uint32, error) { return 1, nil }
func (h *countingHLR) AuthVector(string, crypto.RAND) (crypto.SRES, crypto.Kc, error) {
	return crypto.SRES{}, crypto.Kc{}, nil
}
func (h *countingHLR) Apply(mm.Update) error {
	time.Sleep(5 * time.Millisecond)
	h.mu.Lock()
	h.applied++
	h.mu.Unlock()
	return nil
}

// Writes still queued for the registry when the core stops are made
// before Serve returns: an accepted location update is not lost to a
// shutdown.
func TestServeDrainsWritesAtStop(t *testing.T) {
	h := &countingHLR{}
	n, err := New(Config{MM: mm.Config{LAI: cellLAI}, HLR: h})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		n.hlrPut(hlrJob{commit: true, update: mm.Update{Kind: mm.UpdateAttach, IMSI: "001010000000001"}})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Serve(ctx); close(done) }()
	cancel()
	<-done
	if h.applied != 10 {
		t.Errorf("%d of 10 writes made before Serve returned", h.applied)
	}
}
