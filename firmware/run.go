package firmware

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/leds"
	"github.com/gsmbox/gsmbox/firmware/logbuf"
	"github.com/gsmbox/gsmbox/firmware/status"
	"github.com/gsmbox/gsmbox/firmware/storage"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/firmware/usb"
	"github.com/gsmbox/gsmbox/firmware/watchdog"
	"golang.org/x/sys/unix"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"
)

// Mount points.
const (
	BootDir = "/boot"
	PermDir = "/perm"
	USBDir  = "/usb"
)

// Options are what cmd/gsmbox gives the runtime.
type Options struct {
	Version string
	// NewCell makes the cell service for a configuration. It is called at
	// each (re)start of the "cell" service, with the configuration then in
	// force.
	NewCell func(cfg *config.Config, board *boards.Descriptor, log *slog.Logger) supervisor.Service
	// ImportSubscribers imports a USB stick's subscribers.csv into the
	// subscriber registry (see usb.Applier); nil means the box has none.
	ImportSubscribers func(io.Reader) (string, error)
	// Console is where log lines and the USB messages go (stdout, which is
	// /dev/console for PID 1).
	Console io.Writer
	// RFOpener opens the buses and pins of a board's RF front end
	// (rf.NewHostOpener on a board); nil means the box has none to bring
	// up, and a board whose descriptor has a chain keeps its transmitter
	// off.
	RFOpener func() (rf.Opener, error)
	// Power ends the system after shutdown when running as PID 1; nil means
	// SysPower.
	Power Power

	// For running outside a board (development, tests); zero values mean
	// the appliance's paths.
	//
	// ReadFile reads /proc/cmdline, /etc/gsmbox/board and the device-tree
	// model (os.ReadFile).
	ReadFile func(string) ([]byte, error)
	// DataDir replaces the data partition when not PID 1.
	DataDir string
	// StatusPath replaces status.DefaultPath.
	StatusPath string
	// Sys replaces /sys for the USB detector.
	Sys fs.FS
}

// Signals to PID 1 (sent by `gsmbox reboot` / `gsmbox poweroff`).
const (
	RebootSignal   = syscall.SIGUSR1
	PowerOffSignal = syscall.SIGUSR2
)

// Run is the appliance: it returns only when not PID 1 (e.g. `gsmbox run`
// on a development machine) after ctx ends; as PID 1 it powers off or
// reboots at the end.
func Run(ctx context.Context, o Options) error {
	pid1 := os.Getpid() == 1
	console := o.Console
	if console == nil {
		console = os.Stdout
	}
	power := o.Power
	if power == nil {
		power = SysPower{}
	}
	var mountErr error
	if pid1 {
		mountErr = MountEssentials()
	}
	ring := logbuf.New(2000)
	level := new(slog.LevelVar)
	log := slog.New(logbuf.NewHandler(ring, console, level))
	slog.SetDefault(log)
	log.Info("gsmbox starting", "version", o.Version, "pid1", pid1, "uptime", uptime())
	if mountErr != nil {
		log.Error("essential mounts", "err", mountErr)
	}

	var bg sync.WaitGroup
	bgCtx, bgCancel := context.WithCancel(context.Background())
	defer func() { bgCancel(); bg.Wait() }()
	if pid1 {
		bg.Add(1)
		go func() { defer bg.Done(); Reap(bgCtx) }()
	}

	readFile := o.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	cmdText, _ := readFile("/proc/cmdline")
	cl, warns := ParseCmdline(string(cmdText))
	for _, w := range warns {
		log.Warn("kernel command line", "problem", w)
	}

	name, err := BoardName(readFile, cl)
	if err != nil {
		log.Error("board unknown; running as sim with the transmitter off", "err", err)
		name = "sim"
	}
	board, err := boards.Lookup(name)
	if err != nil {
		log.Error("board unknown; running as sim with the transmitter off", "err", err)
		board, _ = boards.Lookup("sim")
	}
	model, modelErr := CheckModel(readFile, board)
	txAllowed := modelErr == nil && err == nil
	if modelErr != nil {
		log.Error("TRANSMITTER DISABLED", "err", modelErr)
	} else {
		log.Info("board", "name", board.Name, "model", model)
	}

	// Partitions.
	bootDir, permDir, persistent := BootDir, PermDir, false
	uncleanData := false
	if board.BootDevice != "" && pid1 {
		if err := waitDevice(board.BootDevice, 10*time.Second); err != nil {
			log.Error("boot partition", "err", err)
		} else if err := MountFAT(board.BootDevice, BootDir, true); err != nil {
			log.Error("boot partition not mounted", "err", err)
		}
	}
	if board.DataDevice != "" && pid1 {
		if err := waitDevice(board.DataDevice, 10*time.Second); err != nil {
			log.Error("data partition", "err", err)
		} else {
			if dirty, _ := FATDirty(board.DataDevice); dirty {
				uncleanData = true
				log.Warn("data partition was not cleanly unmounted (power cut or crash); files written with fsync are intact", "device", board.DataDevice)
			}
			if err := MountFAT(board.DataDevice, PermDir, false); err != nil {
				log.Error("data partition not mounted", "err", err)
			} else {
				persistent = true
			}
		}
	}

	if !persistent {
		permDir = "/tmp/gsmbox-perm"
		if !pid1 {
			permDir = os.TempDir() + "/gsmbox-perm"
			if o.DataDir != "" {
				permDir = o.DataDir
			}
		}
		os.MkdirAll(permDir, 0o755)
		log.Warn("no persistent storage; using a volatile directory", "dir", permDir)
	}
	store := storage.Dir{Path: permDir}
	store.Clean()
	if !pid1 {
		bootDir = permDir
	}
	cfgs := LoadConfigs(store, bootDir, board, log)
	level.Set(cfgs.Current().LogLevel())
	cfgs.OnApply = func(c *config.Config) { level.Set(c.LogLevel()) }

	clk := clock.Real{}
	sup := supervisor.New(clk, log, supervisor.DefaultPolicy)
	cfgs.SetRestart(sup.Restart)

	green, red := ledPins(board, log)
	var ledLog *slog.Logger
	if green == nil && red == nil {
		ledLog = log // no LEDs: show the patterns as log lines
	}
	player := leds.NewPlayer(green, red, clk, ledLog)
	sup.Add(player, false)
	sup.Add(&logbuf.Persister{Ring: ring, Store: store, Clock: clk, Interval: 30 * time.Second}, false)

	// A board with a hardware front end brings it up before the cell: the
	// interlock runs as a critical service, and putting the front end in
	// its safe state is the supervisor's last act, even on a panic.
	var fe *rf.Frontend
	if txAllowed && board.RF.Chain != nil {
		var op rf.Opener
		err := fmt.Errorf("this build cannot open the RF front end %s", board.RF.Chain.Name)
		if o.RFOpener != nil {
			if op, err = o.RFOpener(); err == nil {
				fe, err = bringUpRF(board, cfgs.Current(), op, log)
			}
		}
		if err != nil {
			modelErr = fmt.Errorf("RF front end did not come up: %w", err)
			txAllowed = false
			log.Error("TRANSMITTER DISABLED", "err", modelErr)
		} else {
			sup.Add(rfService{fe}, true)
			defer func() {
				if r := recover(); r != nil {
					rfShutdown(fe, log)
					panic(r)
				}
			}()
		}
	}

	cell := &CellSlot{configs: cfgs, board: board, log: log, newCell: cl.applySimPhones(o.NewCell)}
	if txAllowed && o.NewCell != nil {
		sup.Add(cell, true)
	} else {
		player.Show(leds.Error)
	}

	sysFS := o.Sys
	if sysFS == nil {
		sysFS = os.DirFS("/sys")
	}
	statusPath := o.StatusPath
	if statusPath == "" {
		statusPath = status.DefaultPath
	}
	var feeder atomic.Pointer[watchdog.Feeder]
	var lastUSB atomic.Value
	lastUSB.Store("")
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	usbHandled := make(chan struct{}, 1)
	snapshot := func() status.Snapshot {
		tx := "enabled"
		if !txAllowed {
			tx = "DISABLED: " + errString(modelErr)
		}
		h := "ok"
		if f := feeder.Load(); f != nil && f.LastError() != nil {
			h = f.LastError().Error()
		} else if err := sup.Healthy(); err != nil {
			h = err.Error()
		}
		return status.Snapshot{
			Version: o.Version, Board: board.Name, Model: model, Transmitter: tx,
			Uptime: uptime(), ConfigSource: cfgs.Source(), ARFCN: cfgs.Current().Cell.ARFCN,
			Frames: cell.Frames(), Persistent: persistent, UncleanShutdown: uncleanData, Health: h,
			LastUSB: lastUSB.Load().(string), Services: sup.Status(),
		}
	}
	usbPoll := 2 * time.Second
	if cl.USBPoll > 0 {
		usbPoll = cl.USBPoll
	}
	applier := &usb.Applier{
		Mounter: usb.FAT{}, MountDir: USBDir, Board: board, Configs: cfgs, LEDs: player,
		Status: func() string { return snapshot().Render() }, Version: o.Version,
		ImportSubscribers: o.ImportSubscribers,
		Log:               log, Console: console, ShowFor: 30 * time.Second,
	}
	sup.Add(&usb.Service{
		Detector: &usb.Detector{Sys: sysFS}, Applier: applier, Clock: clk,
		Poll: usbPoll, Uevents: pid1, Log: log, DeviceWait: 5 * time.Second,
		Handled: func(r usb.Result) {
			lastUSB.Store(fmt.Sprintf("%s %s (%d changes, %d errors)", r.Device, r.Outcome, len(r.Changes), len(r.Problems)))
			select {
			case usbHandled <- struct{}{}:
			default:
			}
		},
	}, false)
	sup.Add(&statusService{path: statusPath, snapshot: snapshot, clock: clk, cell: cell, player: player, txAllowed: txAllowed}, false)

	if board.Watchdog != "" && pid1 {
		t := time.Duration(board.WatchdogTimeoutSec) * time.Second
		if cl.WatchdogTimeout > 0 {
			t = cl.WatchdogTimeout
		}
		if dev, err := watchdog.Open(board.Watchdog, t); err != nil {
			log.Warn("no hardware watchdog", "err", err)
		} else {
			checks := []watchdog.Check{
				{Name: "services", Fn: sup.Healthy},
				{Name: "storage", Fn: watchdog.Every(clk, time.Minute, store.Check)},
			}
			if txAllowed {
				// The TDMA clock must advance while the cell runs. A
				// cell that stopped for good (a front end this build
				// cannot drive, a config it refuses) shows as an error
				// in status and on the LEDs; starving the watchdog
				// would only reboot the box into the same state.
				advancing := cell.advancing()
				checks = append(checks, watchdog.Check{Name: "tdma clock", Fn: func() error {
					if serviceState(sup, "cell") == supervisor.Stopped {
						return nil
					}
					return advancing()
				}})
			}
			if cl.TestUnhealthy {
				checks = append(checks, watchdog.Check{Name: "test (gsmbox.test.unhealthy)", Fn: func() error {
					return errors.New("always failing, on request")
				}})
			}
			defer dev.Close()
			f := &watchdog.Feeder{Dev: dev, Clock: clk, Interval: t / 4, Checks: checks, Log: log}
			feeder.Store(f)
			sup.Add(f, false)
			log.Info("hardware watchdog armed", "device", board.Watchdog, "timeout", t)
		}
	}
	if cl.Shell && pid1 {
		tty := "/dev/console"
		if board.Console != "" {
			tty = "/dev/" + strings.Split(board.Console, ",")[0]
		}
		sup.Add(&shellService{console: tty}, false)
	}

	// Power-off and reboot requests.
	var reboot atomic.Bool
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, RebootSignal, PowerOffSignal)
	defer signal.Stop(sigs)
	bg.Add(1)
	go func() {
		defer bg.Done()
		var after <-chan time.Time
		if cl.PowerOffAfter > 0 {
			after = time.After(cl.PowerOffAfter)
		}
		var usbCh <-chan struct{}
		if cl.PowerOffOnUSB {
			usbCh = usbHandled
		}
		select {
		case <-bgCtx.Done():
			return
		case s := <-sigs:
			reboot.Store(s == RebootSignal)
			log.Info("shutdown requested", "signal", s)
		case <-after:
			log.Info("test power-off timer expired (gsmbox.poweroff)", "after", cl.PowerOffAfter)
		case <-usbCh:
			log.Info("USB stick handled; powering off (gsmbox.poweroff=usb)")
		}
		stop()
	}()

	supDone := make(chan struct{})
	go func() { sup.Serve(runCtx); close(supDone) }()
	names := []string{}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		names = names[:0]
		for _, s := range sup.Status() {
			if s.State != supervisor.Pending {
				names = append(names, s.Name)
			}
		}
		if len(names) == len(sup.Status()) {
			break
		}
	}
	log.Info("services started", "services", strings.Join(names, ","), "uptime", uptime())
	<-supDone

	// Ordered shutdown is done: the radio goes safe first, then the data
	// is made durable.
	rfShutdown(fe, log)
	log.Info("services stopped; syncing")
	(&logbuf.Persister{Ring: ring, Store: store}).Flush()
	unix.Sync()
	if pid1 {
		if persistent {
			if err := unix.Unmount(PermDir, 0); err != nil {
				log.Error("unmount data partition", "err", err)
				unix.Mount("", PermDir, "", unix.MS_REMOUNT|unix.MS_RDONLY, "")
			}
		}
		unix.Unmount(BootDir, 0)
		unix.Sync()
		if reboot.Load() {
			fmt.Fprintln(console, "gsmbox: rebooting")
			return power.Reboot()
		}
		fmt.Fprintln(console, "gsmbox: powering off")
		return power.PowerOff()
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// uptime reads /proc/uptime: time since the kernel started.
func uptime() time.Duration {
	b, err := os.ReadFile("/proc/uptime")
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

func waitDevice(dev string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		if _, err := os.Stat(dev); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %v", dev, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ledPins(board *boards.Descriptor, log *slog.Logger) (gpio.PinOut, gpio.PinOut) {
	gn, rn := board.Pins["led.green"], board.Pins["led.red"]
	if gn == "" && rn == "" {
		return nil, nil
	}
	if _, err := host.Init(); err != nil {
		log.Warn("no GPIO; LEDs off", "err", err)
		return nil, nil
	}
	var g, r gpio.PinOut
	if p := gpioreg.ByName(gn); p != nil {
		g = p
	}
	if p := gpioreg.ByName(rn); p != nil {
		r = p
	}
	return g, r
}

// CellSlot is the "cell" service: at each start it makes a fresh cell from
// the configuration then in force, so restarting it applies a new config.
type CellSlot struct {
	configs *Configs
	board   *boards.Descriptor
	log     *slog.Logger
	newCell func(*config.Config, *boards.Descriptor, *slog.Logger) supervisor.Service

	mu   sync.Mutex
	cur  supervisor.Service
	base uint64 // frames of previous incarnations
}

// Name implements supervisor.Service.
func (c *CellSlot) Name() string { return "cell" }

// Serve implements supervisor.Service.
func (c *CellSlot) Serve(ctx context.Context) error {
	svc := c.newCell(c.configs.Current(), c.board, c.log)
	c.mu.Lock()
	if c.cur != nil {
		c.base += framesOf(c.cur)
	}
	c.cur = svc
	c.mu.Unlock()
	return svc.Serve(ctx)
}

// Frames is the TDMA frame count over all incarnations.
func (c *CellSlot) Frames() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base + framesOf(c.cur)
}

func framesOf(s supervisor.Service) uint64 {
	if f, ok := s.(interface{ Frames() uint64 }); ok {
		return f.Frames()
	}
	return 0
}

// serviceState returns the state of the named service.
func serviceState(sup *supervisor.Supervisor, name string) supervisor.State {
	for _, st := range sup.Status() {
		if st.Name == name {
			return st.State
		}
	}
	return ""
}

func (c *CellSlot) advancing() func() error {
	check := watchdog.Advancing(c.Frames)
	return func() error {
		c.mu.Lock()
		_, counts := c.cur.(interface{ Frames() uint64 })
		c.mu.Unlock()
		if !counts {
			return nil // the cell reports no TDMA clock; nothing to watch
		}
		return check()
	}
}

// statusService writes the status file every few seconds and moves the
// LEDs from "booting" to "on air" (or "error") as the cell runs.
type statusService struct {
	path      string
	snapshot  func() status.Snapshot
	clock     clock.Clock
	cell      *CellSlot
	player    *leds.Player
	txAllowed bool
}

func (s *statusService) Name() string { return "status" }

func (s *statusService) Serve(ctx context.Context) error {
	var last uint64
	shown := ""
	for {
		snap := s.snapshot()
		if err := status.Write(s.path, snap); err != nil {
			return err
		}
		want := leds.Booting
		switch {
		case !s.txAllowed || snap.Health != "ok":
			want = leds.Error
		case snap.Frames > last:
			want = leds.OnAir
		}
		last = snap.Frames
		if want.Name != shown {
			s.player.Show(want)
			shown = want.Name
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.clock.After(2 * time.Second):
		}
	}
}

// shellService runs a debug shell on the console.
type shellService struct{ console string }

func (s *shellService) Name() string { return "shell" }

func (s *shellService) Serve(ctx context.Context) error {
	tty, err := os.OpenFile(s.console, os.O_RDWR, 0)
	if err != nil {
		return supervisor.DoNotRestart(err)
	}
	defer tty.Close()
	cmd := exec.CommandContext(ctx, "/bin/sh")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.Env = append(os.Environ(), "PATH=/bin", "HOME=/tmp")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	err = cmd.Run()
	if ctx.Err() != nil {
		return nil
	}
	if err == nil || errors.Is(err, syscall.ECHILD) {
		return errors.New("shell exited")
	}
	return err
}
