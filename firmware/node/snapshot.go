package node

import (
	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/trunk"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Snapshot is a consistent copy of the node's state, taken on the cell
// loop between two frames: for status, the console and metrics.
type Snapshot struct {
	// Running says the cell loop is running.
	Running bool
	// FN is the last frame run; Frames how many frames the loop has run
	// (the TDMA clock the watchdog watches advance).
	FN     tdma.FN
	Frames uint64
	// Cell holds the cell's counters (downlink, uplink, dedicated
	// channels). Core is the core network's counters, session table and
	// queue depths, read under the core's own lock when Snapshot is
	// called.
	Cell bts.Stats
	Core core.Snapshot
	// Inbox counts the commands sent to the loop.
	Inbox InboxStats
	// Radio is the hardware front end's state (the sample stream, the
	// interlock, the channel scan); nil on the simulated air. Only the
	// cell service (Service.Snapshot) fills it.
	Radio *RadioSnapshot
	// Trunks is the state of each SIP trunk (registration, calls), in
	// the order they are tried; never a password.
	Trunks []trunk.Status
}

// Snapshot returns the latest copy, published by the loop every
// snapshotEvery frames and when it stops; Frames and Inbox are current.
// Safe from any goroutine; the result is the caller's.
func (n *Node) Snapshot() Snapshot {
	s := *n.snap.Load()
	s.Core = n.core.Snapshot()
	s.Running = n.running.Load()
	s.Frames = n.frames.Load()
	s.Inbox = n.inboxStats()
	if n.trunks != nil {
		s.Trunks = n.trunks.Status()
	}
	return s
}

func (n *Node) lastFN() tdma.FN { return tdma.FN(n.fn.Load()) }

// publish copies the state; called on the loop (or before it starts).
func (n *Node) publish(fn tdma.FN) {
	n.snap.Store(&Snapshot{FN: fn, Frames: n.frames.Load(), Cell: n.cell.Stats()})
}
