package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/firmware/chanscan"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// watchTX wraps a transmitter on the fake air and records whether the
// board's own TX pad was on whenever the board heard it (during the scan
// the board hears only these).
type watchTX struct {
	src   limetest.Reader
	fake  func() *limetest.Fake
	reads atomic.Int64
	keyed atomic.Int64
}

func (w *watchTX) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	w.reads.Add(1)
	if f := w.fake(); f != nil {
		if v := f.Chip.Reg(lms7002m.RegTRF); v&2 == 0 && v&1 == 1 {
			w.keyed.Add(1)
		}
	}
	return w.src.Read(dst, ts)
}

// Issue 17: arfcn = "auto". The cell service on a LimeSDR Mini whose fake
// air holds two foreign cells and a CW interferer scans the band before
// it transmits (the TX pad provably off at every sample the scan read),
// decodes the cells, chooses a channel inside the allowed range and away
// from all three and the first cell's neighbours with guard channels,
// and comes on air
// there: the interlock keys the PA tuned to the chosen carrier, and the
// choice and the scan are in the snapshot.
func TestAutoChannelOnLime(t *testing.T) {
	board, err := boards.Lookup("rpi4-limesdr")
	if err != nil {
		t.Fatal(err)
	}
	chain := board.RF.Chain
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	cfg.Cell.ARFCNAuto, cfg.Cell.AllowedARFCNs = true, []string{"15-45"}
	cfg.Cell.TxPowerDBm, cfg.Cell.MSPowerTargetDBm, cfg.Radio.ClockOverride = 5, 0, true
	if err := cfg.Validate(board); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var cur *limetest.Fake
	var pacer *limetest.Pacer
	current := func() *limetest.Fake { mu.Lock(); defer mu.Unlock(); return cur }
	mk := func(n tdma.ARFCN, ncc, bcc int, mcc, mnc string, dbfs float64, neighbours ...int) *watchTX {
		c := config.Default()
		c.Cell.ARFCN, c.Cell.NCC, c.Cell.BCC = int(n), ncc, bcc
		c.Cell.Neighbours = neighbours
		c.Network.MCC, c.Network.MNC = mcc, mnc
		fc, err := NewForeignCell(c, 4, tdma.FN(77*int(n)))
		if err != nil {
			t.Fatal(err)
		}
		return &watchTX{src: fc, fake: current}
	}
	// The first cell's BA list names 16, 26 and 36: with 2 guard
	// channels from them, from the cells and the interferer (and the
	// channels next to them, which they spill into), only 43-45 are left
	// in 15-45.
	cells := []*watchTX{mk(20, 2, 3, "262", "02", -30, 16, 26, 36), mk(31, 5, 1, "262", "03", -35)}
	var tx []limetest.Transmitter
	for i, n := range []tdma.ARFCN{20, 31} {
		hz, _ := tdma.GSM900.DownlinkHz(n)
		tx = append(tx, limetest.Transmitter{Hz: float64(hz), DBFS: []float64{-30, -35}[i], Src: cells[i]})
	}
	ihz, _ := tdma.GSM900.DownlinkHz(40)
	log := slog.New(slog.DiscardHandler)
	dry := &rftest.DryRun{W: io.Discard, Chain: chain, LimeConfig: limetest.Config{NoiseDBFS: -70, Seed: 3, Transmitters: tx, Carriers: []limetest.Carrier{{Hz: float64(ihz), DBFS: -40}}}}
	var opens atomic.Int32
	open := func(c *config.Config) (*rf.Frontend, error) {
		fe, err := rf.Open(chain, dry, rf.BringupOpts{Band: c.Band(), ARFCN: c.ARFCN(), BoardMaxDBm: board.RF.MaxPowerDBm, Log: log, Sleep: func(time.Duration) {}}, nil)
		if err != nil {
			return nil, err
		}
		p := limetest.NewPacer()
		p.Src = dry.Lime.Render
		dry.Lime.SetRX(p)
		mu.Lock()
		if pacer != nil {
			pacer.Close()
		}
		cur, pacer = dry.Lime, p
		mu.Unlock()
		opens.Add(1)
		return fe, nil
	}
	const frame = 5000
	svc := NewService(ServiceConfig{Config: cfg, Board: board, Log: log,
		Stream:    lime.StreamConfig{TXLead: 500, PacketsPerTransfer: 1, StallTimeout: 20 * time.Second},
		ScanAllow: func(ts radio.Timestamp) { mu.Lock(); p := pacer; mu.Unlock(); p.Allow(ts) },
		OnFrame: func(k int64) error {
			mu.Lock()
			p := pacer
			mu.Unlock()
			if k > 1 {
				p.Allow(radio.Timestamp((k-1)*frame + 3*1020))
			}
			return nil
		}})
	svc.UseRadio(open)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	defer func() {
		cancel()
		mu.Lock()
		if pacer != nil {
			pacer.Close()
		}
		mu.Unlock()
		if err := <-done; err != nil {
			t.Errorf("Serve = %v", err)
		}
	}()
	var rs *RadioSnapshot
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rs = svc.Snapshot().Radio
		if rs != nil && rs.Up && rs.Interlock.State == rf.TXOn || time.Now().After(deadline) {
			break
		}
	}
	if rs == nil || rs.Scan == nil {
		t.Fatalf("no channel choice: %+v", rs)
	}
	ch := rs.Scan
	t.Logf("%s", ch.Summary())
	for _, x := range ch.Cells {
		t.Logf("  ARFCN %d %.1f dBFS: %v", x.ARFCN, x.DBFS, x.Cell)
	}
	if ch.ARFCN < 15 || ch.ARFCN > 45 {
		t.Errorf("chose ARFCN %d outside the allowed 15-45", ch.ARFCN)
	}
	if ch.ARFCN < 43 || !ch.NeighboursAvoided || fmt.Sprint(ch.Neighbours) != "[16 26 36]" {
		t.Errorf("chose ARFCN %d (neighbours %v avoided %v), want 43-45, clear of the first cell's neighbours 16, 26, 36", ch.ARFCN, ch.Neighbours, ch.NeighboursAvoided)
	}
	for _, occ := range []tdma.ARFCN{20, 31, 40} {
		if d := int(ch.ARFCN) - int(occ); d >= -2 && d <= 2 {
			t.Errorf("chose ARFCN %d, within 2 guard channels of the occupied %d", ch.ARFCN, occ)
		}
	}
	if len(ch.Cells) != 2 || ch.Cells[0].Cell.MNC != "02" || ch.Cells[1].Cell.MNC != "03" || !ch.TXOff || ch.Scanned != 174 { // the whole band, E-GSM's 0-124 and 975-1023
		t.Errorf("scan: cells %+v, TX off %v, scanned %d", ch.Cells, ch.TXOff, ch.Scanned)
	}
	for i, w := range cells {
		if w.reads.Load() == 0 || w.keyed.Load() != 0 {
			t.Errorf("cell %d: heard %d times, %d of them with the TX pad on", i, w.reads.Load(), w.keyed.Load())
		}
	}
	hz, _ := tdma.GSM900.DownlinkHz(ch.ARFCN)
	if rs.Interlock.State != rf.TXOn || rs.Interlock.FreqHz != int64(hz) || svc.Snapshot().Frames == 0 {
		t.Errorf("on air: interlock %v at %d Hz, frames %d; want on at %d Hz", rs.Interlock.State, rs.Interlock.FreqHz, svc.Snapshot().Frames, hz)
	}
	if opens.Load() != 2 {
		t.Errorf("front end opened %d times, want 2 (the scan, the cell)", opens.Load())
	}
}

// No channel in the allowed range is free: the cell stays off the air,
// Serve says why (chanscan.ErrNoChannel), the front end was opened once
// (for the scan) and never keyed, and the status's transmitter line
// gives the reason.
func TestAutoChannelNoneFree(t *testing.T) {
	board, err := boards.Lookup("rpi4-limesdr")
	if err != nil {
		t.Fatal(err)
	}
	chain := board.RF.Chain
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	cfg.Cell.ARFCNAuto, cfg.Cell.AllowedARFCNs = true, []string{"20"} // a licence for one channel, taken
	cfg.Cell.TxPowerDBm, cfg.Radio.ClockOverride = 5, true
	if err := cfg.Validate(board); err != nil {
		t.Fatal(err)
	}
	c := config.Default()
	c.Cell.ARFCN = 20
	fc, err := NewForeignCell(c, 4, 1234)
	if err != nil {
		t.Fatal(err)
	}
	hz, _ := tdma.GSM900.DownlinkHz(20)
	log := slog.New(slog.DiscardHandler)
	dry := &rftest.DryRun{W: io.Discard, Chain: chain, LimeConfig: limetest.Config{NoiseDBFS: -70, Seed: 3,
		Transmitters: []limetest.Transmitter{{Hz: float64(hz), DBFS: -30, Src: fc}}}}
	var pacer *limetest.Pacer
	var mu sync.Mutex
	opens := 0
	svc := NewService(ServiceConfig{Config: cfg, Board: board, Log: log,
		Stream:    lime.StreamConfig{TXLead: 500, PacketsPerTransfer: 1, StallTimeout: 20 * time.Second},
		ScanAllow: func(ts radio.Timestamp) { mu.Lock(); p := pacer; mu.Unlock(); p.Allow(ts) }})
	svc.UseRadio(func(c *config.Config) (*rf.Frontend, error) {
		fe, err := rf.Open(chain, dry, rf.BringupOpts{Band: c.Band(), ARFCN: c.ARFCN(), BoardMaxDBm: board.RF.MaxPowerDBm, Log: log, Sleep: func(time.Duration) {}}, nil)
		if err != nil {
			return nil, err
		}
		p := limetest.NewPacer()
		p.Src = dry.Lime.Render
		dry.Lime.SetRX(p)
		mu.Lock()
		pacer = p
		opens++
		mu.Unlock()
		return fe, nil
	})
	err = svc.Serve(context.Background())
	mu.Lock()
	pacer.Close()
	mu.Unlock()
	if !errors.Is(err, chanscan.ErrNoChannel) {
		t.Fatalf("Serve = %v, want %v", err, chanscan.ErrNoChannel)
	}
	rs := svc.Snapshot().Radio
	if rs == nil || rs.Up || rs.Scan != nil || opens != 1 || dry.Lime.Stats().TXPackets != 0 || svc.Snapshot().Frames != 0 {
		t.Fatalf("after no free channel: radio %+v, %d opens, %d TX packets", rs, opens, dry.Lime.Stats().TXPackets)
	}
	if tx := rs.Transmitter(); !strings.HasPrefix(tx, "OFF: cell off the air: ") || !strings.Contains(tx, "no free channel") {
		t.Errorf("Transmitter() = %q, want off the air: no free channel", tx)
	}
}
