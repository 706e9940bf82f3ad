package bts

import (
	"math"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A phone's other channel requests (TS 44.018 §3.3.1.1.2).
//
// A phone that accesses sends up to M+1 Channel Requests, the first in a
// random slot, each further one S to S+T−1 RACH slots after the one
// before (T the Tx-integer, S from Table 3.3.1.1.2.1), and it takes the
// first Immediate Assignment that answers any of its last three. In a
// storm its requests wait in the access queue together, so once one is
// granted the others, still queued, would each get a channel that nobody
// takes: an SDCCH held for T3101 and a CCCH block lost.
//
// The requests of one phone have the same establishment cause, arrive
// with the same timing advance and about the same level, and are spaced
// by the retry rule: k requests later, between k·S and k·(S+T−1) slots.
// When a request is granted, the queued requests that match all of that
// are taken for the same phone's and go to the back of the line: they are
// answered only when no other request waits, so in a storm they go stale
// unanswered (overload.go), and a request of another phone that happens
// to match is delayed. When nothing else waits, a close match (the same
// timing advance, the level within 1 dB) is dropped rather than
// answered; a looser one is answered.

// siblingLevelDB is how far apart in level two requests of one phone may
// arrive: fading over a few seconds, and the receiver's measurement.
// Within siblingCloseDB and at the same timing advance a request is a
// close match.
const (
	siblingLevelDB = 3
	siblingCloseDB = 1
)

// Sibling marks of a queued request.
const (
	sibNone  uint8 = iota
	sibLike        // matches a granted request's phone
	sibClose       // and closely: the same timing advance, within siblingCloseDB
)

// rachSlot numbers the RACH slots on TN0: the count of RACH frames from
// frame 0 of the hyperframe to fn. Uplink frames map one to one to
// downlink ones, so this is the slot count a phone's spreading uses.
func (c *Cell) rachSlot(fn tdma.FN) int {
	return int(fn)/51*c.rachIdx[51] + c.rachIdx[int(fn)%51]
}

// initRACHSlots fills the table rachSlot counts with (TN0's combination
// does not change).
func (c *Cell) initRACHSlots() {
	comb := c.l1cfg.Slots[0]
	for f := range 51 {
		c.rachIdx[f+1] = c.rachIdx[f]
		if comb.Uplink(0, tdma.FN(f)).Chan.Kind == l1.ChanRACH {
			c.rachIdx[f+1]++
		}
	}
}

// siblingGap reports whether n RACH slots can separate two requests of
// one phone under Tx-integer t: k·S ≤ n ≤ k·(S+T−1) for some k ≤ M.
func (c *Cell) siblingGap(n int) bool {
	m := int(max(c.acc.base.MaxRetrans, c.cfg.Cell.MaxRetrans))
	combined := c.cfg.Cell.CombinedCCCH
	for _, t := range [2]int{c.acc.base.TxIntegerSlots, c.cfg.Cell.TxIntegerSlots} {
		s := slotsS(t, combined)
		for k := 1; k <= m; k++ {
			if n >= k*s && n <= k*(s+t-1) {
				return true
			}
		}
	}
	return false
}

// sibling says whether q looks like another request of the phone whose
// request g was granted, and how closely.
func (c *Cell) sibling(g, q *accessReq) uint8 {
	dl := math.Abs(float64(q.rssi - g.rssi))
	if q.cause != g.cause || absDiff(q.ta, g.ta) > 1 || dl > siblingLevelDB {
		return sibNone
	}
	n := c.rachSlot(q.fn) - c.rachSlot(g.fn)
	if n < 0 {
		n = -n
	}
	if !c.siblingGap(n) {
		return sibNone
	}
	if q.ta == g.ta && dl <= siblingCloseDB {
		return sibClose
	}
	return sibLike
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}

// markSiblings marks the queued requests that look like the granted
// request g's phone's: they are answered only when no other request
// waits (nextRequest), so a look-alike of another phone is delayed, not
// lost, while the phone's own go stale unanswered in a storm.
func (c *Cell) markSiblings(g *accessReq) {
	a := &c.acc
	for i := range a.n {
		q := &a.q[(a.head+i)%accessDepth]
		if m := c.sibling(g, q); m > q.sib {
			if q.sib == sibNone {
				a.st.Siblings++
			}
			q.sib = m
		}
	}
}

// nextRequest moves the oldest request not marked as a granted phone's
// sibling to the head of the queue. When only siblings wait, the close
// ones are dropped (they are all but surely the phone's, already on its
// channel) and the oldest other one is answered.
func (c *Cell) nextRequest() {
	a := &c.acc
	i := 0
	for i < a.n && a.q[(a.head+i)%accessDepth].sib != sibNone {
		i++
	}
	if i == a.n {
		for a.n > 0 && a.peek().sib == sibClose {
			a.pop()
			a.st.SiblingDrops++
		}
		return
	}
	if i == 0 {
		return
	}
	r := a.q[(a.head+i)%accessDepth]
	for j := i; j > 0; j-- {
		a.q[(a.head+j)%accessDepth] = a.q[(a.head+j-1)%accessDepth]
	}
	a.q[a.head] = r
}
