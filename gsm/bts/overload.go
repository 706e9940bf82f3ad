package bts

import (
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The access grant scheduler and the cell's overload control: what lets
// a cell survive a registration storm, when every phone in range powers
// on at once (TS 44.018 §3.3.1.1, TS 45.008, TS 24.008 §4.4.4.9).
//
// Channel requests wait in a queue for a CCCH block. The channel is
// chosen when the block is built, not when the request arrives, so no
// SDCCH sits reserved behind a queued grant. A request older than the
// phone's window (T+2S RACH slots, the shortest time a phone keeps
// listening for it: its T3126 or its third later request) is dropped
// unanswered. Every CCCH block the paging does not need carries a grant
// (TS 44.018 §3.3.1.1.3: after its first request the MS reads the whole
// CCCH). With no SDCCH free, up to four requests are refused in one
// Immediate Assignment Reject, each with its own wait indication (T3122)
// chosen so that the phones come back spread out at the rate the cell can
// serve them.
//
// The overload control watches that backlog and the SDCCH occupancy once
// per 51-multiframe. As the load rises it spreads the RACH further
// (Tx-integer), then bars access classes in turn (TS 44.018 §3.3.1.1.1,
// §10.5.2.29), and it releases them as the load falls, with hysteresis;
// each change rebuilds and rebroadcasts the System Information. Barring
// never costs a phone an attempt (TS 24.008 §4.4.4.9 (a)): it only holds
// its access back, so a storm is let in one group of phones at a time.

const (
	// accessDepth is how many channel requests can wait for a CCCH block.
	accessDepth = 64
	// T3122Max is the longest wait indication sent, in seconds.
	T3122Max = 255
	// t3122Min is the shortest wait indication sent under load.
	t3122Min = 2
	// holdInit is the SDCCH holding time assumed before any was measured:
	// a location update with identification and the release, in frames.
	holdInit = 4 * 1000 * 26 / 120
	// secondFrames is one second of TDMA frames (rounded down).
	secondFrames = 1000 * 26 / 120
)

// accessReq is a decoded Channel Request waiting for its answer.
type accessReq struct {
	ra    uint8
	fn    tdma.FN
	ta    uint8
	cause rr.EstCause
	need  rr.ChanNeeded
	rssi  float32 // dBm
	sib   uint8   // looks like the request of a phone already granted: sibNone, sibLike, sibClose (siblings.go)
}

// OverloadLevel is how far the cell's overload control has gone.
type OverloadLevel uint8

// Overload levels: each adds to the one before.
const (
	OverloadNone   OverloadLevel = iota
	OverloadSpread               // RACH spread over more slots (Tx-integer 50)
	OverloadBar3                 // and 3 of the 10 access classes barred, in turn
	OverloadBar6                 // and 6 of 10 barred, in turn
	numOverloadLevels
)

// overloadRotateFrames is how often the barred classes rotate: about
// 20 s, so that every class gets its turn; an idle MS reads the BCCH at
// least every 30 s (TS 45.008 §6.6.1).
const overloadRotateFrames = 20 * secondFrames

// overloadHoldFrames is how long a level is kept before it is lowered.
const overloadHoldFrames = 10 * secondFrames

// OverloadStats counts what the scheduler and the overload control did.
type OverloadStats struct {
	Queued       uint64 // channel requests queued
	Stale        uint64 // requests dropped unanswered: older than the phone's window
	Siblings     uint64 // requests put last: they look like the same phone's as one granted (siblings.go)
	SiblingDrops uint64 // of which dropped unanswered: close matches, with nothing else waiting
	QueueFull    uint64 // requests dropped because the queue was full (the oldest)
	RejectMsgs   uint64 // Immediate Assignment Reject messages sent
	Level        OverloadLevel
	LevelMax     OverloadLevel
	SIChanges    uint64 // System Information rebuilt for the overload control
	Barred       uint16 // the access classes barred now (bit n = class n)
	Backlog      int    // phones told to wait whose T3122 has not run out
	QueueLen     int    // requests waiting for a CCCH block now
	WaitMax      uint8  // the longest wait indication sent, seconds
	HoldFrames   int    // the SDCCH holding time measured (moving average)
	SDCCHInUse   int
	SDCCHTotal   int
	LastWaitSec  uint8
	RACHBusy     int // RACH slots with a burst, decoded or not, per thousand (moving average)
}

// accessSched is the cell's access-grant queue, T3122 calendar and
// overload state.
type accessSched struct {
	q       [accessDepth]accessReq
	head, n int
	// wake counts, per second (absolute second mod 256), the phones told
	// to come back then.
	wake    [256]uint16
	lastSec int64
	hold    int // moving average SDCCH holding time, frames
	st      OverloadStats
	// The overload control.
	base        rr.CellConfig // the configured RACH control
	levelSince  uint64        // Frames when the level last changed
	rotateAt    uint64
	rotation    int
	overloadOff bool
	rachSeen    uint64 // access bursts, decoded or not, at the last look
	tchf        int    // the TCH/Fs
	busy        int    // RACH busy slots per thousand, moving average
}

func (a *accessSched) push(r accessReq) {
	if a.n == accessDepth {
		// Drop the oldest: it is the likeliest to be stale.
		a.head = (a.head + 1) % accessDepth
		a.n--
		a.st.QueueFull++
	}
	a.q[(a.head+a.n)%accessDepth] = r
	a.n++
	a.st.Queued++
}

func (a *accessSched) peek() *accessReq { return &a.q[a.head] }

func (a *accessSched) pop() accessReq {
	r := a.q[a.head]
	a.head = (a.head + 1) % accessDepth
	a.n--
	return r
}

// slotsS is S of TS 44.018 Table 3.3.1.1.2.1.
func slotsS(tx int, combined bool) int {
	row := 0
	switch tx {
	case 4, 9, 16:
		row = 1
	case 5, 10, 20:
		row = 2
	case 6, 11, 25:
		row = 3
	case 7, 12, 32:
		row = 4
	}
	if combined {
		return [5]int{41, 52, 58, 86, 115}[row]
	}
	return [5]int{55, 76, 109, 163, 217}[row]
}

// staleFrames is how long after its channel request a phone surely still
// listens for the answer: T+2S RACH slots (its T3126 after a last
// request; three further requests take at least 3S), less the four
// frames of the AGCH block, using the smaller Tx-integer of the
// configured and the broadcast one (a phone may have either).
func (c *Cell) staleFrames() int {
	t := min(c.acc.base.TxIntegerSlots, c.cfg.Cell.TxIntegerSlots)
	s := slotsS(t, c.cfg.Cell.CombinedCCCH)
	perMF := 51
	if c.cfg.Cell.CombinedCCCH {
		perMF = 27
	}
	return min((t+2*s)*51/perMF, 1083) - 4
}

// grant fills a CCCH block with the answer to the oldest channel request
// still useful: an Immediate Assignment when an SDCCH is free, or else an
// Immediate Assignment Reject for up to four requests. It returns false
// when no request waits.
func (c *Cell) grant(fn tdma.FN, dst *[23]byte) bool {
	a := &c.acc
	stale := c.staleFrames()
	for a.n > 0 && fn.Sub(a.peek().fn) > stale {
		a.pop()
		a.st.Stale++
	}
	if a.n == 0 {
		return false
	}
	if c.nextRequest(); a.n == 0 {
		return false
	}
	if d := c.chooseChannel(fn, a.peek().cause, a.peek().need); d != nil {
		r := a.pop()
		c.markSiblings(&r)
		ia := rr.ImmediateAssignment{Chan: d.desc, Ref: rr.NewRequestRef(r.ra, r.fn), TA: r.ta}
		if err := ia.MarshalTo(dst); err != nil {
			c.log.Error("building immediate assignment", "err", err)
			return false
		}
		c.activate(d, fn, r.ta, r.cause)
		c.ded.Assigned++
		c.log.Debug("immediate assignment", "chan", d.ch, "ta", r.ta, "ra", r.ra, "rfn", uint32(r.fn))
		// The Channel Description of the assignment (TS 44.018 §9.1.18),
		// copied: dst is the CCCH block buffer, written again for the
		// next block while the core may not yet have read this event (on
		// a non-combined CCCH that is as soon as 4 frames later).
		desc := make([]byte, 3)
		copy(desc, dst[4:7])
		u := rsl.Up{Kind: rsl.ChanRequired, Cell: c.cfg.ID, Chan: d.ch, Ref: d.ref, FN: r.fn, RA: r.ra, Cause: uint8(r.cause),
			Msg: desc}
		if c.cfg.Up != nil && !c.cfg.Up.Put(u) {
			c.ded.UpDropped++
		}
		return true
	}
	rej := rr.ImmediateAssignmentReject{}
	for rej.Count < len(rej.Ref) && a.n > 0 {
		r := a.pop()
		rej.Ref[rej.Count] = rr.NewRequestRef(r.ra, r.fn)
		rej.Wait[rej.Count] = c.waitIndication()
		rej.Count++
		c.ded.Rejected++
		if c.cfg.Up != nil && !c.cfg.Up.Put(rsl.Up{Kind: rsl.ChanRequired, Cell: c.cfg.ID, FN: r.fn, RA: r.ra, Cause: uint8(r.cause)}) {
			c.ded.UpDropped++
		}
	}
	if err := rej.MarshalTo(dst); err != nil {
		c.log.Error("building immediate assignment reject", "err", err)
		return false
	}
	a.st.RejectMsgs++
	c.log.Debug("channel requests rejected: no free SDCCH", "count", rej.Count, "wait_s", rej.Wait[0])
	return true
}

// chooseChannel picks the channel for a request with establishment
// cause cause: with very early assignment a call's request (originating,
// emergency, answer to paging for a call) goes straight onto a free TCH/F
// (TS 48.008's very early assignment; TS 44.018 §3.3.1.1.3 lets the
// Immediate Assignment allocate a TCH); otherwise a free SDCCH, and when
// none is free a TCH/F in signalling mode, unless the cell has dynamic
// timeslots. nil when nothing is free.
//
// An answer to paging is for a call when it says TCH/F (or TCH/H or
// TCH/F) needed, or when it says "any channel" (100xxxxx: also what a
// phone without half rate sends for "TCH/F needed", Table 9.1.8.1) while
// the cell has paged with "TCH/F needed" within T3113. Paging for SMS
// and other services says "SDCCH needed" (0001xxxx), which never gets a
// TCH here: SMS would run on the SACCH of the TCH (TS 44.006 §4.1.2),
// slower than on an SDCCH, and hold a traffic channel.
func (c *Cell) chooseChannel(fn tdma.FN, cause rr.EstCause, need rr.ChanNeeded) *dchan {
	call := cause == rr.EstOriginating || cause == rr.EstEmergency
	if cause == rr.EstPaging {
		call = need == rr.NeedTCHF || need == rr.NeedTCHHF || need == rr.NeedAny && c.tchPaged
	}
	veryEarly := c.cfg.VeryEarlyAssignment && call
	tch := c.freeTCHF()
	if veryEarly && tch != nil {
		return tch
	}
	if d := c.freeSDCCH(fn); d != nil {
		return d
	}
	if len(c.cfg.DynamicTS) > 0 {
		// The TCH/Fs are kept for calls: signalling beyond the SDCCHs
		// goes to a dynamic timeslot's eight SDCCH/8 (dynamic.go), not
		// one phone to a TCH/F.
		return nil
	}
	return tch
}

// freeTCHF returns a free TCH/F, or nil.
func (c *Cell) freeTCHF() *dchan {
	for i := range c.chans {
		if c.chans[i].state == ChanFree && c.chans[i].ch.Kind == l1.ChanTCHF && c.usable(&c.chans[i]) {
			return &c.chans[i]
		}
	}
	return nil
}

// freeSDCCH returns the free SDCCH whose first uplink block comes
// soonest after an Immediate Assignment sent in the CCCH block starting
// at fn, or nil. The MS sends its SABM in that block (TS 44.018
// §3.3.1.1.3): on an SDCCH/4 the four sub-channels' uplink blocks are
// spread over the 51-multiframe, so the choice saves up to most of one
// (about 230 ms) on every access, the first round trip of every SMS
// included.
func (c *Cell) freeSDCCH(fn tdma.FN) *dchan {
	var best *dchan
	wait := 0
	for i := range c.chans {
		d := &c.chans[i]
		if d.state != ChanFree || d.ch.Kind == l1.ChanTCHF || !c.usable(d) {
			continue
		}
		if w := c.uplinkWait(d, fn.Add(4)); best == nil || w < wait {
			best, wait = d, w
		}
	}
	return best
}

// uplinkWait returns the frames from from to the start of the next
// uplink block of d's main channel (at most a 102-multiframe).
func (c *Cell) uplinkWait(d *dchan, from tdma.FN) int {
	comb := c.lay.At(d.ch.TN, from) // a dynamic timeslot's combination now
	for k := range 102 {
		if s := comb.Uplink(d.ch.TN, from.Add(k)); s.Chan == d.ch && s.Back == 0 {
			return k
		}
	}
	return 102
}

// second returns the cell's time in whole seconds since it started, and
// clears the calendar's seconds that have passed.
func (c *Cell) second() int64 {
	a := &c.acc
	now := int64(c.stats.Frames) * 120 / 26000
	for s := a.lastSec + 1; s <= now && s <= a.lastSec+256; s++ {
		a.wake[s%256] = 0
	}
	if now > a.lastSec {
		a.lastSec = now
	}
	return now
}

// servicePerSecond is how many phones the SDCCHs can take each second:
// the channels over the measured holding time, kept at 80 % so that the
// phones that come back meet free channels.
func (c *Cell) servicePerSecond() int {
	n := c.acc.st.SDCCHTotal
	if len(c.cfg.DynamicTS) == 0 {
		// Signalling beyond the SDCCHs goes to the TCH/Fs
		// (chooseChannel).
		n += c.acc.tchf
	}
	hold := max(c.acc.hold, secondFrames)
	return max(1, n*secondFrames*8/(hold*10))
}

// waitIndication chooses the T3122 of a refused request (TS 44.018
// §3.3.1.1.3.2, §10.5.2.43): the earliest second at least t3122Min ahead
// in which fewer phones are due back than the SDCCHs can serve, so the
// wait grows with the backlog and the returns are spread evenly.
func (c *Cell) waitIndication() uint8 {
	a := &c.acc
	now := c.second()
	per := uint16(c.servicePerSecond())
	w := int64(t3122Min)
	for ; w < T3122Max; w++ {
		if a.wake[(now+w)%256] < per {
			break
		}
	}
	a.wake[(now+w)%256]++
	a.st.LastWaitSec = uint8(w)
	a.st.WaitMax = max(a.st.WaitMax, uint8(w))
	return uint8(w)
}

// backlog counts the phones told to wait whose T3122 runs on.
func (c *Cell) backlog() int {
	a := &c.acc
	now := c.second()
	n := 0
	for w := int64(1); w < 256; w++ {
		n += int(a.wake[(now+w)%256])
	}
	return n
}

// held records how long an SDCCH was held, activation to free, into the
// moving average the wait indications use.
func (c *Cell) held(frames int) {
	if frames <= 0 {
		return
	}
	a := &c.acc
	if a.hold == 0 {
		a.hold = holdInit
	}
	a.hold += (frames - a.hold) / 8
}

// overload runs the overload control once per 51-multiframe: the level
// rises at once when the backlog, in seconds of service, or the queue
// passes its threshold, and falls one step when the load has stayed
// below the lower threshold for overloadHoldFrames.
func (c *Cell) overload() {
	a := &c.acc
	if a.overloadOff {
		// The wait indications still follow the SDCCHs there are.
		_, a.st.SDCCHTotal = c.sdcchCount()
		return
	}
	inUse, total := c.sdcchCount()
	a.st.SDCCHInUse, a.st.SDCCHTotal = inUse, total
	a.st.Backlog, a.st.QueueLen = c.backlog(), a.n
	a.st.HoldFrames = max(a.hold, holdInit)
	// The backlog in seconds of service.
	drain := (a.st.Backlog + a.n) / c.servicePerSecond()
	// The RACH's busy slots (decoded or not) per thousand, averaged
	// over about four multiframes: slotted ALOHA delivers most near one
	// in three, and beyond that collisions eat the channel.
	ul := c.ul.Stats()
	busy := int(ul.Access + ul.AccessBad - a.rachSeen)
	a.rachSeen = ul.Access + ul.AccessBad
	slots := 51
	if c.cfg.Cell.CombinedCCCH {
		slots = 27
	}
	a.busy += (busy*1000/slots - a.busy) / 4
	a.st.RACHBusy = a.busy
	// Thresholds per level: rise above up[l], fall below down[l].
	up := [numOverloadLevels]int{4, 60, 120, 1 << 30}
	down := [numOverloadLevels]int{-1, 2, 30, 60}
	// A busy RACH only spreads the requests: barring is the slower
	// lever (an idle MS may take 30 s to read it), kept for a backlog.
	busyUp := [numOverloadLevels]int{250, 1 << 30, 1 << 30, 1 << 30}
	busyDown := [numOverloadLevels]int{-1, 100, 1 << 30, 1 << 30}
	lvl := a.st.Level
	switch {
	case (drain > up[lvl] || a.busy > busyUp[lvl]) && lvl+1 < numOverloadLevels:
		lvl++
	case drain < down[lvl] && a.busy < busyDown[lvl] && c.stats.Frames-a.levelSince >= overloadHoldFrames:
		lvl--
	}
	rotate := lvl >= OverloadBar3 && c.stats.Frames >= a.rotateAt
	if lvl == a.st.Level && !rotate {
		return
	}
	if lvl != a.st.Level {
		c.log.Info("overload level", "from", a.st.Level, "to", lvl, "backlog", a.st.Backlog, "queue", a.n, "sdcch_in_use", inUse)
		a.st.Level, a.levelSince = lvl, c.stats.Frames
		a.st.LevelMax = max(a.st.LevelMax, lvl)
	}
	if rotate {
		a.rotation++
	}
	a.rotateAt = c.stats.Frames + overloadRotateFrames
	c.applyOverload()
}

// applyOverload rebuilds the System Information with the RACH control of
// the current level and puts it on the BCCH.
func (c *Cell) applyOverload() {
	a := &c.acc
	cc := a.base
	if a.st.Level >= OverloadSpread {
		cc.TxIntegerSlots = 50
		cc.MaxRetrans = 7
	}
	var nbar int
	switch a.st.Level {
	case OverloadBar3:
		nbar = 3
	case OverloadBar6:
		nbar = 6
	}
	bar := cc.BarredClasses
	for i := range nbar {
		bar |= 1 << ((a.rotation*nbar + i) % 10)
	}
	cc.BarredClasses = bar
	if cc.TxIntegerSlots == c.cfg.Cell.TxIntegerSlots && cc.MaxRetrans == c.cfg.Cell.MaxRetrans && cc.BarredClasses == c.cfg.Cell.BarredClasses {
		return
	}
	si, err := rr.BuildSystemInformation(cc)
	if err != nil {
		c.log.Error("overload control: building System Information", "err", err)
		return
	}
	for _, s := range []struct {
		t   l1.SIType
		msg *[23]byte
	}{{l1.SI1, &si.SI1}, {l1.SI2, &si.SI2}, {l1.SI3, &si.SI3}, {l1.SI4, &si.SI4}} {
		if err := c.dl.BCCH.Set(s.t, s.msg); err != nil {
			c.log.Error("overload control: setting System Information", "si", s.t, "err", err)
			return
		}
	}
	if si.HasSI2bis {
		_ = c.dl.BCCH.Set(l1.SI2bis, &si.SI2bis)
	}
	c.cfg.Cell, c.si = cc, si
	a.st.Barred = cc.BarredClasses
	a.st.SIChanges++
}

// Overload returns the access scheduler's and the overload control's
// counters and state.
func (c *Cell) Overload() OverloadStats {
	s := c.acc.st
	s.QueueLen = c.acc.n
	return s
}

// sdcchCount counts the SDCCHs in use and those that can be assigned
// (a dynamic timeslot's only while it carries SDCCH/8).
func (c *Cell) sdcchCount() (inUse, total int) {
	for i := range c.chans {
		d := &c.chans[i]
		if d.ch.Kind == l1.ChanTCHF {
			continue
		}
		if c.usable(d) {
			total++
		}
		if d.state != ChanFree {
			inUse++
		}
	}
	return inUse, total
}
