package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/cdr"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/core/trunk"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto/trxclient"
)

// Config configures a Node.
type Config struct {
	// Config is the network's validated configuration.
	Config *config.Config
	// Log receives the cell's and the core's events; nil discards them.
	Log *slog.Logger
	// Tap, when not nil, mirrors every block as GSMTAP.
	Tap *gsmtap.Sender
	// Registry is the subscriber registry the core uses. When nil the
	// node opens Config.Subscribers.DB itself and Close closes it; give a
	// Store's registry when something else (the USB workflow) shares the
	// file.
	Registry *registry.Registry
	// Clock paces the cell loop to real time: frame n is not produced
	// before the loop's start plus n frames. Nil runs it free, as fast as
	// the PHY allows (virtual time on the simulated air, or a PHY that
	// keeps time itself, such as a transceiver's IND CLOCK).
	Clock clock.Clock
	// StreamPaced says the PHY keeps time itself (a board's sample
	// stream, whose RX reads block until the board has the samples):
	// Clock is then only the core's clock and does not pace the loop, so
	// the host clock's drift against the board's sample clock cannot eat
	// the TX lead.
	StreamPaced bool
	// VirtualTime runs the core in the cell loop's virtual time: after
	// every frame the core is stepped to Epoch plus the frames run, with
	// the registry's lookups and writes made inside that step, in order,
	// so a simulation is deterministic for its seed. Without it the core
	// runs on its own goroutine on Clock (the system clock when nil),
	// with the registry on a worker goroutine of its own: nothing the
	// registry does (an fsync, a network round trip) holds up the loop.
	VirtualTime bool
	// Epoch is the time of the first frame, from which the core's timers
	// count in virtual time; zero means the clock's Now (time.Now
	// without a clock).
	Epoch time.Time
	// Frames stops the loop after that many frames; 0 runs until the
	// context ends or the PHY closes.
	Frames int64
	// OnFrame, when not nil, is called on the loop after every frame with
	// the number of frames done. It must not block. ErrStop ends the loop
	// without an error; any other error ends it with that error.
	OnFrame func(frames int64) error
	// InboxSize is the inbox's capacity in commands (default 256).
	InboxSize int
	// CDR receives the call detail records. When nil the node opens
	// Config.Calls.CDR (if set) and Close closes it; a log that cannot
	// be opened is reported and calls run without records.
	CDR core.CDRSink
	// OnCall, when not nil, is called on the loop with every call's
	// outcome when it ends. It must not block.
	OnCall func(core.CallResult)
	// OnResult, when not nil, gets the outcome of every finished
	// connection (location update, detach, CM service) from the core's
	// goroutine (the loop's in virtual time): the console's history. It
	// must not block.
	OnResult func(mm.Result)
}

// ErrStop, returned by Config.OnFrame, ends the loop normally.
var ErrStop = errors.New("node: stop")

// snapshotEvery is how often the loop publishes a Snapshot, in frames
// (about 60 ms): often enough for status, the console and the watchdog,
// rarely enough that copying the counters costs nothing.
const snapshotEvery = 13

// inboxBudget is how many commands the loop runs per frame at most, so
// that a flood of commands cannot stretch one frame.
const inboxBudget = 8

// Node is one network: the cell of its carrier, the core network above
// it and the subscriber registry under it. Serve runs the cell loop, the
// only goroutine that touches the cell and the core; Send, Do and
// Snapshot are safe from any goroutine.
type Node struct {
	cfg   Config
	log   *slog.Logger
	cell  *bts.Cell
	core  *core.Network
	reg   *registry.Registry
	db    *registry.DB // opened by the node, or nil
	cdr   *cdr.Log     // opened by the node, or nil
	sms   *smsc.Store  // the SMS queue, or nil (sms.go)
	l1cfg l1.Config
	epoch time.Time

	inbox   chan Command
	sent    atomic.Uint64
	full    atomic.Uint64
	done    atomic.Uint64
	frames  atomic.Uint64
	running atomic.Bool
	snap    atomic.Pointer[Snapshot]
	fn      atomic.Uint32                    // the frame being run
	trunks  *trunk.Group                     // the SIP trunks, or nil (trunk.go)
	trx     atomic.Pointer[trxclient.Client] // the external transceiver, or nil (trx.go)
}

// New builds the network of cfg.Config: it opens the registry unless
// given one, and builds the cell and the core.
func New(cfg Config) (*Node, error) {
	if cfg.Config == nil {
		return nil, fmt.Errorf("%w: no configuration", ErrConfig)
	}
	if cfg.InboxSize == 0 {
		cfg.InboxSize = 256
	}
	if cfg.InboxSize < 1 {
		return nil, fmt.Errorf("%w: inbox of %d commands", ErrConfig, cfg.InboxSize)
	}
	n := &Node{cfg: cfg, log: cfg.Log, reg: cfg.Registry, inbox: make(chan Command, cfg.InboxSize)}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.reg == nil {
		// A damaged file is quarantined and the newest good backup
		// restored, so that a power cut that tore the file does not
		// keep the network down (registry.Options.Recover).
		db, err := registry.Open(cfg.Config.Subscribers.DB, &registry.Options{Recover: true, Log: n.log})
		if err != nil {
			return nil, err
		}
		if rec := db.Recovery(); rec != nil {
			n.log.Error("subscriber registry was damaged and has been recovered", "report", rec.String())
		}
		reg, err := registry.New(registry.Config{Store: db, Policy: cfg.Config.Policy(), Log: cfg.Log})
		if err != nil {
			db.Close()
			return nil, err
		}
		n.db, n.reg = db, reg
	}
	epoch := cfg.Epoch
	if epoch.IsZero() {
		if cfg.Clock != nil {
			epoch = cfg.Clock.Now()
		} else {
			epoch = time.Now()
		}
	}
	n.epoch = epoch
	var clk core.Clock
	if cfg.Clock != nil {
		clk = cfg.Clock
	}
	if cfg.CDR == nil && cfg.Config.Calls.CDR != "" {
		l, rec, err := cdr.Open(cfg.Config.Calls.CDR)
		if err != nil {
			n.log.Error("call detail records cannot be kept", "path", cfg.Config.Calls.CDR, "err", err)
		} else {
			if rec.TornBytes > 0 || rec.Damaged > 0 {
				n.log.Warn("call detail record log repaired", "torn_bytes", rec.TornBytes, "damaged", rec.Damaged)
			}
			n.cdr, cfg.CDR = l, l
		}
	}
	if err := n.openSMS(); err != nil {
		n.Close()
		return nil, err
	}
	trunks, err := buildTrunks(cfg.Config, n.log)
	if err != nil {
		n.Close()
		return nil, err
	}
	var tr core.Trunk
	if trunks != nil {
		tr = trunks
	}
	cell, net, err := buildNetwork(cfg.Config, cfg.Log, cfg.Tap, n.reg, clk, cfg.VirtualTime, cfg.CDR, cfg.OnCall, cfg.OnResult, n.smsConfig(), tr, n.slotSwitched)
	if err != nil {
		if trunks != nil {
			for _, t := range trunks.Trunks() {
				t.Close()
			}
		}
		n.Close()
		return nil, err
	}
	if trunks != nil {
		trunks.SetEvents(net)
		n.trunks = trunks
	}
	n.cell, n.core, n.l1cfg = cell, net, cell.L1Config()
	n.publish(0)
	return n, nil
}

// Close closes the subscriber registry, if the node opened it. Call it
// after Serve has returned.
func (n *Node) Close() error {
	if n.cdr != nil {
		n.cdr.Close()
		n.cdr = nil
	}
	n.closeSMS()
	if n.db == nil {
		return nil
	}
	err := n.db.Close()
	n.db = nil
	return err
}

// Registry returns the subscriber registry (safe from any goroutine).
func (n *Node) Registry() *registry.Registry { return n.reg }

// L1Config returns the carrier's layer-1 layout.
func (n *Node) L1Config() l1.Config { return n.l1cfg }

// Frames returns how many frames the loop has run: the TDMA clock.
func (n *Node) Frames() uint64 { return n.frames.Load() }

// Serve runs the cell loop on c until ctx ends, c closes, Config.Frames
// are done or OnFrame says stop. Per frame: the PHY's next frame number,
// then up to inboxBudget commands, the cell's downlink to the PHY, the
// PHY's uplink into the cell, and the pacing. Serve returns nil when it
// stopped for one of those reasons, the PHY's error otherwise. Call it
// once at a time.
func (n *Node) Serve(ctx context.Context, c phy.Carrier) error {
	n.running.Store(true)
	defer func() {
		n.running.Store(false)
		n.publish(n.lastFN())
	}()
	if n.trunks != nil {
		// The SIP trunks on their own goroutines (network I/O, real
		// time), stopped and waited for when the loop ends.
		tctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			n.trunks.Serve(tctx)
		}()
		defer func() { cancel(); <-done }()
	}
	if !n.cfg.VirtualTime {
		// The core on its own goroutine, stopped and waited for when the
		// loop ends (its queued registry writes are made first).
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := n.core.Serve(cctx); err != nil {
				n.log.Error("core network stopped", "err", err)
			}
		}()
		defer func() { cancel(); <-done }()
	}
	var (
		bursts [tdma.Slots]tdma.TxBurst
		plan   phy.Planner = n.cell // the l1 plan, free TCH/Fs off
		emit               = n.cell.Receive
		p      *phy.Pacer
	)
	if n.cfg.Clock != nil && !n.cfg.StreamPaced {
		p = phy.NewPacer(n.cfg.Clock)
	}
	for k := int64(0); n.cfg.Frames == 0 || k < n.cfg.Frames; k++ {
		fn, err := c.Next(ctx)
		if err != nil {
			return stopped(ctx, err)
		}
		n.fn.Store(uint32(fn))
		n.drain(fn)
		n.cell.Frame(fn, &bursts)
		if err := c.Transmit(fn, &bursts); err != nil {
			return stopped(ctx, err)
		}
		if err := c.Receive(plan, emit); err != nil {
			return stopped(ctx, err)
		}
		n.frames.Add(1)
		if n.cfg.VirtualTime {
			n.core.Step(n.epoch.Add(time.Duration(k+1) * FrameDuration))
		}
		if (k+1)%snapshotEvery == 0 {
			n.publish(fn)
		}
		if n.cfg.OnFrame != nil {
			if err := n.cfg.OnFrame(k + 1); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if p != nil && p.Wait(ctx, k+1) != nil {
			return nil
		}
	}
	return nil
}

// stopped turns the end of the context or of the PHY into a normal stop.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, phy.ErrClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
