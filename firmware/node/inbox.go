package node

import (
	"context"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Loop is what a command may touch: the cell and the core, on the cell
// loop's goroutine, at the start of frame FN (before its downlink is
// built). It is valid only during the command.
type Loop struct {
	FN   tdma.FN
	Cell *bts.Cell
	Core *core.Network
}

// Command is work for the cell loop: paging a subscriber, handing over a
// message to deliver, a console action. It runs on the loop and must not
// block, do I/O or keep the Loop.
type Command func(l *Loop)

// InboxStats counts the inbox's traffic.
type InboxStats struct {
	Sent    uint64 // commands accepted by Send
	Dropped uint64 // commands refused because the inbox was full
	Done    uint64 // commands the loop has run
	Queued  int    // commands waiting now
}

// Send queues cmd for the cell loop without waiting: the loop runs it at
// the start of a coming frame (at most inboxBudget per frame, in order).
// When the inbox is full the command is dropped, counted and
// ErrInboxFull returned. Safe from any goroutine; never blocks.
func (n *Node) Send(cmd Command) error {
	select {
	case n.inbox <- cmd:
		n.sent.Add(1)
		return nil
	default:
		n.full.Add(1)
		return fmt.Errorf("%w (%d commands)", ErrInboxFull, cap(n.inbox))
	}
}

// Do sends cmd and waits until the loop has run it or ctx ends: for a
// console or test that wants an answer. It returns ErrInboxFull as Send
// does, and ctx.Err() when ctx ends first (cmd may still run later).
func (n *Node) Do(ctx context.Context, cmd Command) error {
	done := make(chan struct{})
	if err := n.Send(func(l *Loop) { cmd(l); close(done) }); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain runs up to inboxBudget queued commands; it never waits.
func (n *Node) drain(fn tdma.FN) {
	for range inboxBudget {
		select {
		case cmd := <-n.inbox:
			cmd(&Loop{FN: fn, Cell: n.cell, Core: n.core})
			n.done.Add(1)
		default:
			return
		}
	}
}

func (n *Node) inboxStats() InboxStats {
	return InboxStats{Sent: n.sent.Load(), Dropped: n.full.Load(), Done: n.done.Load(), Queued: len(n.inbox)}
}
