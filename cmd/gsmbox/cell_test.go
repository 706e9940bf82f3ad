package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func TestCellSettings(t *testing.T) {
	c := config.Default()
	c.Cell.PeriodicLU = config.Duration{Duration: 30 * time.Minute}
	c.Cell.CombinedCCCH = false
	c.Cell.SDCCH8Timeslots = []int{1, 3}
	c.Cell.DTX = true
	s := cellSettings(c, nil)
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
	got := onAirLine(config.Default())
	for _, want := range []string{"on air", "ARFCN 62", "947.4 MHz", "001-01"} {
		if !strings.Contains(got, want) {
			t.Errorf("onAirLine() = %q, want it to contain %q", got, want)
		}
	}
}

// The cell service on the simulated board logs "on air" with the ARFCN,
// keeps the TDMA clock running, and stops when its context ends.
func TestCellServiceOnAir(t *testing.T) {
	board, _ := boards.Lookup("sim")
	var logs bytes.Buffer
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	s := newCellService(cfg, board, slog.New(slog.NewTextHandler(&logs, nil)))
	fake := clock.NewFake(time.Unix(0, 0))
	s.clock = fake
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	// The pacer waits on the fake clock every 8 frames: advance it until
	// the cell has sent a few multiframes.
	deadline := time.Now().Add(10 * time.Second)
	for s.Frames() < 200 && time.Now().Before(deadline) {
		if fake.BlockUntil(1, 100*time.Millisecond) {
			fake.Advance(8 * frameDuration)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve() = %v", err)
	}
	if s.Frames() < 200 {
		t.Fatalf("cell sent %d frames, want ≥ 200", s.Frames())
	}
	if !strings.Contains(logs.String(), "on air: ARFCN 62") {
		t.Errorf("log lacks the on-air line:\n%s", logs.String())
	}
}

func TestCellServiceRefusesUnknownFrontend(t *testing.T) {
	board := &boards.Descriptor{Name: "x", RF: boards.RFChain{Frontend: "warp", MaxPowerDBm: 30, Bands: []tdma.Band{tdma.GSM900}}}
	s := newCellService(config.Default(), board, slog.New(slog.DiscardHandler))
	err := s.Serve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "warp") {
		t.Fatalf("Serve() = %v, want a front-end error", err)
	}
}

// BenchmarkTXChain measures the whole transmit chain of the cell: L1
// scheduling, channel coding, burst mapping and GMSK modulation with
// ramping, for all 8 timeslots of C0, per frame.
func BenchmarkTXChain(b *testing.B) {
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(b.TempDir(), "subscribers.db")
	r, err := newCellRunner(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]complex64, r.tx.FrameLen())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.cell.Frame(r.fn, &r.bursts)
		r.tx.RenderFrame(buf, r.fn, &r.bursts)
		r.fn = r.fn.Add(1)
	}
	b.ReportMetric(float64(b.N*tdma.Slots)/b.Elapsed().Seconds(), "bursts/s")
	r.Close()
}
