package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
)

// hostOptions are the flags the commands that run on a host rather than a
// board (sim, bts, trx) share.
type hostOptions struct {
	name    string  // the command, for messages and temporary files
	config  string  // --config; "" runs the built-in test network
	gsmtap  string  // --gsmtap HOST:PORT overrides [gsmtap]
	snr     float64 // --snr overrides sim.snr_db when not 0
	db      string  // --db names the registry file
	tempDB  bool    // without --db, give the registry a temporary file
	verbose bool    // -v
}

// hostSetup is a host command's configuration, validated against the
// simulated board, with its logger and GSMTAP sender. Close undoes it.
type hostSetup struct {
	board   *boards.Descriptor
	cfg     *config.Config
	log     *slog.Logger
	tap     *gsmtap.Sender // nil unless GSMTAP is on
	cleanup []func()
}

func setupHost(o hostOptions, stdout, stderr io.Writer) (*hostSetup, error) {
	h := &hostSetup{}
	var err error
	if h.board, err = boards.Lookup("sim"); err != nil {
		return nil, err
	}
	if o.config == "" {
		h.cfg = config.Default()
		fmt.Fprintf(stdout, "gsmbox %s: no --config given; running the built-in test network (MCC 001, MNC 01)\n", o.name)
	} else if h.cfg, err = config.Load(o.config, h.board); err != nil {
		return nil, err
	}
	if o.snr != 0 {
		h.cfg.Sim.SNRdB = o.snr
	}
	if o.gsmtap != "" {
		h.cfg.GSMTAP.Enabled, h.cfg.GSMTAP.Remote = true, o.gsmtap
	}
	switch {
	case o.db != "":
		h.cfg.Subscribers.DB = o.db
	case o.tempDB:
		dir, err := os.MkdirTemp("", "gsmbox-"+o.name+"-")
		if err != nil {
			return nil, err
		}
		h.cleanup = append(h.cleanup, func() { os.RemoveAll(dir) })
		h.cfg.Subscribers.DB = filepath.Join(dir, "subscribers.db")
		h.cfg.Calls.CDR = filepath.Join(dir, "cdr.log")
	}
	if err := h.cfg.Validate(h.board); err != nil {
		h.Close()
		return nil, err
	}
	level := h.cfg.LogLevel()
	if o.verbose {
		level = slog.LevelDebug
	}
	h.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if h.cfg.GSMTAP.Enabled {
		if h.tap, err = gsmtap.Dial(h.cfg.GSMTAP.Remote); err != nil {
			h.Close()
			return nil, err
		}
		h.cleanup = append(h.cleanup, func() { h.tap.Close() })
		fmt.Fprintf(stdout, "mirroring GSMTAP to %s\n", h.cfg.GSMTAP.Remote)
	}
	return h, nil
}

// Close closes the GSMTAP sender and removes temporary files.
func (h *hostSetup) Close() {
	for i := len(h.cleanup) - 1; i >= 0; i-- {
		h.cleanup[i]()
	}
	h.cleanup = nil
}

// createPcap opens a pcap file for --pcap; with path "" it returns nil
// and a no-op close.
func createPcap(path string) (*gsmtap.PcapWriter, func() error, error) {
	if path == "" {
		return nil, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	pw, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return pw, f.Close, nil
}
