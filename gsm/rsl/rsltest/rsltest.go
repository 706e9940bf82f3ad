// Package rsltest has fakes for the two sides of the gsm/rsl seam: Cell
// stands in for a gsm/bts cell in front of a core (it queues upward
// events and collects the requests), so the core's procedures can be
// tested without layer 1 or LAPDm.
package rsltest

import "github.com/gsmbox/gsmbox/gsm/rsl"

// Cell is a fake cell: events go up through Up, requests come down
// through Down.
type Cell struct {
	ID   rsl.CellID
	Up   *rsl.Queue[rsl.Up]   // the core's queue
	Down *rsl.Queue[rsl.Down] // the cell's own, for the core's AddCell
}

// New returns a fake cell with id sending into up, with a request queue
// of n.
func New(id rsl.CellID, up *rsl.Queue[rsl.Up], n int) *Cell {
	return &Cell{ID: id, Up: up, Down: rsl.NewQueue[rsl.Down](n)}
}

// Send queues an event from the cell, with the cell's ID; false means
// the core's queue was full.
func (c *Cell) Send(u rsl.Up) bool {
	u.Cell = c.ID
	return c.Up.Put(u)
}

// Requests returns the requests queued for the cell since the last call.
func (c *Cell) Requests() []rsl.Down {
	var out []rsl.Down
	for {
		d, ok := c.Down.Get()
		if !ok {
			return out
		}
		out = append(out, d)
	}
}
