package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/storage"
	"github.com/gsmbox/gsmbox/firmware/usb"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

func init() {
	register(command{
		name:    "usb-apply",
		summary: "run the USB-stick workflow on a directory (a mounted stick), without a box",
		run:     runUSBApply,
	})
}

// runUSBApply runs exactly the appliance's USB workflow against a
// directory: it validates DIR/gsmbox.toml for the board, applies it to the
// data directory (-data, as the box's /perm) and writes
// DIR/gsmbox-report.txt. A technician uses it to check a stick on a laptop.
func runUSBApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("usb-apply", "", stderr)
	boardName := fs.String("board", "qemu-arm64", "board whose limits apply")
	data := fs.String("data", "", "data directory holding the configuration in force (default: a temporary one)")
	db := fs.String("db", "", "subscriber registry to import the stick's subscribers.csv into, as the box does (default: only check the file)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gsmbox usb-apply [-board NAME] [-data DIR] [-db FILE] STICKDIR")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	board, err := boards.Lookup(*boardName)
	if err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		if dir, err = os.MkdirTemp("", "gsmbox-data-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfgs := firmware.LoadConfigs(storage.Dir{Path: dir}, dir, board, log)
	a := &usb.Applier{
		Mounter: dirMounter{}, MountDir: fs.Arg(0), Board: board, Configs: cfgs,
		Status:  func() string { return "configuration in force: " + cfgs.Source() },
		Version: version, Log: log, Console: stdout,
	}
	a.ImportSubscribers = checkSubscribersCSV
	if *db != "" {
		sdb := node.NewStoreAt(*db, log)
		defer sdb.Close()
		a.ImportSubscribers = sdb.Import
	}
	res := a.Handle(ctx, fs.Arg(0))
	if res.Outcome == usb.Rejected || res.Outcome == usb.Failed {
		return fmt.Errorf("gsmbox.toml %s", res.Outcome)
	}
	if res.SubscribersErr != nil {
		return fmt.Errorf("subscribers.csv REJECTED: %w", res.SubscribersErr)
	}
	return nil
}

// checkSubscribersCSV is usb-apply's import without -db: it reads the
// file as the box would and imports nothing.
func checkSubscribersCSV(in io.Reader) (string, error) {
	rows, err := registry.ReadCSV(in)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("checked: %d subscribers, not imported (no -db)", len(rows)), nil
}

// dirMounter treats the directory as the already-mounted stick.
type dirMounter struct{}

func (dirMounter) Mount(dev, dir string) error { return nil }
func (dirMounter) Unmount(dir string) error    { return nil }
