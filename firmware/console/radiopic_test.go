package console

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
)

var picOut = flag.String("radiopic.out", "", "directory where TestRadioPictures writes the pictures it fetched")

// TestRadioPictures: on a running sim cell with virtual phones, the
// Radio page's spectrum and constellation are drawn from what the cell
// received: the spectrum a 256-point line, the constellation the symbols
// of received bursts, most of them near ±1 on the I axis. Without a scope
// the pictures say so instead.
func TestRadioPictures(t *testing.T) {
	board, _ := boards.Lookup("sim")
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	cfg.Sim.Phones = 2
	svc := node.NewService(node.ServiceConfig{Config: cfg, Board: board, Log: slog.New(slog.DiscardHandler), Clock: clock.Real{}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve() = %v", err)
		}
	}()
	f := newFixture(t, true, func(c *Config) { c.Host.Scope = svc.Scope })
	cl := f.client()
	f.login(cl)

	// Wait until the scope holds a few bursts from the phones.
	var c trx.Capture
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if sc := svc.Scope(); sc != nil && sc.Copy(&c) && len(c.Symbols) >= 4 {
			break
		}
	}
	if len(c.Symbols) < 4 {
		t.Fatalf("scope after 60 s: %d frames, %d bursts; want bursts from the phones", c.Frames, len(c.Symbols))
	}

	r := f.do(cl, "GET", "/api/radio", nil, nil)
	if r.code != 200 || !strings.Contains(r.body, `"pictures": true`) {
		t.Errorf("/api/radio = %d %s, want pictures true", r.code, r.body)
	}
	r = f.do(cl, "GET", "/api/radio/spectrum.svg", nil, nil)
	if r.code != 200 || r.hdr.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("spectrum.svg = %d %s", r.code, r.hdr.Get("Content-Type"))
	}
	_, pts, ok := strings.Cut(r.body, `<polyline fill="none" stroke="#2b6cb0" stroke-width="1.5" points="`)
	pts, _, _ = strings.Cut(pts, `"`)
	if n := len(strings.Fields(pts)); !ok || n != spectrumBins || !strings.HasSuffix(r.body, "</svg>") {
		t.Errorf("spectrum.svg has %d points (want %d):\n%.400s", n, spectrumBins, r.body)
	}
	save := func(name, body string) {
		if *picOut != "" {
			if err := os.WriteFile(filepath.Join(*picOut, name), []byte(body), 0o644); err != nil {
				t.Error(err)
			}
		}
	}
	save("spectrum.svg", r.body)
	r = f.do(cl, "GET", "/api/radio/constellation.svg", nil, nil)
	save("constellation.svg", r.body)
	if n := strings.Count(r.body, "<circle"); r.code != 200 || n < 4*148 {
		t.Errorf("constellation.svg = %d with %d points, want ≥ %d", r.code, n, 4*148)
	}
	// The symbols: unit power, and on the I axis (Laurent's GMSK), which
	// a cell hearing its phones at sim.snr_db shows clearly.
	var onI, all int
	for _, b := range c.Symbols {
		for _, v := range b {
			all++
			if a := real(v); (a > 0.4 || a < -0.4) && imag(v) < 0.5 && imag(v) > -0.5 {
				onI++
			}
		}
	}
	if onI < all*8/10 {
		t.Errorf("%d of %d symbols near the I axis away from 0, want ≥ 80 %%", onI, all)
	}

	// Unauthenticated: refused like every API.
	if r := f.do(f.client(), "GET", "/api/radio/spectrum.svg", nil, nil); r.code != 401 {
		t.Errorf("spectrum.svg without a session = %d, want 401", r.code)
	}
}

// TestRadioPicturesWithoutScope: a host without a scope (a TRX elsewhere)
// draws a picture that says so.
func TestRadioPicturesWithoutScope(t *testing.T) {
	f := newFixture(t, true, nil)
	cl := f.client()
	f.login(cl)
	for _, p := range []string{"/api/radio/spectrum.svg", "/api/radio/constellation.svg"} {
		r := f.do(cl, "GET", p, nil, nil)
		if r.code != 200 || !strings.Contains(r.body, "no receive scope") {
			t.Errorf("%s = %d %.200s, want the no-scope picture", p, r.code, r.body)
		}
	}
	if r := f.do(cl, "GET", "/api/radio", nil, nil); !strings.Contains(r.body, `"pictures": false`) {
		t.Errorf("/api/radio = %s, want pictures false", r.body)
	}
}
