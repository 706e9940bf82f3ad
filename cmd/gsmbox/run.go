package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
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
			return signalInit(firmware.RebootSignal)
		},
	})
	register(command{
		name:    "poweroff",
		summary: "ask the appliance supervisor (PID 1) to stop the services and power off",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return signalInit(firmware.PowerOffSignal)
		},
	})
}

func runSupervisor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "", stderr)
	if os.Getpid() != 1 {
		if err := fs.Parse(args); err != nil {
			return err
		}
	}
	subscribers := node.NewStore()
	var cell atomic.Pointer[node.Service]
	hist := console.NewHistory(500)
	return firmware.Run(ctx, firmware.Options{
		Version: version,
		Console: stdout,
		NewCell: func(cfg *config.Config, board *boards.Descriptor, log *slog.Logger) supervisor.Service {
			s := node.NewService(node.ServiceConfig{Config: cfg, Board: board, Log: log, Store: subscribers, OnResult: hist.Record})
			cell.Store(s)
			return s
		},
		NewConsole: func(env firmware.ConsoleEnv) (supervisor.Service, func(string) error, func() string) {
			return newApplianceConsole(env, &cell, hist, stdout)
		},
		ImportSubscribers: subscribers.Import,
		RFOpener:          func() (rf.Opener, error) { return rfhost.New() },
	})
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("status", "", stderr)
	path := fs.String("file", status.DefaultPath, "status file the supervisor writes (read when the console's API cannot be reached)")
	u := fs.String("url", os.Getenv("GSMBOX_URL"), "ask the console at this URL (https://…) instead of the local socket")
	tok := fs.String("token", os.Getenv("GSMBOX_TOKEN"), "API token (read scope) for --url")
	sock := fs.String("socket", firmware.ConsoleSocket, "the console's local socket")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	if err := fs.Parse(args); err != nil {
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

func signalInit(sig syscall.Signal) error {
	if err := syscall.Kill(1, sig); err != nil {
		return fmt.Errorf("signal PID 1 (%s): %w", strconv.Itoa(int(sig)), err)
	}
	return nil
}
