package firmware

import (
	"context"
	"log/slog"
	"sync"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/firmware/watchdog"
)

// CellSlot is the "cell" service: at each start it makes a fresh cell from
// the configuration then in force, so restarting it applies a new config.
type CellSlot struct {
	configs *Configs
	board   *boards.Descriptor
	log     *slog.Logger
	newCell func(*config.Config, *boards.Descriptor, *slog.Logger) supervisor.Service

	mu   sync.Mutex
	cur  supervisor.Service
	base uint64 // frames of previous incarnations
}

// Name implements supervisor.Service.
func (c *CellSlot) Name() string { return "cell" }

// Serve implements supervisor.Service.
func (c *CellSlot) Serve(ctx context.Context) error {
	svc := c.newCell(c.configs.Current(), c.board, c.log)
	c.mu.Lock()
	if c.cur != nil {
		c.base += framesOf(c.cur)
	}
	c.cur = svc
	c.mu.Unlock()
	return svc.Serve(ctx)
}

// Frames is the TDMA frame count over all incarnations.
func (c *CellSlot) Frames() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base + framesOf(c.cur)
}

func framesOf(s supervisor.Service) uint64 {
	if f, ok := s.(interface{ Frames() uint64 }); ok {
		return f.Frames()
	}
	return 0
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
	check := watchdog.Advancing(c.Frames)
	return func() error {
		c.mu.Lock()
		_, counts := c.cur.(interface{ Frames() uint64 })
		c.mu.Unlock()
		if !counts {
			return nil // the cell reports no TDMA clock; nothing to watch
		}
		return check()
	}
}
