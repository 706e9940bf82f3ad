package firmware

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"
)

// watchShutdownRequests is the first half of the shutdown concern: it
// calls stop on a reboot or power-off signal (`gsmbox reboot`, `gsmbox
// poweroff`), or on the test triggers of gsmbox.poweroff (a timer, the
// first USB stick handled). It returns the function that stops watching.
func (a *appliance) watchShutdownRequests(stop context.CancelFunc) (unwatch func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, RebootSignal, PowerOffSignal)
	cl := a.cmdline
	a.bg.run(func(ctx context.Context) {
		var after <-chan time.Time
		if cl.PowerOffAfter > 0 {
			after = a.clock.After(cl.PowerOffAfter)
		}
		var usbCh <-chan struct{}
		if cl.PowerOffOnUSB {
			usbCh = a.usbHandled
		}
		select {
		case <-ctx.Done():
			return
		case s := <-sigs:
			a.reboot.Store(s == RebootSignal)
			a.log.Info("shutdown requested", "signal", s)
		case <-after:
			a.log.Info("test power-off timer expired (gsmbox.poweroff)", "after", cl.PowerOffAfter)
		case <-usbCh:
			a.waitCellRestarted(ctx)
			a.log.Info("USB stick handled; powering off (gsmbox.poweroff=usb)")
		}
		stop()
	})
	return func() { signal.Stop(sigs) }
}

// shutdown is the rest, once every service has stopped: the radio goes
// safe first, then the data is made durable, then (as PID 1) the power
// goes off or the board reboots. Off a board it returns nil.
func (a *appliance) shutdown() error {
	rfShutdown(a.fe, a.log)
	rfShutdown(a.radioFE.Load(), a.log)
	a.log.Info("services stopped; syncing")
	a.closeStorage()
	if !a.pid1 {
		return nil
	}
	if a.reboot.Load() {
		fmt.Fprintln(a.console, "gsmbox: rebooting")
		return a.opts.Power.Reboot()
	}
	fmt.Fprintln(a.console, "gsmbox: powering off")
	return a.opts.Power.PowerOff()
}

// waitCellRestarted is gsmbox.poweroff=usb's (a test's) wait for the
// configuration a stick applied to be on air: when the stick restarted
// the cell, the power goes off once the new cell has run a hundred
// frames, or after 30 s at most.
func (a *appliance) waitCellRestarted(ctx context.Context) {
	want := 1 + a.cellRestarts.Load()
	if want == 1 || a.cell == nil {
		return
	}
	deadline := a.clock.After(30 * time.Second)
	for !a.cell.onAirSince(want, 100) {
		select {
		case <-ctx.Done():
			return
		case <-deadline:
			a.log.Warn("the restarted cell did not come on air in 30 s; powering off anyway")
			return
		case <-a.clock.After(100 * time.Millisecond):
		}
	}
}
