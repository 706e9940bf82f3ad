package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/console"
	"github.com/gsmbox/gsmbox/firmware/logbuf"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// simConsole runs `gsmbox sim --http`: the network as the appliance runs
// it (node.Service, paced to real time so a person can watch), restarted
// with each configuration the console applies, and the console beside
// it.
type simConsole struct {
	addr   string
	state  string // console state dir; "" makes a temporary one
	socket string // the API's Unix socket, "" for none
	phones int
	until  time.Duration // 0: until interrupted
}

func runSimConsole(ctx context.Context, o simConsole, h *hostSetup, verbose bool, stdout, stderr io.Writer) error {
	if o.until > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.until)
		defer cancel()
	}
	if o.state == "" {
		dir, err := os.MkdirTemp("", "gsmbox-console-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.state = dir
	}
	level := h.cfg.LogLevel()
	if verbose {
		level = slog.LevelDebug
	}
	ring := logbuf.New(2000)
	log := slog.New(logbuf.NewHandler(ring, stderr, level))
	db := h.cfg.Subscribers.DB
	fixup := func(c *config.Config) { c.Subscribers.DB = db }

	restart := make(chan *config.Config, 1)
	cs, err := console.NewFileConfig(filepath.Join(o.state, "config"), h.board, h.cfg, nil, "the command line")
	if err != nil {
		return err
	}
	os.MkdirAll(cs.Dir, 0o700)
	cs.Fixup = fixup
	cs.Restart = func(c *config.Config) error {
		select {
		case <-restart:
		default:
		}
		restart <- c
		return nil
	}
	var cur atomic.Pointer[node.Service]
	var why atomic.Value
	why.Store("starting")
	hist := console.NewHistory(500)
	store := node.NewStore()
	defer store.Close()
	srv, err := console.New(console.Config{
		Host: console.Host{
			Version: version, Board: "sim", Started: time.Now(),
			Snapshot: func() node.Snapshot {
				if s := cur.Load(); s != nil {
					return s.Snapshot()
				}
				return node.Snapshot{}
			},
			OffAir: func() string { return why.Load().(string) },
			Registry: func() *registry.Registry {
				if s := cur.Load(); s != nil {
					return s.Registry()
				}
				return nil
			},
			SMS: func() console.SMSService { return nodeSMS(cur.Load()) },
			Scope: func() *trx.Scope {
				if s := cur.Load(); s != nil {
					return s.Scope()
				}
				return nil
			},
			Config: cs, Logs: ring, History: hist,
		},
		StateDir: o.state, Addr: o.addr, Socket: o.socket, Log: consoleLogger(log),
	})
	if err != nil {
		return err
	}
	sctx, stopConsole := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx) }()
	defer func() { stopConsole(); <-served }()
	select {
	case <-srv.Ready():
	case err := <-served:
		return err
	}
	fmt.Fprintf(stdout, "console: https://%s/ (certificate SHA-256 %s)\n", srv.Addr(), srv.Fingerprint())
	if !srv.Credentials().HasAdmin() {
		pw := randomPassword()
		if err := srv.Credentials().SetPassword(pw, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "console: log in as admin with password %s (made for this run; set your own with gsmbox console passwd --state DIR)\n", pw)
	}

	cfg := h.cfg
	for {
		svc := node.NewService(node.ServiceConfig{Config: cfg, Board: h.board, Log: log, Store: store, SimPhones: o.phones, OnResult: hist.Record})
		cur.Store(svc)
		why.Store("")
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- svc.Serve(rctx) }()
		select {
		case <-ctx.Done():
			cancel()
			<-done
			return nil
		case c := <-restart:
			why.Store("restarting with a new configuration")
			log.Info("configuration applied from the console; restarting the cell", "arfcn", c.Cell.ARFCN)
			cancel()
			<-done
			cfg = c
		case err := <-done:
			cancel()
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = errors.New("the cell stopped")
			}
			why.Store("stopped: " + err.Error())
			log.Error("cell stopped", "err", err)
			select {
			case <-ctx.Done():
				return nil
			case cfg = <-restart:
			}
		}
	}
}

// fixedConfig is the configuration of a command that cannot restart its
// cell with another (gsmbox bts): viewable and checkable, not applied.
type fixedConfig struct{ *console.FileConfig }

var errFixedConfig = errors.New("this command runs the configuration it was started with: change --config and restart it")

func (fixedConfig) Apply([]byte) error { return errFixedConfig }
func (fixedConfig) Revert() error      { return errFixedConfig }

// startHostConsole serves the console for a host command beside its
// node; stop ends it and waits.
func startHostConsole(addr, state, socket string, h *hostSetup, n *node.Node, log *slog.Logger, stdout io.Writer) (stop func(), err error) {
	var cleanup []func()
	if state == "" {
		dir, err := os.MkdirTemp("", "gsmbox-console-")
		if err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { os.RemoveAll(dir) })
		state = dir
	}
	fc, err := console.NewFileConfig("", h.board, h.cfg, nil, "the command line")
	if err != nil {
		return nil, err
	}
	srv, err := console.New(console.Config{
		Host: console.Host{Version: version, Board: "host", Started: time.Now(), Snapshot: n.Snapshot,
			Registry: n.Registry, Config: fixedConfig{fc}, SMS: func() console.SMSService { return smsOf(n) }},
		StateDir: state, Addr: addr, Socket: socket, Log: consoleLogger(log),
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	stop = func() {
		cancel()
		<-served
		for _, f := range cleanup {
			f()
		}
	}
	select {
	case <-srv.Ready():
	case err := <-served:
		return nil, err
	}
	fmt.Fprintf(stdout, "console: https://%s/ (certificate SHA-256 %s)\n", srv.Addr(), srv.Fingerprint())
	if !srv.Credentials().HasAdmin() {
		pw := randomPassword()
		if err := srv.Credentials().SetPassword(pw, time.Now()); err != nil {
			stop()
			return nil, err
		}
		fmt.Fprintf(stdout, "console: log in as admin with password %s (made for this run; set your own with gsmbox console passwd --state DIR)\n", pw)
	}
	return stop, nil
}

// nodeSMS is the SMS queue of a service's running node, or nil.
func nodeSMS(s *node.Service) console.SMSService {
	if s == nil {
		return nil
	}
	return smsOf(s.Node())
}

// smsOf is n's SMS queue for the console, or nil (no node, SMS off, or
// its loop stopped).
func smsOf(n *node.Node) console.SMSService {
	if n == nil || n.SMSStore() == nil || !n.Snapshot().Running {
		return nil
	}
	return n
}
