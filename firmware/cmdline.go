package firmware

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
)

// Cmdline holds the gsmbox.* kernel command-line flags.
//
//	gsmbox.board=NAME         the board (also in /etc/gsmbox/board)
//	gsmbox.shell=1            start a debug shell (/bin/sh) on the console
//	gsmbox.poweroff=usb,90s   test only: power off after the first USB stick
//	                          is handled, or 90 s after the services start,
//	                          whichever comes first (either part optional)
//	gsmbox.watchdog=10s       override the board's watchdog timeout
//	gsmbox.test.unhealthy=1   test only: add a health check that always
//	                          fails, to prove the watchdog resets the box
//	gsmbox.usbpoll=60s        how often to look for USB sticks besides the
//	                          kernel's uevents (default 2s; a test lengthens
//	                          it to prove the uevent path alone)
//	gsmbox.simphones=N        on the sim front end, run N virtual phones
//	gsmbox.simsms=M           and each sends M text messages per start of the cell
//	                          (0..1000) on the simulated air, provisioned
//	                          so they authenticate and cipher; overrides
//	                          the config's [sim] phones
type Cmdline struct {
	Board           string
	Shell           bool
	PowerOffOnUSB   bool
	PowerOffAfter   time.Duration
	WatchdogTimeout time.Duration
	TestUnhealthy   bool
	USBPoll         time.Duration
	SimPhones       int
	SimSMS          int
}

// ParseCmdline reads the flags from /proc/cmdline's text. Unknown or
// malformed gsmbox.* values are returned as warnings, never fatal.
func ParseCmdline(s string) (Cmdline, []string) {
	var c Cmdline
	var warn []string
	for _, f := range strings.Fields(s) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "gsmbox.board":
			c.Board = v
		case "gsmbox.shell":
			c.Shell = v == "1" || v == "true" || v == ""
		case "gsmbox.poweroff":
			for _, p := range strings.Split(v, ",") {
				if p == "usb" {
					c.PowerOffOnUSB = true
				} else if d, err := time.ParseDuration(p); err == nil && d > 0 {
					c.PowerOffAfter = d
				} else {
					warn = append(warn, "gsmbox.poweroff: cannot use "+p)
				}
			}
		case "gsmbox.watchdog":
			if d, err := time.ParseDuration(v); err == nil && d >= time.Second {
				c.WatchdogTimeout = d
			} else {
				warn = append(warn, "gsmbox.watchdog: cannot use "+v)
			}
		case "gsmbox.test.unhealthy":
			c.TestUnhealthy = v == "1"
		case "gsmbox.usbpoll":
			if d, err := time.ParseDuration(v); err == nil && d >= 100*time.Millisecond {
				c.USBPoll = d
			} else {
				warn = append(warn, "gsmbox.usbpoll: cannot use "+v)
			}
		case "gsmbox.simphones":
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= config.MaxSimPhones {
				c.SimPhones = n
			} else {
				warn = append(warn, "gsmbox.simphones: cannot use "+v)
			}
		case "gsmbox.simsms":
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= config.MaxSimSMS {
				c.SimSMS = n
			} else {
				warn = append(warn, "gsmbox.simsms: cannot use "+v)
			}
		default:
			if strings.HasPrefix(k, "gsmbox.") {
				warn = append(warn, "unknown flag "+k)
			}
		}
	}
	return c, warn
}

// applySimPhones returns newCell with gsmbox.simphones and gsmbox.simsms
// applied: the cell is made with a copy of the configuration whose [sim]
// phones and sms the command line overrides. Without the flag it returns newCell.
func (c Cmdline) applySimPhones(newCell func(*config.Config, *boards.Descriptor, *slog.Logger) Cell) func(*config.Config, *boards.Descriptor, *slog.Logger) Cell {
	if c.SimPhones <= 0 && c.SimSMS <= 0 || newCell == nil {
		return newCell
	}
	n, m := c.SimPhones, c.SimSMS
	return func(cfg *config.Config, board *boards.Descriptor, log *slog.Logger) Cell {
		cp := *cfg
		if n > 0 {
			cp.Sim.Phones = n
		}
		if m > 0 {
			cp.Sim.SMS = m
		}
		return newCell(&cp, board, log)
	}
}
