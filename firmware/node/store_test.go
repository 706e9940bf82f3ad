package node

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
)

// With no cell running, a stick's CSV goes straight into the registry
// file; with one running, through the cell's open registry; a bad file
// changes nothing either way.
func TestSubscriberDBImport(t *testing.T) {
	d := NewStore()
	defer d.Close()
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	d.path = cfg.Subscribers.DB
	csv := "imsi,msisdn,algorithm,ki\n001010000000001,1001,comp128v1,000102030405060708090a0b0c0d0e0f\n"
	got, err := d.Import(strings.NewReader(csv))
	if err != nil || got != "imported: 1 added, 0 updated" {
		t.Fatalf("Import (cell stopped) = %q, %v", got, err)
	}
	reg, err := d.Registry(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	got, err = d.Import(strings.NewReader(csv + "001010000000002,1002,comp128v1,000102030405060708090a0b0c0d0e0f\n"))
	if err != nil || got != "imported: 1 added, 1 updated" {
		t.Fatalf("Import (cell running) = %q, %v", got, err)
	}
	if n, _ := reg.Count(); n != 2 {
		t.Fatalf("registry has %d subscribers, want 2", n)
	}
	_, err = d.Import(strings.NewReader("imsi,msisdn\n001010000000003,1003\nnot-an-imsi,1004\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("Import(bad) = %v, want an error naming line 3", err)
	}
	if n, _ := reg.Count(); n != 2 {
		t.Fatalf("a bad file changed the registry: %d subscribers, want 2", n)
	}
}

// While the cell service runs, a stick's import reaches the registry the
// cell holds open (bbolt would refuse a second open of the file).
func TestSubscriberDBWhileCellRuns(t *testing.T) {
	board, _ := boards.Lookup("sim")
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	d := NewStore()
	defer d.Close()
	fake := clock.NewFake(time.Unix(0, 0))
	s := NewService(ServiceConfig{Config: cfg, Board: board, Log: slog.New(slog.DiscardHandler), Store: d, Clock: fake})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	for deadline := time.Now().Add(10 * time.Second); s.Snapshot().Frames < 16 && time.Now().Before(deadline); {
		if fake.BlockUntil(1, 50*time.Millisecond) {
			fake.Advance(8 * FrameDuration)
		}
	}
	got, err := d.Import(strings.NewReader("imsi,msisdn\n001010000000009,1009\n"))
	cancel()
	if serr := <-done; serr != nil {
		t.Fatal(serr)
	}
	if err != nil || got != "imported: 1 added, 0 updated" {
		t.Fatalf("Import while the cell runs = %q, %v", got, err)
	}
}
