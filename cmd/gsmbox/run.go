package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"syscall"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/rfhost"
	"github.com/gsmbox/gsmbox/firmware"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/status"
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
	return firmware.Run(ctx, firmware.Options{
		Version: version,
		Console: stdout,
		NewCell: func(cfg *config.Config, board *boards.Descriptor, log *slog.Logger) firmware.Cell {
			return node.NewService(node.ServiceConfig{Config: cfg, Board: board, Log: log, Store: subscribers})
		},
		ImportSubscribers: subscribers.Import,
		RFOpener:          func() (rf.Opener, error) { return rfhost.New() },
	})
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("status", "", stderr)
	path := fs.String("file", status.DefaultPath, "status file the supervisor writes")
	if err := fs.Parse(args); err != nil {
		return err
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
