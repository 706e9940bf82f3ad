package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/rfhost"
	"github.com/gsmbox/gsmbox/firmware"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/console"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/status"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
)

// version is set by the image builder (-ldflags -X main.version=…).
var version = "dev"

func init() {
	register(command{
		name:    "run",
		summary: "the appliance supervisor (what runs as init on a board)",
		run:     runSupervisor,
	})
	register(command{
		name:    "status",
		summary: "print the running appliance's status",
		run:     runStatus,
	})
	register(command{
		name:    "reboot",
		summary: "ask the appliance supervisor (PID 1) to stop the services and reboot",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return runSignal("reboot", rebootUsage, firmware.RebootSignal, args, stderr)
		},
	})
	register(command{
		name:    "poweroff",
		summary: "ask the appliance supervisor (PID 1) to stop the services and power off",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return runSignal("poweroff", poweroffUsage, firmware.PowerOffSignal, args, stderr)
		},
	})
}

const runUsage = `Usage: gsmbox run

The appliance supervisor: what the binary runs as PID 1 on a board (or
when started as init or uinit). It mounts the essential file systems,
finds the board, loads the configuration in force from the data
partition (or the boot partition's shipped default), opens the
subscriber registry (restoring its newest good backup if the file is
damaged), brings up the RF front end and the cell, watches for USB
sticks with gsmbox.toml or subscribers.csv, writes the status file
("gsmbox status" reads it) and handles reboot and power-off requests
("gsmbox reboot", "gsmbox poweroff"). It takes no flags; the board's
kernel command line (gsmbox.* flags) and the data partition configure it.
See docs/appliance.md.
`

const rebootUsage = `Usage: gsmbox reboot

Asks the appliance supervisor (PID 1) to stop the services, make the
radio safe and the data durable, and reboot. Takes no flags.
`

const poweroffUsage = `Usage: gsmbox poweroff

Asks the appliance supervisor (PID 1) to stop the services, make the
radio safe and the data durable, and power off. Takes no flags.
`

func runSupervisor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if os.Getpid() != 1 {
		fs := newFlagSet("run", runUsage, stderr)
		fs.Usage = func() { fmt.Fprint(stderr, runUsage) }
		if help, err := parseFlags(fs, args); help || err != nil {
			return err
		}
		if fs.NArg() > 0 {
			fs.Usage()
			return fmt.Errorf("run: unexpected argument %q", fs.Arg(0))
		}
	}
	subscribers := node.NewStore()
	var cell atomic.Pointer[node.Service]
	hist := console.NewHistory(500)
	return firmware.Run(ctx, firmware.Options{
		Version: version,
		Console: stdout,
		NewCell: func(cfg *config.Config, board *boards.Descriptor, log *slog.Logger) firmware.Cell {
			s := node.NewService(node.ServiceConfig{Config: cfg, Board: board, Log: log, Store: subscribers, OnResult: hist.Record})
			cell.Store(s)
			return s
		},
		NewConsole: func(env firmware.ConsoleEnv) (supervisor.Service, func(string) error, func() string) {
			return newApplianceConsole(env, &cell, hist, stdout)
		},
		ImportSubscribers: subscribers.Import,
		RegistryReport: func() string {
			if r := subscribers.Recovery(); r != nil {
				return r.String()
			}
			return ""
		},
		RFOpener: func() (rf.Opener, error) { return rfhost.New() },
	})
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("status", "Usage: gsmbox status [flags]\n\nPrints the running appliance's status: from its console's API (the local\nsocket on the box, or --url), else from the status file the supervisor\nwrites.\n\nFlags:\n", stderr)
	path := fs.String("file", status.DefaultPath, "status file the supervisor writes (read when the console's API cannot be reached)")
	u := stringFlag(fs, "url", os.Getenv("GSMBOX_URL"), "ask the console at this URL (https://…) instead of the local socket", optional(func(v string) error {
		if !strings.HasPrefix(v, "https://") || len(v) > 2048 {
			return fmt.Errorf("%q: want an https:// URL", v)
		}
		return nil
	}))
	tok := fs.String("token", os.Getenv("GSMBOX_TOKEN"), "API token (read scope) for --url")
	sock := fs.String("socket", firmware.ConsoleSocket, "the console's local socket")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	// One source of truth: the running box's API, over the local socket
	// on the box or --url from elsewhere; the status file is the
	// fallback when the console is not running.
	if *u != "" || fileExists(*sock) {
		c, err := newAPIClient(*u, *tok, *sock, "")
		if err != nil {
			return err
		}
		var st console.Status
		if err := c.do(ctx, "GET", "/api/status", nil, &st); err == nil {
			return printStatus(stdout, &st, *asJSON)
		} else if *u != "" {
			return err
		}
	}
	s, err := status.Read(*path)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, s)
	return nil
}

// runSignal is reboot and poweroff: -h prints the usage, and nothing is
// signalled unless the command line is empty.
func runSignal(name, usage string, sig syscall.Signal, args []string, stderr io.Writer) error {
	fs := newFlagSet(name, usage, stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return signalInit(sig)
}

func signalInit(sig syscall.Signal) error {
	if err := syscall.Kill(1, sig); err != nil {
		return fmt.Errorf("signal PID 1 (%s): %w", strconv.Itoa(int(sig)), err)
	}
	return nil
}
