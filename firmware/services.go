package firmware

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/leds"
	"github.com/gsmbox/gsmbox/firmware/logbuf"
	"github.com/gsmbox/gsmbox/firmware/status"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/firmware/usb"
	"github.com/gsmbox/gsmbox/firmware/watchdog"
	"periph.io/x/conn/v3/gpio"
)

// addServices is the third concern: the supervisor and its services, in
// the order they depend on one another. The LEDs and the log persister
// come first; a board with a hardware front end brings it up before the
// cell; the USB workflow, the status file, the watchdog and the debug
// shell follow.
func (a *appliance) addServices() {
	a.sup = supervisor.New(a.clock, a.log, supervisor.DefaultPolicy)
	a.disk.configs.SetRestart(func(service string) error {
		if service == "cell" {
			a.cellRestarts.Add(1)
		}
		return a.sup.Restart(service)
	})
	a.lastUSB.Store("")
	a.usbHandled = make(chan struct{}, 1)

	green, red := a.ledPins()
	ledLog := a.log // no LEDs: show the patterns as log lines
	if green != nil || red != nil {
		ledLog = nil
	}
	a.player = leds.NewPlayer(green, red, a.clock, ledLog)
	a.sup.Add(a.player, false)
	a.sup.Add(&logbuf.Persister{Ring: a.ring, Store: a.disk.store, Clock: a.clock, Interval: 30 * time.Second}, false)

	a.addNet()
	a.addRF()
	a.cell = &CellSlot{configs: a.disk.configs, board: a.board, log: a.log, newCell: a.cmdline.applySimPhones(a.opts.NewCell)}
	if a.radioOpener != nil {
		a.cell.radio = a.radio
	}
	if a.txAllowed() && a.opts.NewCell != nil {
		a.sup.Add(a.cell, true)
	} else {
		a.player.Show(leds.Error)
	}
	setPassword, fingerprint := a.addConsole()
	a.consoleFP = fingerprint
	a.addUSB(setPassword, fingerprint)
	statusPath := a.opts.StatusPath
	if statusPath == "" {
		statusPath = status.DefaultPath
	}
	a.sup.Add(&statusService{path: statusPath, snapshot: a.snapshot, net: a.netStatus, clock: a.clock, player: a.player, txAllowed: a.txAllowed()}, false)
	a.addWatchdog()
	if a.cmdline.Shell && a.pid1 {
		tty := "/dev/console"
		if a.board.Console != "" {
			tty = "/dev/" + strings.Split(a.board.Console, ",")[0]
		}
		a.sup.Add(&shellService{console: tty}, false)
	}
}

// ledPins opens the status LEDs named by the board (led.green, led.red)
// through the board's opener, the one the RF front end uses. Either is
// nil when absent or when it cannot be opened.
func (a *appliance) ledPins() (green, red gpio.PinOut) {
	gn, rn := a.board.Pins["led.green"], a.board.Pins["led.red"]
	if gn == "" && rn == "" {
		return nil, nil
	}
	op, err := a.pins.get()
	if err != nil {
		a.log.Warn("no GPIO; LEDs off", "err", err)
		return nil, nil
	}
	open := func(role, name string) gpio.PinOut {
		if name == "" {
			return nil
		}
		p, err := op.Pin(name)
		if err != nil {
			a.log.Warn("LED off", "led", role, "err", err)
			return nil
		}
		return p
	}
	return open("green", gn), open("red", rn)
}

// addRF brings up a board's hardware front end before the cell: the
// interlock runs as a critical service, and putting the front end in its
// safe state is the supervisor's last act, even on a panic (see Run). A
// front end that does not come up keeps the transmitter off.
func (a *appliance) addRF() {
	if !a.txAllowed() || a.board.RF.Chain == nil {
		return
	}
	op, err := a.pins.get()
	if errors.Is(err, errNoOpener) {
		err = fmt.Errorf("this build cannot open the RF front end %s", a.board.RF.Chain.Name)
	}
	if err == nil && usbRadio(a.board.RF.Chain) {
		// The radio is on USB: the cell brings it up at each start
		// (and again after an unplug), so nothing holds the device
		// here. The cell runs the interlock's poll while it runs.
		a.radioOpener = op
		return
	}
	if err == nil {
		a.fe, err = bringUpRF(a.board, a.disk.configs.Current(), op, a.log)
	}
	if err != nil {
		a.txErr = fmt.Errorf("RF front end did not come up: %w", err)
		a.log.Error("TRANSMITTER DISABLED", "err", a.txErr)
		return
	}
	a.sup.Add(rfService{a.fe}, true)
}

// addUSB adds the USB stick workflow (configuration, subscribers, status
// report) and its detector.
func (a *appliance) addUSB(setConsolePassword func(string) error, consoleFingerprint func() string) {
	sysFS := a.opts.Sys
	if sysFS == nil {
		sysFS = os.DirFS("/sys")
	}
	usbPoll := 2 * time.Second
	if a.cmdline.USBPoll > 0 {
		usbPoll = a.cmdline.USBPoll
	}
	var mounter usb.Mounter = usb.FAT{}
	mountDir, deviceWait := USBDir, 5*time.Second
	if a.opts.USBMounter != nil {
		mounter, deviceWait = a.opts.USBMounter, 0
		if a.opts.USBDir != "" {
			mountDir = a.opts.USBDir
		}
	}
	applier := &usb.Applier{
		Mounter: mounter, MountDir: mountDir, Board: a.board, Configs: a.disk.configs, LEDs: a.player,
		Status: a.usbStatus, Version: a.opts.Version,
		ImportSubscribers:  a.opts.ImportSubscribers,
		SetConsolePassword: setConsolePassword, ConsoleFingerprint: consoleFingerprint,
		ConsoleURLs: func() []string {
			return lan.ConsoleURLs(a.disk.configs.Current().Console.Listen, a.netStatus().IP())
		},
		Log: a.log, Console: a.console, ShowFor: 30 * time.Second,
	}
	a.sup.Add(&usb.Service{
		Detector: &usb.Detector{Sys: sysFS}, Applier: applier, Clock: a.clock,
		Poll: usbPoll, Uevents: a.pid1, Log: a.log, DeviceWait: deviceWait,
		Handled: func(r usb.Result) {
			a.lastUSB.Store(fmt.Sprintf("%s %s (%d changes, %d errors)", r.Device, r.Outcome, len(r.Changes), len(r.Problems)))
			select {
			case a.usbHandled <- struct{}{}:
			default:
			}
		},
	}, false)
}

// addWatchdog arms the board's hardware watchdog (PID 1 only) with the
// health checks that must pass for it to be fed.
func (a *appliance) addWatchdog() {
	if a.board.Watchdog == "" || !a.pid1 {
		return
	}
	t := time.Duration(a.board.WatchdogTimeoutSec) * time.Second
	if a.cmdline.WatchdogTimeout > 0 {
		t = a.cmdline.WatchdogTimeout
	}
	dev, err := watchdog.Open(a.board.Watchdog, t)
	if err != nil {
		a.log.Warn("no hardware watchdog", "err", err)
		return
	}
	checks := []watchdog.Check{
		{Name: "services", Fn: a.sup.Healthy},
		{Name: "storage", Fn: watchdog.Every(a.clock, time.Minute, a.disk.store.Check)},
	}
	if a.txAllowed() {
		// The TDMA clock must advance while the cell runs. A cell that
		// stopped for good (a front end this build cannot drive, a
		// config it refuses) shows as an error in status and on the
		// LEDs; starving the watchdog would only reboot the box into the
		// same state.
		advancing := a.cell.advancing()
		checks = append(checks, watchdog.Check{Name: "tdma clock", Fn: func() error {
			if serviceState(a.sup, "cell") == supervisor.Stopped {
				return nil
			}
			return advancing()
		}})
	}
	if a.cmdline.TestUnhealthy {
		checks = append(checks, watchdog.Check{Name: "test (gsmbox.test.unhealthy)", Fn: func() error {
			return errors.New("always failing, on request")
		}})
	}
	a.closers = append(a.closers, dev.Close)
	f := &watchdog.Feeder{Dev: dev, Clock: a.clock, Interval: t / 4, Checks: checks, Log: a.log}
	a.feeder.Store(f)
	a.sup.Add(f, false)
	a.log.Info("hardware watchdog armed", "device", a.board.Watchdog, "timeout", t)
}

// closeDevices closes what the services opened for Run's whole life (the
// watchdog device), last opened first.
func (a *appliance) closeDevices() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// serve runs the supervisor until ctx ends and every service has stopped.
// Once the services are up (or after 2 s) it logs which started.
func (a *appliance) serve(ctx context.Context) {
	done := make(chan struct{})
	go func() { a.sup.Serve(ctx); close(done) }()
	names := []string{}
wait:
	for deadline := a.clock.Now().Add(2 * time.Second); a.clock.Now().Before(deadline); {
		names = names[:0]
		for _, s := range a.sup.Status() {
			if s.State != supervisor.Pending {
				names = append(names, s.Name)
			}
		}
		if len(names) == len(a.sup.Status()) {
			break
		}
		select {
		case <-done:
			break wait
		case <-a.clock.After(5 * time.Millisecond):
		}
	}
	a.log.Info("services started", "services", strings.Join(names, ","), "uptime", a.uptime())
	<-done
}
