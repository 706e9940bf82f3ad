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
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// fakeCell counts frames until cancelled.
type fakeCell struct {
	arfcn  int
	frames atomic.Uint64
}

func (c *fakeCell) Name() string   { return "cell" }
func (c *fakeCell) Frames() uint64 { return c.frames.Load() }
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
			data := t.TempDir()
			os.WriteFile(filepath.Join(data, ConfigFile), []byte("[cell]\narfcn = 70\n"), 0o644)
			statusPath := filepath.Join(t.TempDir(), "status.txt")
			files := map[string]string{
				"/proc/cmdline": "console=ttyAMA0 gsmbox.board=qemu-arm64\n",
				ModelPath:       tc.model,
			}
			var made atomic.Int32
			var console testtool.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() {
				done <- Run(ctx, Options{
					Version: "vtest", Console: &console, DataDir: data, StatusPath: statusPath,
					Sys: fstest.MapFS{"block": &fstest.MapFile{Mode: fs.ModeDir}},
					ReadFile: func(p string) ([]byte, error) {
						if s, ok := files[p]; ok {
							return []byte(s), nil
						}
						return nil, fs.ErrNotExist
					},
					NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) supervisor.Service {
						made.Add(1)
						return &fakeCell{arfcn: cfg.Cell.ARFCN}
					},
				})
			}()
			var st string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				b, _ := os.ReadFile(statusPath)
				if st = string(b); strings.Contains(st, "watchdog") || strings.Contains(st, "status    running") {
					break
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run = %v", err)
			}
			if !strings.Contains(st, "ARFCN 70") || !strings.Contains(st, "config:      data partition gsmbox.toml") {
				t.Errorf("status = %q, want ARFCN 70 from the data directory", st)
			}
			if tc.cellOn {
				if made.Load() == 0 || !strings.Contains(st, "transmitter: enabled") {
					t.Errorf("cell made %d times, status:\n%s", made.Load(), st)
				}
			} else {
				if made.Load() != 0 || !strings.Contains(st, "transmitter: DISABLED") {
					t.Errorf("model mismatch: cell made %d times, status:\n%s", made.Load(), st)
				}
				if !strings.Contains(console.String(), "TRANSMITTER DISABLED") {
					t.Errorf("console lacks the refusal:\n%s", console.String())
				}
			}
			log, err := os.ReadFile(filepath.Join(data, "gsmbox.log"))
			if err != nil || !strings.Contains(string(log), "services stopped") && !strings.Contains(string(log), "service stopped") {
				t.Errorf("persisted log = %q, %v", log, err)
			}
			if !strings.Contains(console.String(), "services started") {
				t.Errorf("console lacks services started:\n%s", console.String())
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
	data := t.TempDir()
	statusPath := filepath.Join(t.TempDir(), "status.txt")
	files := map[string]string{
		"/proc/cmdline": "gsmbox.board=rpi4\n",
		ModelPath:       "Raspberry Pi 4 Model B Rev 1.4\x00",
	}
	dry := &rftest.DryRun{W: io.Discard, Chain: board.RF.Chain}
	var opened atomic.Int32
	var console testtool.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- Run(ctx, Options{
			Version: "vtest", Console: &console, DataDir: data, StatusPath: statusPath,
			Sys: fstest.MapFS{"block": &fstest.MapFile{Mode: fs.ModeDir}},
			ReadFile: func(p string) ([]byte, error) {
				if s, ok := files[p]; ok {
					return []byte(s), nil
				}
				return nil, fs.ErrNotExist
			},
			RFOpener: func() (rf.Opener, error) { opened.Add(1); return dry, nil },
			NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) supervisor.Service {
				return &fakeCell{arfcn: cfg.Cell.ARFCN}
			},
		})
	}()
	green, red := board.Pins["led.green"], board.Pins["led.red"]
	driven := func() bool {
		_, g := dry.Level(green)
		_, r := dry.Level(red)
		return g && r
	}
	var st string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(statusPath)
		if st = string(b); strings.Contains(st, "status    running") && driven() {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if !driven() {
		t.Errorf("LED lines %s, %s not driven through the opener", green, red)
	}
	if !strings.Contains(st, "transmitter: enabled") {
		t.Errorf("status:\n%s\nwant the transmitter enabled (RF up through the opener)\nconsole:\n%s", st, console.String())
	}
	if n := opened.Load(); n != 1 {
		t.Errorf("RFOpener called %d times, want once", n)
	}
	if l, isOut := dry.Level(board.RF.Chain.Pins.PAEnable); !isOut || l != gpio.Low {
		t.Errorf("PA enable after Run = %v (output %v), want driven low", l, isOut)
	}
}
