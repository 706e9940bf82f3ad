package core

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// frameDuration is one TDMA frame, 120/26 ms (TS 45.002 §4.3.1).
const frameDuration = 120 * time.Millisecond / 26

// Config sets up the network above one cell.
type Config struct {
	// MM is the mobility management configuration: the cell's LAI,
	// ciphers, network names.
	MM mm.Config
	// HLR answers MM's questions and takes its updates.
	HLR *HLR
	// Rand supplies authentication challenges; nil means crypto/rand.
	Rand io.Reader
	// Epoch is the time of the first frame the cell sends: MM's timers
	// and the time in MM Information count from it, one TDMA frame at a
	// time, so the simulated network runs on virtual time and a board on
	// its own clock.
	Epoch time.Time
	// OnResult, when not nil, is called with the outcome of every
	// connection when it ends.
	OnResult func(mm.Result)
	// Log receives connection events; nil discards them.
	Log *slog.Logger
}

// Network makes the Conn of every dedicated channel the cell activates.
// It runs on the per-cell loop, like the cell.
type Network struct {
	cfg    Config
	log    *slog.Logger
	rand   io.Reader
	lastFN tdma.FN
	frames int64 // frames since Epoch, unwrapped across the hyperframe
	begun  bool
	stats  Stats
}

// Stats counts connections and their outcomes.
type Stats struct {
	Connections uint64
	Outcomes    map[mm.Outcome]uint64
	CommitFails uint64
}

// New checks cfg and returns a Network.
func New(cfg Config) (*Network, error) {
	if cfg.HLR == nil {
		return nil, fmt.Errorf("%w: no HLR", ErrConfig)
	}
	if err := cfg.MM.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	n := &Network{cfg: cfg, log: cfg.Log, rand: cfg.Rand, stats: Stats{Outcomes: map[mm.Outcome]uint64{}}}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.rand == nil {
		n.rand = rand.Reader
	}
	return n, nil
}

// NewLink implements bts.Config.NewLink: the upper layers of a dedicated
// channel the MS has come to.
func (n *Network) NewLink(info bts.ChanInfo) bts.Link {
	n.stats.Connections++
	c, err := newConn(n, info)
	if err != nil {
		n.log.Error("cannot open a connection", "chan", info.Chan, "err", err)
		return nil
	}
	return c
}

// Stats returns the counters.
func (n *Network) Stats() Stats { return n.stats }

// now turns a frame number into time: Epoch plus the frames counted
// since, following the frame number across the hyperframe wrap.
func (n *Network) now(fn tdma.FN) time.Time {
	if !n.begun {
		n.begun, n.lastFN, n.frames = true, fn, int64(fn)
	} else if d := fn.Sub(n.lastFN); d > 0 {
		n.frames += int64(d)
		n.lastFN = fn
	}
	return n.cfg.Epoch.Add(time.Duration(n.frames) * frameDuration)
}

func (n *Network) finished(r mm.Result) {
	n.stats.Outcomes[r.Outcome]++
	if n.cfg.OnResult != nil {
		n.cfg.OnResult(r)
	}
}
