package firmware

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/leds"
	"github.com/gsmbox/gsmbox/firmware/logbuf"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/firmware/watchdog"
)

// appliance is the running appliance. Each concern fills its part: boot
// (this file), storage, services and shutdown (their files).
type appliance struct {
	opts Options // with the defaults filled in

	// boot
	pid1     bool
	clock    clock.Clock
	console  io.Writer
	readFile func(string) ([]byte, error)
	log      *slog.Logger
	ring     *logbuf.Ring
	level    *slog.LevelVar
	cmdline  Cmdline
	board    *boards.Descriptor
	model    string
	// txErr is why the transmitter must stay off (an unknown board, a
	// model mismatch, a front end that did not come up); nil allows it.
	txErr error
	bg    background
	pins  pinOpener

	// storage
	disk disk

	// services
	sup    *supervisor.Supervisor
	player *leds.Player
	fe     *rf.Frontend
	// radioFE is the front end the cell brought up, on a board whose
	// radio is on USB: the cell owns it (it reopens it after an unplug),
	// and the last act makes it safe too.
	radioFE atomic.Pointer[rf.Frontend]
	// radioOpener opens the USB radio's buses for the cell (nil when
	// the board's radio is not on USB).
	radioOpener rf.Opener
	cell        *CellSlot
	net         *lan.Service
	// consoleFP is the web console's certificate fingerprint (nil: no
	// console), for the serial console's network line.
	consoleFP  func() string
	feeder     atomic.Pointer[watchdog.Feeder]
	lastUSB    atomic.Value // string
	usbHandled chan struct{}
	// cellRestarts counts the cell restarts a new configuration asked
	// for (gsmbox.poweroff=usb waits for the last to come on air).
	cellRestarts atomic.Uint64
	closers      []func() error

	// shutdown
	reboot atomic.Bool
}

// boot is the first concern: PID 1's essential mounts and orphan reaper,
// the log, the kernel command line, and which board this is. An unknown
// board or a device tree that does not match it keeps the transmitter off;
// boot never fails.
func boot(o Options) *appliance {
	a := &appliance{opts: o, pid1: os.Getpid() == 1, console: o.Console, clock: o.Clock, readFile: o.ReadFile}
	if a.console == nil {
		a.console = os.Stdout
	}
	if a.clock == nil {
		a.clock = clock.Real{}
	}
	if a.readFile == nil {
		a.readFile = os.ReadFile
	}
	if a.opts.Power == nil {
		a.opts.Power = SysPower{}
	}
	a.pins.open = o.RFOpener
	a.bg.start()

	var mountErr error
	if a.pid1 {
		mountErr = MountEssentials()
	}
	a.ring = logbuf.New(2000)
	a.level = new(slog.LevelVar)
	a.log = slog.New(logbuf.NewHandler(a.ring, a.console, a.level))
	slog.SetDefault(a.log)
	a.log.Info("gsmbox starting", "version", o.Version, "pid1", a.pid1, "uptime", a.uptime())
	if mountErr != nil {
		a.log.Error("essential mounts", "err", mountErr)
	}
	if a.pid1 {
		a.bg.run(Reap)
	}

	cmdText, _ := a.readFile("/proc/cmdline")
	cl, warns := ParseCmdline(string(cmdText))
	for _, w := range warns {
		a.log.Warn("kernel command line", "problem", w)
	}
	a.cmdline = cl

	name, err := BoardName(a.readFile, cl)
	if err != nil {
		a.log.Error("board unknown; running as sim with the transmitter off", "err", err)
		name = "sim"
	}
	board, err := boards.Lookup(name)
	if err != nil {
		a.log.Error("board unknown; running as sim with the transmitter off", "err", err)
		board, _ = boards.Lookup("sim")
	}
	a.board = board
	if a.pid1 {
		if err := BringUpLoopback(); err != nil {
			a.log.Warn("loopback not up", "err", err)
		}
	}
	model, modelErr := CheckModel(a.readFile, board)
	a.model = model
	a.txErr = err // an unknown board's name: the sim stands in, silent
	if modelErr != nil {
		a.txErr = modelErr
		a.log.Error("TRANSMITTER DISABLED", "err", modelErr)
	} else {
		a.log.Info("board", "name", board.Name, "model", model)
	}
	return a
}

// txAllowed reports whether the transmitter may be keyed.
func (a *appliance) txAllowed() bool { return a.txErr == nil }

// uptime reads /proc/uptime: time since the kernel started.
func (a *appliance) uptime() time.Duration {
	b, err := a.readFile("/proc/uptime")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	s, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0
	}
	return time.Duration(s * float64(time.Second)).Truncate(10 * time.Millisecond)
}

// background runs the goroutines that outlive the services (the orphan
// reaper, the shutdown-request watcher): it owns them, stops them and
// waits for them.
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (b *background) start() { b.ctx, b.cancel = context.WithCancel(context.Background()) }

// run runs f on its own goroutine until stop.
func (b *background) run(f func(ctx context.Context)) {
	b.wg.Add(1)
	go func() { defer b.wg.Done(); f(b.ctx) }()
}

func (b *background) stop() { b.cancel(); b.wg.Wait() }

// pinOpener opens the board's buses and pins through Options.RFOpener,
// once, for both the RF front end and the status LEDs: nothing in the
// runtime reaches for periph's global registries.
type pinOpener struct {
	open func() (rf.Opener, error)
	once sync.Once
	op   rf.Opener
	err  error
}

// errNoOpener means the build gave the runtime no way to open pins.
var errNoOpener = errors.New("this build cannot open the board's buses and pins")

func (p *pinOpener) get() (rf.Opener, error) {
	p.once.Do(func() {
		if p.open == nil {
			p.err = errNoOpener
			return
		}
		p.op, p.err = p.open()
	})
	return p.op, p.err
}
