package node

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/phy/phytest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

func TestCellSettings(t *testing.T) {
	c := config.Default()
	c.Cell.PeriodicLU = config.Duration{Duration: 30 * time.Minute}
	c.Cell.CombinedCCCH = false
	c.Cell.SDCCH8Timeslots = []int{1, 3}
	c.Cell.TCHFTimeslots = []int{2, 4}
	c.Cell.DTX = true
	s := CellSettings(c, nil)
	if s.Cell.T3212 != 5 {
		t.Errorf("T3212 = %d deci-hours, want 5", s.Cell.T3212)
	}
	if s.Cell.CombinedCCCH || len(s.SDCCH8) != 2 || s.SDCCH8[1] != 3 {
		t.Errorf("channel layout = %v %v", s.Cell.CombinedCCCH, s.SDCCH8)
	}
	if s.Cell.PLMN.MCC != "001" || s.Cell.PLMN.MNC != "01" || s.Cell.ARFCN != 62 || s.Cell.BSIC != (tdma.BSIC{NCC: 0, BCC: 7}) {
		t.Errorf("identities = %+v", s.Cell)
	}
}

func TestOnAirLine(t *testing.T) {
	got := OnAirLine(config.Default())
	for _, want := range []string{"on air", "ARFCN 62", "947.4 MHz", "001-01"} {
		if !strings.Contains(got, want) {
			t.Errorf("OnAirLine() = %q, want it to contain %q", got, want)
		}
	}
}

func testNode(t testing.TB, nc Config) *Node {
	t.Helper()
	if nc.Config == nil {
		nc.Config = config.Default()
	}
	nc.Config.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	n, err := New(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// The loop runs the cell on the fake PHY: every frame's downlink goes
// out (TN0 of frame 0 is the FCCH), the inbox's commands run on the loop
// in order, and the snapshot follows the frames.
func TestServeOnFakePHY(t *testing.T) {
	var ran []tdma.FN
	n := testNode(t, Config{})
	for range 3 {
		if err := n.Send(func(l *Loop) { ran = append(ran, l.FN) }); err != nil {
			t.Fatal(err)
		}
	}
	c := &phytest.Carrier{Limit: 100}
	if err := n.Serve(context.Background(), c); err != nil {
		t.Fatalf("Serve() = %v", err)
	}
	if b, ok := c.Sent(91); !ok || b[0].Kind != tdma.KindFCCH { // 91 = 51 + 40: an FCCH frame
		t.Errorf("frame 91 TN0 = %v, want the FCCH", b[0].Kind)
	}
	if len(ran) != 3 || ran[0] != 0 || ran[2] != 0 {
		t.Errorf("commands ran at frames %v, want three at frame 0", ran)
	}
	s := n.Snapshot()
	if s.Frames != 100 || s.Cell.Frames != 100 || s.Running || s.Inbox.Done != 3 || s.Inbox.Sent != 3 {
		t.Errorf("Snapshot() = frames %d, cell frames %d, running %v, inbox %+v; want 100, 100, false, 3 sent and done",
			s.Frames, s.Cell.Frames, s.Running, s.Inbox)
	}
}

// A full inbox refuses at once and counts; the loop takes at most
// inboxBudget commands a frame.
func TestInboxFull(t *testing.T) {
	n := testNode(t, Config{InboxSize: 10})
	for i := range 12 {
		err := n.Send(func(*Loop) {})
		if want := i >= 10; (err != nil) != want || want && !errors.Is(err, ErrInboxFull) {
			t.Errorf("Send #%d = %v, want full %v", i, err, want)
		}
	}
	if s := n.Snapshot().Inbox; s.Dropped != 2 || s.Queued != 10 {
		t.Errorf("inbox %+v, want 2 dropped, 10 queued", s)
	}
	if err := n.Serve(context.Background(), &phytest.Carrier{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if s := n.Snapshot().Inbox; s.Done != inboxBudget {
		t.Errorf("after one frame %d commands done, want %d", s.Done, inboxBudget)
	}
}

// Do waits for the loop; it gives up when its context ends.
func TestDo(t *testing.T) {
	n := testNode(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Serve(ctx, &phytest.Carrier{}) }()
	var fn tdma.FN
	if err := n.Do(context.Background(), func(l *Loop) { fn = l.FN; _ = l.Cell.Stats() }); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n.Frames() == 0 {
		t.Errorf("no frames ran (fn %d)", fn)
	}
	short, c2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer c2()
	if err := n.Do(short, func(*Loop) {}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do on a stopped loop = %v, want the context's deadline", err)
	}
}

// The cell service on the simulated board logs "on air" with the ARFCN,
// keeps the TDMA clock running, and stops when its context ends.
func TestServiceOnAir(t *testing.T) {
	board, _ := boards.Lookup("sim")
	var logs bytes.Buffer
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	fake := clock.NewFake(time.Unix(0, 0))
	s := NewService(ServiceConfig{Config: cfg, Board: board, Log: slog.New(slog.NewTextHandler(&logs, nil)), Clock: fake})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	// The pacer waits on the fake clock every 8 frames: advance it until
	// the cell has sent a few multiframes.
	deadline := time.Now().Add(10 * time.Second)
	for s.Snapshot().Frames < 200 && time.Now().Before(deadline) {
		if fake.BlockUntil(1, 100*time.Millisecond) {
			fake.Advance(8 * FrameDuration)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve() = %v", err)
	}
	if s.Snapshot().Frames < 200 {
		t.Fatalf("cell sent %d frames, want ≥ 200", s.Snapshot().Frames)
	}
	if !strings.Contains(logs.String(), "on air: ARFCN 62") {
		t.Errorf("log lacks the on-air line:\n%s", logs.String())
	}
}

func TestServiceRefusesUnknownFrontend(t *testing.T) {
	board := &boards.Descriptor{Name: "x", RF: boards.RFChain{Frontend: "warp", MaxPowerDBm: 30, Bands: []tdma.Band{tdma.GSM900}}}
	s := NewService(ServiceConfig{Config: config.Default(), Board: board})
	err := s.Serve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "warp") {
		t.Fatalf("Serve() = %v, want a front-end error", err)
	}
}

// BenchmarkTXChain measures the whole transmit chain of the cell: L1
// scheduling, channel coding, burst mapping and GMSK modulation with
// ramping, for all 8 timeslots of C0, per frame.
func BenchmarkTXChain(b *testing.B) {
	n := testNode(b, Config{})
	air, err := NewSimAir(n.cfg.Config)
	if err != nil {
		b.Fatal(err)
	}
	defer air.Close()
	tx := air.Transmitter()
	buf := make([]complex64, tx.FrameLen())
	var bursts [tdma.Slots]tdma.TxBurst
	var fn tdma.FN
	b.ReportAllocs()
	for b.Loop() {
		n.cell.Frame(fn, &bursts)
		tx.RenderFrame(buf, fn, &bursts)
		fn = fn.Add(1)
	}
	b.ReportMetric(float64(b.N*tdma.Slots)/b.Elapsed().Seconds(), "bursts/s")
}

// The appliance's own loop, paced by its clock, receives: with [sim]
// phones = 3 its virtual phones, provisioned with keys, register,
// authenticated and ciphered, and the log says so for each.
//
// The cell's second start (a new configuration, a reboot) finds the
// phones already provisioned in the registry file and registers them
// again.
func TestServiceRegistersSimPhones(t *testing.T) {
	board, _ := boards.Lookup("sim")
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	cfg.Sim.Phones = 3
	for start := range 2 {
		// The appliance's own set-up: the real clock paces the loop, and
		// the core runs on its own goroutine with the registry on a
		// worker (a fake clock racing ahead of the core's goroutine would
		// expire MM's timers in virtual time while it waits for a core).
		var logs testtool.Buffer
		s := NewService(ServiceConfig{Config: cfg, Board: board, Log: slog.New(slog.NewTextHandler(&logs, nil)), Clock: clock.Real{}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Serve(ctx) }()
		registered := func() int { return strings.Count(logs.String(), "virtual phone registered") }
		for deadline := time.Now().Add(60 * time.Second); registered() < 3 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("start %d: Serve() = %v", start, err)
		}
		out := logs.String()
		if got := strings.Count(out, "authenticated=true cipher=A5/"); registered() != 3 || got != 3 {
			t.Fatalf("start %d: %d phones registered, %d authenticated and ciphered, want 3 and 3:\n%s", start, registered(), got, out)
		}
		snap := s.Snapshot()
		if snap.Cell.Dedicated.Ciphered < 3 || snap.Cell.AccessBursts < 3 {
			t.Errorf("start %d: cell: %d channels ciphered, %d access bursts; want ≥ 3 each", start, snap.Cell.Dedicated.Ciphered, snap.Cell.AccessBursts)
		}
	}
}

// nullCarrier is a PHY that costs nothing: for measuring the loop.
type nullCarrier struct{ fn tdma.FN }

func (c *nullCarrier) Next(ctx context.Context) (tdma.FN, error) {
	fn := c.fn
	c.fn = c.fn.Add(1)
	return fn, nil
}
func (c *nullCarrier) Transmit(tdma.FN, *[tdma.Slots]tdma.TxBurst) error { return nil }
func (c *nullCarrier) Receive(phy.Planner, func(*tdma.RxBurst)) error    { return nil }

// The cell loop's own cost per frame (inbox, cell downlink, snapshot
// every snapshotEvery frames), without a radio. Only the snapshot
// allocates: one copy every snapshotEvery frames.
func BenchmarkLoopFrame(b *testing.B) {
	n := testNode(b, Config{})
	n.cfg.Frames = int64(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	if err := n.Serve(context.Background(), &nullCarrier{}); err != nil {
		b.Fatal(err)
	}
	if got := n.Frames(); got != uint64(b.N) {
		b.Fatalf("ran %d frames, want %d", got, b.N)
	}
}

// The appliance's own SMS traffic ([sim] sms, gsmbox.simsms): with three
// phones each sending one message after every start of the cell, the log
// carries each message's steps (accepted by the network, shown in an
// inbox) under a tag of this start, the ledger a power-cut test reads
// from the console. Real time, about 20 s.
func TestServiceSimSMS(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	board, _ := boards.Lookup("sim")
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	cfg.Sim.Phones, cfg.Sim.SMS = 3, 1
	var logs testtool.Buffer
	s := NewService(ServiceConfig{Config: cfg, Board: board, Log: slog.New(slog.NewTextHandler(&logs, nil)), Clock: clock.Real{}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	received := func() int { return strings.Count(logs.String(), "event=received") }
	for deadline := time.Now().Add(120 * time.Second); received() < 3 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve() = %v", err)
	}
	out := logs.String()
	m := regexp.MustCompile(`virtual phones send text messages"? each=1 tag=([0-9a-f]{6})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no tag logged:\n%s", out)
	}
	for _, ev := range []string{"accepted", "received"} {
		re := regexp.MustCompile(`virtual phone sms" event=` + ev + ` id=<` + m[1] + `\.\d\.0>`)
		if n := len(re.FindAllString(out, -1)); n != 3 {
			t.Errorf("%d messages %s, want 3:\n%s", n, ev, out)
		}
	}
}
