package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// frameDuration is one TDMA frame, 120/26 ms (TS 45.002 §4.3.1).
const frameDuration = 120 * time.Millisecond / 26

// cellSettings turns a validated configuration into the cell's settings.
func cellSettings(c *config.Config, log *slog.Logger) bts.Config {
	rc := rr.DefaultCellConfig()
	rc.PLMN = l3.PLMN{MCC: c.Network.MCC, MNC: c.Network.MNC}
	rc.LAC = uint16(c.Cell.LAC)
	rc.CI = uint16(c.Cell.CI)
	rc.BSIC = c.BSIC()
	rc.Band = c.Band()
	rc.ARFCN = c.ARFCN()
	rc.Neighbours = c.Neighbours()
	rc.CombinedCCCH = c.Cell.CombinedCCCH
	rc.BSAGBlksRes = uint8(c.Cell.AGBlocksReserved)
	rc.BSPAMfrms = uint8(c.Cell.PagingMultiframes)
	rc.T3212 = uint8(c.Cell.PeriodicLU.Duration / (6 * time.Minute))
	rc.MaxMSTxPowerDBm = c.Cell.MSTxPowerMaxDBm
	rc.RxLevAccessMinDBm = c.Cell.RxLevAccessMinDBm
	if rc.RxLevAccessMinDBm > -48 {
		rc.RxLevAccessMinDBm = -48 // RXLEV 62 is the top of the coded range
	}
	rc.CellBarred = c.Cell.Barred
	rc.MaxRetrans = uint8(c.Cell.RACHMaxRetrans)
	rc.TxIntegerSlots = c.Cell.RACHTxInteger
	rc.RadioLinkTimeout = uint8(c.Cell.RadioLinkTimeout)
	rc.DTX = rr.DTXShallNot
	if c.Cell.DTX {
		rc.DTX = rr.DTXMay
	}
	bc := bts.Config{Cell: rc, Log: log, MSPowerTargetDBm: float32(c.Cell.MSPowerTargetDBm)}
	for _, tn := range c.Cell.SDCCH8Timeslots {
		bc.SDCCH8 = append(bc.SDCCH8, tdma.TN(tn))
	}
	return bc
}

// onAirLine is the console line that says the cell transmits; the QEMU
// boot test and operators look for "on air" and the ARFCN in it.
func onAirLine(c *config.Config) string {
	hz, _ := c.Band().DownlinkHz(c.ARFCN())
	return fmt.Sprintf("cell on air: ARFCN %d (%v, %.1f MHz), %v, PLMN %s-%s, LAC %d, CI %d, %g dBm",
		c.ARFCN(), c.Band(), float64(hz)/1e6, c.BSIC(), c.Network.MCC, c.Network.MNC, c.Cell.LAC, c.Cell.CI, c.Cell.TxPowerDBm)
}

// cellRunner drives a cell through a transmitter into a radio stream, one
// TDMA frame at a time. It is the per-cell loop: the only goroutine that
// touches the cell.
type cellRunner struct {
	cell   *bts.Cell
	net    *core.Network
	db     *registry.DB
	reg    *registry.Registry
	tx     *trx.Transmitter
	bursts [tdma.Slots]tdma.TxBurst
	fn     tdma.FN
	frames atomic.Uint64
	// The core is stepped after each frame, its time counted in frames
	// from epoch.
	epoch      time.Time
	coreFrames int64
}

// frame runs the cell for frame fn, then the core.
func (r *cellRunner) frame(fn tdma.FN, out *[tdma.Slots]tdma.TxBurst) {
	r.cell.Frame(fn, out)
	r.coreFrames++
	r.net.Step(r.epoch.Add(time.Duration(r.coreFrames) * frameDuration))
}

// corePHY is the cell as the TRX client drives it, with the core stepped
// after each frame.
type corePHY struct{ r *cellRunner }

func (p corePHY) Frame(fn tdma.FN, out *[tdma.Slots]tdma.TxBurst) { p.r.frame(fn, out) }
func (p corePHY) Receive(b *tdma.RxBurst)                         { p.r.cell.Receive(b) }
func (p corePHY) L1Config() l1.Config                             { return p.r.cell.L1Config() }

// newCellRunner opens the subscriber registry at c.Subscribers.DB and
// builds the cell with the core network above it. Close releases the
// registry.
func newCellRunner(c *config.Config, log *slog.Logger, tap *gsmtap.Sender) (*cellRunner, error) {
	db, err := registry.Open(c.Subscribers.DB, nil)
	if err != nil {
		return nil, err
	}
	reg, err := registry.New(registry.Config{Store: db, Policy: c.Policy(), Log: log})
	if err != nil {
		db.Close()
		return nil, err
	}
	r, err := newCellRunnerOn(c, log, tap, reg)
	if err != nil {
		db.Close()
		return nil, err
	}
	r.db = db
	return r, nil
}

// newCellRunnerOn builds the cell and the core network over reg, which
// the caller owns.
func newCellRunnerOn(c *config.Config, log *slog.Logger, tap *gsmtap.Sender, reg *registry.Registry) (*cellRunner, error) {
	ciphers, _ := c.CipherSet()
	lai := l3.LAI{PLMN: l3.PLMN{MCC: c.Network.MCC, MNC: c.Network.MNC}, LAC: uint16(c.Cell.LAC)}
	short := c.Network.ShortName
	if short == "" {
		short = c.Network.Name
	}
	net, err := core.New(core.Config{
		MM: mm.Config{LAI: lai, Ciphers: ciphers, NoAuth: !c.Security.Authenticate,
			FullName: c.Network.Name, ShortName: short, SendTime: true},
		HLR:     core.NewHLR(reg),
		SyncHLR: true, // stepped on the cell's loop until firmware/node runs it as a service
		Log:     log,
	})
	if err != nil {
		return nil, err
	}
	settings := cellSettings(c, log)
	settings.ID, settings.Up = 1, net.Up()
	if tap != nil {
		settings.Tap = bts.GSMTAPTap(tap, c.Band())
	}
	cell, err := bts.New(settings)
	if err != nil {
		return nil, err
	}
	tx, err := trx.NewTransmitter(trx.TxConfig{Modulator: gmsk.Config{SPS: c.Radio.SamplesPerSymbol}})
	if err != nil {
		return nil, err
	}
	net.AddCell(1, cell.Down())
	return &cellRunner{cell: cell, net: net, reg: reg, tx: tx, epoch: time.Now()}, nil
}

// Close closes the subscriber registry, if the runner opened it.
func (r *cellRunner) Close() error {
	if r.db == nil {
		return nil
	}
	return r.db.Close()
}

// step sends one frame into s.
func (r *cellRunner) step(s radio.Stream) error {
	r.frame(r.fn, &r.bursts)
	if _, err := r.tx.WriteFrame(s, r.fn, &r.bursts); err != nil {
		return err
	}
	r.fn = r.fn.Add(1)
	r.frames.Add(1)
	return nil
}

// cellService runs the cell on the board's radio as a supervised service.
type cellService struct {
	cfg    *config.Config
	board  *boards.Descriptor
	log    *slog.Logger
	clock  clock.Clock
	frames atomic.Uint64
	// subscribers, when not nil, owns the registry file the cell uses
	// (shared with the USB workflow's imports); without it the cell
	// opens the file itself.
	subscribers *subscriberDB
}

var _ supervisor.Service = (*cellService)(nil)

func newCellService(cfg *config.Config, board *boards.Descriptor, log *slog.Logger) *cellService {
	return &cellService{cfg: cfg, board: board, log: log, clock: clock.Real{}}
}

func (s *cellService) Name() string { return "cell" }

// Frames returns how many TDMA frames the cell has sent: the TDMA clock
// that the watchdog's health check watches advance.
func (s *cellService) Frames() uint64 { return s.frames.Load() }

// Serve runs the cell until ctx ends.
func (s *cellService) Serve(ctx context.Context) error {
	if err := s.cfg.Validate(s.board); err != nil {
		return fmt.Errorf("%w: %w", supervisor.ErrDoNotRestart, err)
	}
	var tap *gsmtap.Sender
	if s.cfg.GSMTAP.Enabled {
		t, err := gsmtap.Dial(s.cfg.GSMTAP.Remote)
		if err != nil {
			return err
		}
		defer t.Close()
		tap = t
	}
	var (
		r   *cellRunner
		err error
	)
	if s.subscribers != nil {
		reg, rerr := s.subscribers.registry(s.cfg, s.log)
		if rerr != nil {
			return rerr
		}
		defer s.subscribers.release()
		if r, err = newCellRunnerOn(s.cfg, s.log, tap, reg); err != nil {
			return fmt.Errorf("%w: %w", supervisor.ErrDoNotRestart, err)
		}
	} else if r, err = newCellRunner(s.cfg, s.log, tap); err != nil {
		return err
	}
	defer r.Close()
	var stream radio.Stream
	switch fe := s.board.RF.Frontend; fe {
	case "sim":
		air, err := sim.New(sim.Config{SampleRate: r.tx.SampleRate(), Block: r.tx.FrameLen(), Seed: uint64(s.cfg.Sim.Seed)})
		if err != nil {
			return err
		}
		defer air.Close()
		stream = air.Endpoint("bts")
	default:
		return fmt.Errorf("%w: board %s: front end %q is not supported by this build", supervisor.ErrDoNotRestart, s.board.Name, fe)
	}
	s.log.Info(onAirLine(s.cfg))
	p := pacer{clock: s.clock, start: s.clock.Now()}
	for n := int64(0); ; n++ {
		if err := ctx.Err(); err != nil {
			return nil
		}
		if err := r.step(stream); err != nil {
			if errors.Is(err, radio.ErrClosed) {
				return nil
			}
			return err
		}
		s.frames.Add(1)
		if err := p.wait(ctx, n+1); err != nil {
			return nil
		}
	}
}

// pacer holds a frame loop to real time: frame n is not sent before
// start + n frames. It checks the clock every few frames, so it costs
// little, and never tries to catch up more than a second of lag.
type pacer struct {
	clock clock.Clock
	start time.Time
}

func (p *pacer) wait(ctx context.Context, n int64) error {
	if n%8 != 0 {
		return nil
	}
	due := p.start.Add(time.Duration(n) * frameDuration)
	now := p.clock.Now()
	if lag := now.Sub(due); lag > time.Second {
		p.start = p.start.Add(lag) // fell behind (a slow emulator): slip, don't burst
		return nil
	}
	if d := due.Sub(now); d > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.clock.After(d):
		}
	}
	return nil
}
