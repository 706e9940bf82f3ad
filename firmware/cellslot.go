package firmware

import (
	"context"
	"log/slog"
	"sync"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/firmware/watchdog"
)

// Cell is the cell service Options.NewCell makes: a supervised service
// whose state (the TDMA clock, the cell's and the core's counters) can be
// read from any goroutine (node.Service).
type Cell interface {
	supervisor.Service
	// Snapshot returns a consistent copy of the cell's and the core's
	// state; Frames counts the TDMA frames run over all of the service's
	// starts. Safe from any goroutine, and it never blocks on the cell.
	Snapshot() node.Snapshot
}

// RadioCell is a Cell that drives a hardware front end itself
// (node.Service on a board whose radio is on USB): the slot gives it the
// opener of the board's front end before each start.
type RadioCell interface {
	Cell
	UseRadio(node.RadioOpener)
}

// CellSlot is the "cell" service: at each start it makes a fresh cell from
// the configuration then in force, so restarting it applies a new config.
type CellSlot struct {
	configs *Configs
	board   *boards.Descriptor
	log     *slog.Logger
	newCell func(*config.Config, *boards.Descriptor, *slog.Logger) Cell
	// radio opens the board's USB radio for a cell that drives one
	// (RadioCell); nil when the board's radio is not on USB.
	radio node.RadioOpener

	mu   sync.Mutex
	cur  Cell
	base uint64 // frames of previous incarnations
	// radioBase holds the radio counters of previous incarnations.
	radioBase *node.RadioSnapshot
	starts    uint64 // how many times Serve has made a cell
}

// Name implements supervisor.Service.
func (c *CellSlot) Name() string { return "cell" }

// Serve implements supervisor.Service.
func (c *CellSlot) Serve(ctx context.Context) error {
	svc := c.newCell(c.configs.Current(), c.board, c.log)
	if rc, ok := svc.(RadioCell); ok && c.radio != nil {
		rc.UseRadio(c.radio)
	}
	c.mu.Lock()
	if c.cur != nil {
		prev := c.cur.Snapshot()
		c.base += prev.Frames
		if prev.Radio != nil {
			prev.Radio.Add(c.radioBase)
			c.radioBase = prev.Radio
		}
	}
	c.cur = svc
	c.starts++
	c.mu.Unlock()
	return svc.Serve(ctx)
}

// Snapshot is the current cell's snapshot, with Frames counted over all
// incarnations; zero before the first start.
func (c *CellSlot) Snapshot() node.Snapshot {
	c.mu.Lock()
	cur, base, radio := c.cur, c.base, c.radioBase
	c.mu.Unlock()
	var s node.Snapshot
	if cur != nil {
		s = cur.Snapshot()
	}
	s.Frames += base
	switch {
	case s.Radio != nil:
		s.Radio.Add(radio)
	case radio != nil:
		r := *radio
		r.Up, r.Stream.Healthy, r.RXBytesPerSec, r.TXBytesPerSec = false, false, 0, 0
		r.Interlock = rf.InterlockStatus{}
		s.Radio = &r
	}
	return s
}

// onAirSince reports whether the cell has been made at least starts
// times and the latest one has run frames TDMA frames.
func (c *CellSlot) onAirSince(starts, frames uint64) bool {
	c.mu.Lock()
	n, cur := c.starts, c.cur
	c.mu.Unlock()
	if n < starts || cur == nil {
		return false
	}
	return cur.Snapshot().Frames >= frames
}

// serviceState returns the state of the named service.
func serviceState(sup *supervisor.Supervisor, name string) supervisor.State {
	for _, st := range sup.Status() {
		if st.Name == name {
			return st.State
		}
	}
	return ""
}

// advancing returns the watchdog check that the cell's TDMA clock moves.
func (c *CellSlot) advancing() func() error {
	check := watchdog.Advancing(func() uint64 { return c.Snapshot().Frames })
	return func() error {
		c.mu.Lock()
		started := c.cur != nil
		c.mu.Unlock()
		if !started {
			return nil // no cell has started; nothing to watch
		}
		return check()
	}
}
