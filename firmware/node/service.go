package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/phy"
)

// ServiceConfig configures the appliance's cell service.
type ServiceConfig struct {
	Config *config.Config
	Board  *boards.Descriptor
	Log    *slog.Logger
	// Clock paces the cell loop (default the system clock).
	Clock clock.Clock
	// Store, when not nil, owns the registry file the cell uses (shared
	// with the USB workflow's imports); without it the node opens the
	// file itself.
	Store *Store
	// SimPhones, when above 0, overrides [sim] phones: how many virtual
	// phones to run on the sim front end's air (gsmbox.simphones=N).
	SimPhones int
	// OnResult is node.Config.OnResult (the console's history).
	OnResult func(mm.Result)
	// OnFrame is node.Config.OnFrame (tests pace a fake board with it).
	OnFrame func(frames int64) error
	// Radio opens the board's hardware front end (a front end other
	// than "sim"); the firmware sets it through UseRadio.
	Radio RadioOpener
	// ScanAllow, when set, is told before each read of the channel scan
	// how far the board may run (a fake board paced by its reader).
	ScanAllow func(radio.Timestamp)
	// Stream is the template of the Lime sample stream's configuration
	// (zero fields take lime's defaults; SampleRate and OnHealth are the
	// service's, DeviceDelay defaults to the chain's).
	Stream lime.StreamConfig
}

// Service runs the node on a board's front end as the supervised "cell"
// service: one incarnation of the node per Serve.
type Service struct {
	cfg   ServiceConfig
	node  atomic.Pointer[Node]
	base  atomic.Uint64 // frames of the nodes of earlier Serve calls
	scope atomic.Pointer[trx.Scope]

	radio radioState
}

var _ supervisor.Service = (*Service)(nil)

// NewService returns the cell service of cfg.
func NewService(cfg ServiceConfig) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg}
}

// Name implements supervisor.Service.
func (s *Service) Name() string { return "cell" }

// Snapshot returns the running (or last) node's snapshot, with Frames
// counted over all starts: the TDMA clock the watchdog's health check
// watches advance. It is zero before the first start.
func (s *Service) Snapshot() Snapshot {
	var snap Snapshot
	if n := s.node.Load(); n != nil {
		snap = n.Snapshot()
	}
	snap.Frames += s.base.Load()
	snap.Radio = s.radio.snapshot()
	return snap
}

// Scope returns the running cell's receive scope (low-rate copies of the
// uplink for the console's radio pictures), or nil when no cell with one
// has started.
func (s *Service) Scope() *trx.Scope { return s.scope.Load() }

// Registry returns the running node's subscriber registry, or nil when
// no node has started.
func (s *Service) Registry() *registry.Registry {
	if n := s.node.Load(); n != nil {
		return n.Registry()
	}
	return nil
}

// Node returns the node of the running (or last) start, or nil before
// the first: the console's SMS calls go to it.
func (s *Service) Node() *Node { return s.node.Load() }

// Serve runs the cell until ctx ends. A configuration the board cannot
// run, or a front end this build does not drive, is not retried.
func (s *Service) Serve(ctx context.Context) error {
	c, log := s.cfg.Config, s.cfg.Log
	if err := c.Validate(s.cfg.Board); err != nil {
		return fmt.Errorf("%w: %w", supervisor.ErrDoNotRestart, err)
	}
	phones := c.Sim.Phones
	if s.cfg.SimPhones > 0 {
		phones = s.cfg.SimPhones
	}
	fe := s.cfg.Board.RF.Frontend
	if fe != "sim" && fe != FrontendLime {
		return fmt.Errorf("%w: board %s: front end %q is not supported by this build", supervisor.ErrDoNotRestart, s.cfg.Board.Name, fe)
	}
	if fe != "sim" && c.Cell.ARFCNAuto {
		s.radio.mu.Lock()
		s.radio.frontend = fe
		if ch := s.cfg.Board.RF.Chain; ch != nil {
			s.radio.chainName = ch.Name
		}
		s.radio.mu.Unlock()
		if s.cfg.Radio == nil {
			return fmt.Errorf("%w: board %s: front end %s and no way to open it", supervisor.ErrDoNotRestart, s.cfg.Board.Name, fe)
		}
		choice, err := s.chooseChannel(ctx, c)
		if err != nil {
			if ctx.Err() == nil {
				s.radio.mu.Lock()
				s.radio.lastErr = err.Error() // e.g. no free channel: the status says why the cell is off the air
				s.radio.mu.Unlock()
			}
			return err
		}
		s.radio.mu.Lock()
		s.radio.scan = choice
		s.radio.mu.Unlock()
		c = choice.Config
	} else if c.Cell.ARFCNAuto {
		log.Warn("arfcn = \"auto\" needs a hardware radio; the simulated air keeps its ARFCN", "arfcn", c.Cell.ARFCN)
	}
	if fe == FrontendLime {
		if err := s.calibrateClock(ctx, c); err != nil { // clockcal.go
			return err
		}
	}
	var tap *gsmtap.Sender
	if c.GSMTAP.Enabled {
		t, err := gsmtap.Dial(c.GSMTAP.Remote)
		if err != nil {
			return err
		}
		defer t.Close()
		tap = t
	}
	nc := Config{Config: c, Log: log, Tap: tap, Clock: s.cfg.Clock, OnResult: s.cfg.OnResult, StreamPaced: fe != "sim", OnFrame: s.cfg.OnFrame}
	if s.cfg.Store != nil {
		reg, err := s.cfg.Store.Registry(c, log)
		if err != nil {
			return err
		}
		defer s.cfg.Store.Release()
		nc.Registry = reg
	}
	n, err := New(nc)
	if err != nil {
		return fmt.Errorf("%w: %w", supervisor.ErrDoNotRestart, err)
	}
	defer n.Close()
	if old := s.node.Swap(n); old != nil {
		s.base.Add(old.Frames())
	}

	if fe != "sim" {
		return s.serveRadio(ctx, c, n)
	}
	air, err := NewSimAir(c)
	if err != nil {
		return err
	}
	defer air.Close()
	s.scope.Store(air.Scope)
	var carrier phy.Carrier = air.Carrier
	log.Info(OnAirLine(c))
	if phones > 0 {
		var plan *simphones.SMSPlan
		if c.Sim.SMS > 0 {
			// A tag per start: the messages of this life of the cell
			// differ from an earlier one's, whose phones' memory a
			// power cut took.
			var tag [3]byte
			rand.Read(tag[:])
			plan = &simphones.SMSPlan{PerPhone: c.Sim.SMS, Gap: 5 * time.Second, SCAddress: c.SMS.SCAddress, Tag: hex.EncodeToString(tag[:]),
				OnEvent: func(e simphones.SMSEvent) {
					log.Info("virtual phone sms", "event", e.Event, "id", e.ID, "phone", e.Phone, "kind", e.Kind, "parts", e.Parts)
				}}
			log.Info("virtual phones send text messages", "each", c.Sim.SMS, "tag", plan.Tag)
		}
		ps, err := air.StartPhones(ctx, PhoneOptions{N: phones, Registry: n.Registry(), Log: log, SMS: plan,
			OnRegistered: func(r simphones.Row) {
				log.Info("virtual phone registered", "phone", r.Phone, "imsi", r.IMSI, "tmsi", r.TMSI,
					"authenticated", r.Authenticated, "cipher", cipherName(r.Cipher), "air_s", fmt.Sprintf("%.2f", r.AirTimeS))
			}})
		if err != nil {
			return fmt.Errorf("%w: %w", supervisor.ErrDoNotRestart, err)
		}
		log.Info("virtual phones on the simulated air", "phones", phones)
		defer ps.Stop()
		defer air.BTS.Close() // before Stop: no phone waits for the cell
	}
	return n.Serve(ctx, carrier)
}

func cipherName(c string) string {
	if c == "" {
		return "none"
	}
	return c
}
