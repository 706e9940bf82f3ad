package firmware

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/leds"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// fakeCell counts frames until cancelled.
type fakeCell struct {
	arfcn  int
	frames atomic.Uint64
}

func (c *fakeCell) Name() string { return "cell" }
func (c *fakeCell) Snapshot() node.Snapshot {
	return node.Snapshot{Running: true, Frames: c.frames.Load()}
}
func (c *fakeCell) Serve(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Millisecond):
			c.frames.Add(1)
		}
	}
}

// offBoard is Run as an ordinary process with its world faked: files
// (the kernel command line, the device-tree model) are what ReadFile
// sees, /sys has no block devices, and data and the status file live in
// temporary directories.
type offBoard struct {
	data, statusPath string
	console          testtool.Buffer
	cancel           context.CancelFunc
	done             chan error
}

func newOffBoard(t *testing.T) *offBoard {
	return &offBoard{data: t.TempDir(), statusPath: filepath.Join(t.TempDir(), "status.txt"), done: make(chan error)}
}

// start starts Run with o, completing it with the fakes above.
func (r *offBoard) start(files map[string]string, o Options) {
	o.Version, o.Console, o.DataDir, o.StatusPath = "vtest", &r.console, r.data, r.statusPath
	if o.Sys == nil {
		o.Sys = fstest.MapFS{"block": &fstest.MapFile{Mode: fs.ModeDir}}
	}
	o.ReadFile = func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	var ctx context.Context
	ctx, r.cancel = context.WithCancel(context.Background())
	go func() { r.done <- Run(ctx, o) }()
}

// waitStatus polls the status file for up to 10 s until ok accepts it,
// and returns the last read.
func (r *offBoard) waitStatus(ok func(string) bool) string {
	var st string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(r.statusPath)
		if st = string(b); ok(st) {
			break
		}
	}
	return st
}

// stop cancels Run and fails the test unless it returns nil.
func (r *offBoard) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if err := <-r.done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// TestRunOffBoard runs the whole runtime as an ordinary process: the
// board comes from the command line, the model check passes, a config on
// the data directory is used, the services start and the status file
// appears, and cancelling stops everything and persists the log.
func TestRunOffBoard(t *testing.T) {
	for _, tc := range []struct {
		name, model string
		cellOn      bool
	}{
		{"model matches", "linux,dummy-virt\x00", true},
		{"model mismatch", "Raspberry Pi 4 Model B Rev 1.4\x00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var made atomic.Int32
			files := map[string]string{
				"/proc/cmdline": "console=ttyAMA0 gsmbox.board=qemu-arm64\n",
				ModelPath:       tc.model,
			}
			r := newOffBoard(t)
			os.WriteFile(filepath.Join(r.data, ConfigFile), []byte("[cell]\narfcn = 70\n"), 0o644)
			r.start(files, Options{
				NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) Cell {
					made.Add(1)
					return &fakeCell{arfcn: cfg.Cell.ARFCN}
				},
			})
			st := r.waitStatus(func(st string) bool {
				return strings.Contains(st, "watchdog") || strings.Contains(st, "status    running")
			})
			r.stop(t)
			if !strings.Contains(st, "ARFCN 70") || !strings.Contains(st, "config:      data partition gsmbox.toml") {
				t.Errorf("status = %q, want ARFCN 70 from the data directory", st)
			}
			if tc.cellOn {
				if made.Load() == 0 || !strings.Contains(st, "transmitter: enabled (simulated air") {
					t.Errorf("cell made %d times, status:\n%s", made.Load(), st)
				}
			} else {
				if made.Load() != 0 || !strings.Contains(st, "transmitter: DISABLED") {
					t.Errorf("model mismatch: cell made %d times, status:\n%s", made.Load(), st)
				}
				if !strings.Contains(r.console.String(), "TRANSMITTER DISABLED") {
					t.Errorf("console lacks the refusal:\n%s", r.console.String())
				}
			}
			log, err := os.ReadFile(filepath.Join(r.data, "gsmbox.log"))
			if err != nil || !strings.Contains(string(log), "services stopped") && !strings.Contains(string(log), "service stopped") {
				t.Errorf("persisted log = %q, %v", log, err)
			}
			if !strings.Contains(r.console.String(), "services started") {
				t.Errorf("console lacks services started:\n%s", r.console.String())
			}
		})
	}
}

// On a board with LEDs and an RF front end, both are opened through the
// one opener Options.RFOpener gives (asked for once): the LED lines are
// driven by the player, the front end comes up, and shutdown leaves its
// PA enable line low.
func TestRunOpensLEDsAndRFThroughOneOpener(t *testing.T) {
	board, err := boards.Lookup("rpi4")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"/proc/cmdline": "gsmbox.board=rpi4\n",
		ModelPath:       "Raspberry Pi 4 Model B Rev 1.4\x00",
	}
	dry := &rftest.DryRun{W: io.Discard, Chain: board.RF.Chain}
	var opened atomic.Int32
	r := newOffBoard(t)
	r.start(files, Options{
		RFOpener: func() (rf.Opener, error) { opened.Add(1); return dry, nil },
		NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) Cell {
			return &fakeCell{arfcn: cfg.Cell.ARFCN}
		},
	})
	green, red := board.Pins["led.green"], board.Pins["led.red"]
	driven := func() bool {
		_, g := dry.Level(green)
		_, r := dry.Level(red)
		return g && r
	}
	st := r.waitStatus(func(st string) bool { return strings.Contains(st, "status    running") && driven() })
	r.stop(t)
	if !driven() {
		t.Errorf("LED lines %s, %s not driven through the opener", green, red)
	}
	// The front end came up (the transmitter is not DISABLED), and the
	// line tells its interlock's real state: nothing keyed the PA.
	if !strings.Contains(st, "transmitter: OFF: not keyed") {
		t.Errorf("status:\n%s\nwant the transmitter off, not keyed (RF up through the opener)\nconsole:\n%s", st, r.console.String())
	}
	if n := opened.Load(); n != 1 {
		t.Errorf("RFOpener called %d times, want once", n)
	}
	if l, isOut := dry.Level(board.RF.Chain.Pins.PAEnable); !isOut || l != gpio.Low {
		t.Errorf("PA enable after Run = %v (output %v), want driven low", l, isOut)
	}
}

// Every timer of the runtime runs on Options.Clock: with a fake clock,
// the test power-off timer (gsmbox.poweroff=90s) ends Run only once the
// fake time has passed 90 s, however long that takes in real time.
func TestRunOnInjectedClock(t *testing.T) {
	files := map[string]string{
		"/proc/cmdline": "gsmbox.board=qemu-arm64 gsmbox.poweroff=90s\n",
		ModelPath:       "linux,dummy-virt\x00",
	}
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	start := clk.Now()
	r := newOffBoard(t)
	r.start(files, Options{Clock: clk, NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) Cell {
		return &fakeCell{arfcn: cfg.Cell.ARFCN}
	}})
	for {
		select {
		case err := <-r.done:
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if passed := clk.Now().Sub(start); passed < 90*time.Second {
				t.Errorf("Run ended after %v of the injected clock, want the 90 s timer", passed)
			}
			if !strings.Contains(r.console.String(), "test power-off timer expired") {
				t.Errorf("console lacks the timer's line:\n%s", r.console.String())
			}
			return
		case <-time.After(time.Millisecond):
			if clk.Now().Sub(start) > 10*time.Minute {
				r.stop(t)
				t.Fatalf("the 90 s power-off timer did not fire on the injected clock:\n%s", r.console.String())
			}
			clk.Advance(time.Second)
		}
	}
}

// A registry that was found damaged and restored from a backup shows in
// status (what happened, what was lost) and in the LEDs: on air, with
// the data-restored blink instead of steady green.
func TestRunShowsRegistryRecovery(t *testing.T) {
	files := map[string]string{"/proc/cmdline": "gsmbox.board=qemu-arm64\n", ModelPath: "linux,dummy-virt\x00"}
	r := newOffBoard(t)
	const report = "subscribers.db was damaged (truncated); quarantined; restored the backup of 2026-12-07 17:00 (20 subscribers); changes since then are lost"
	r.start(files, Options{
		NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) Cell {
			return &fakeCell{arfcn: cfg.Cell.ARFCN}
		},
		RegistryReport: func() string { return report },
	})
	st := r.waitStatus(func(st string) bool { return strings.Contains(st, "registry:") })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.console.String(), leds.OnAirDataRestored.Name) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	r.stop(t)
	if !strings.Contains(st, "registry:    "+report) {
		t.Errorf("status lacks the registry's recovery:\n%s", st)
	}
	if !strings.Contains(r.console.String(), leds.OnAirDataRestored.Name) {
		t.Errorf("LEDs never showed %s:\n%s", leds.OnAirDataRestored.Name, r.console.String())
	}
}
