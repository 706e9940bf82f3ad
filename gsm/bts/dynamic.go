package bts

import (
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Dynamic timeslots: a TCH/F timeslot listed in Config.DynamicTS carries
// eight SDCCH/8 (combination VII) while signalling demand is high, and
// goes back to its TCH/F when calls need it or the demand has gone.
//
// The pool holds both sets of channels of such a timeslot, the TCH/F and
// the eight SDCCH/8; only those of the timeslot's current combination are
// assigned. A switch is made only when no channel of the timeslot is in
// use, and it takes effect at a multiframe boundary of the new
// combination (TS 45.002 clause 7: a 51-multiframe for SDCCH/8, a
// 26-multiframe for TCH/F), the same frame for the downlink, the uplink
// and the receive plan (l1.Layout). Between the decision and that frame
// nothing is assigned on the timeslot.
//
// The demand is measured once per 51-multiframe, as the SDCCHs in use
// plus the channel requests waiting for a CCCH block plus the phones told
// to come back (T3122). A timeslot becomes SDCCH/8 when at least 90 % of
// the SDCCHs are in use and that demand exceeds the SDCCHs there are, as
// long as dynamicTCHReserve TCH/Fs stay free for
// calls. It drains (no new SDCCH on it) when the free TCH/Fs fall below
// that reserve, or when the demand has stayed under half of what the
// other SDCCHs can carry for dynamicHoldFrames; once its last SDCCH is
// released it goes back to TCH/F.

const (
	// dynamicTCHReserve is how many TCH/Fs a switch to SDCCH/8 leaves
	// free: a call between two local phones takes two.
	dynamicTCHReserve = 2
	// dynamicHoldFrames is how long the demand must stay low before a
	// dynamic timeslot goes back to TCH/F (about 10 s).
	dynamicHoldFrames = 10 * secondFrames
)

// dynSlot is the state of one dynamic timeslot.
type dynSlot struct {
	on bool
	// mode is the combination whose channels are assigned: CombI or
	// CombVII. From the decision to switch until at, pending is set and
	// nothing is assigned on the timeslot.
	mode     l1.Combination
	pending  bool
	at       tdma.FN
	draining bool // SDCCH/8 with no new assignment: going back to TCH/F
}

// DynamicStats counts the dynamic timeslots' switches.
type DynamicStats struct {
	ToSDCCH uint64 // switches from TCH/F to SDCCH/8
	ToTCH   uint64 // switches back
	// SDCCH8Now is how many dynamic timeslots carry SDCCH/8 now (or are
	// switching to it).
	SDCCH8Now int
	// Refused counts switches l1 refused (a previous switch on the
	// timeslot not yet settled); the switch is tried again later.
	Refused uint64
}

// initDynamic marks the dynamic timeslots; initChannels has made their
// SDCCH/8 channels beside the TCH/F.
func (c *Cell) initDynamic() {
	for _, tn := range c.cfg.DynamicTS {
		c.dyn[tn] = dynSlot{on: true, mode: l1.CombI}
	}
	c.lay = l1.NewLayout(c.l1cfg.Slots)
}

// usable reports whether d may be assigned now: always, unless it is on
// a dynamic timeslot that carries the other combination, is switching,
// or is draining.
func (c *Cell) usable(d *dchan) bool {
	s := &c.dyn[d.ch.TN&7]
	if !s.on {
		return true
	}
	if s.pending {
		return false
	}
	if d.ch.Kind == l1.ChanTCHF {
		return s.mode == l1.CombI
	}
	return s.mode == l1.CombVII && !s.draining
}

// dynamicFrame ends the switches whose frame has come.
func (c *Cell) dynamicFrame(fn tdma.FN) {
	for tn := range c.dyn {
		s := &c.dyn[tn]
		if s.pending && !fn.Before(s.at) {
			s.pending = false
		}
	}
}

// slotIdle reports whether no channel of timeslot tn is in use, nor a
// speech relay set up on it.
func (c *Cell) slotIdle(tn tdma.TN) bool {
	for i := range c.chans {
		if c.chans[i].ch.TN == tn && c.chans[i].state != ChanFree {
			return false
		}
	}
	return !c.tch[tn].joined
}

// freeTCHCount counts the TCH/Fs that could be assigned now.
func (c *Cell) freeTCHCount() int {
	n := 0
	for i := range c.chans {
		d := &c.chans[i]
		if d.ch.Kind == l1.ChanTCHF && d.state == ChanFree && c.usable(d) {
			n++
		}
	}
	return n
}

// switchSlot schedules timeslot tn to change to combination to at the
// next boundary of that combination.
func (c *Cell) switchSlot(tn tdma.TN, to l1.Combination, fn tdma.FN) bool {
	at := l1.SwitchAt(to, fn.Add(1))
	if err := c.lay.Switch(tn, to, at); err != nil {
		c.dynStats.Refused++
		return false
	}
	// The same rules: these cannot refuse what the layout took.
	if err := c.dl.Switch(tn, to, at); err != nil {
		c.log.Error("dynamic timeslot: downlink switch", "tn", tn, "err", err)
	}
	if err := c.ul.Switch(tn, to, at); err != nil {
		c.log.Error("dynamic timeslot: uplink switch", "tn", tn, "err", err)
	}
	c.dyn[tn] = dynSlot{on: true, mode: to, pending: true, at: at}
	if to == l1.CombVII {
		c.dynStats.ToSDCCH++
	} else {
		c.dynStats.ToTCH++
	}
	c.log.Info("dynamic timeslot", "tn", tn, "to", to, "fn", uint32(at))
	if c.cfg.OnSwitch != nil {
		c.cfg.OnSwitch(tn, to, at)
	}
	return true
}

// dynamic runs once per 51-multiframe: it turns an idle TCH/F timeslot
// into SDCCH/8 when signalling demand exceeds the SDCCHs, drains one
// when calls need TCH/Fs or the demand has gone, and switches a drained
// timeslot back once its last SDCCH is free.
func (c *Cell) dynamic(fn tdma.FN) {
	if len(c.cfg.DynamicTS) == 0 {
		return
	}
	inUse, total := c.sdcchCount()
	demand := inUse + c.acc.n + c.backlog()
	freeTCH := c.freeTCHCount()
	low := demand*2 < total-8
	if !low {
		c.dynLowSince = c.stats.Frames
	}
	// Demand above the SDCCHs there are: one more timeslot, the highest
	// idle one (the low ones stay for calls), per multiframe.
	if inUse*10 >= total*9 && demand > total && freeTCH > dynamicTCHReserve {
		for i := len(c.cfg.DynamicTS) - 1; i >= 0; i-- {
			tn := c.cfg.DynamicTS[i]
			s := &c.dyn[tn]
			if s.draining && freeTCH >= dynamicTCHReserve {
				s.draining = false // still needed
				c.dynLowSince = c.stats.Frames
				break
			}
			if s.mode == l1.CombI && !s.pending && c.slotIdle(tn) {
				if c.switchSlot(tn, l1.CombVII, fn) {
					break
				}
			}
		}
	}
	// Calls short of TCH/Fs, or the demand gone for a while: drain one,
	// the lowest (the highest stays SDCCH/8 longest).
	callsNeed := freeTCH < dynamicTCHReserve
	idleLong := low && c.stats.Frames-c.dynLowSince >= dynamicHoldFrames
	if callsNeed || idleLong {
		for _, tn := range c.cfg.DynamicTS {
			s := &c.dyn[tn]
			if s.mode == l1.CombVII && !s.pending && !s.draining {
				s.draining = true
				c.dynLowSince = c.stats.Frames
				break
			}
		}
	}
	n := 0
	for _, tn := range c.cfg.DynamicTS {
		s := &c.dyn[tn]
		if s.draining && !s.pending && c.slotIdle(tn) {
			c.switchSlot(tn, l1.CombI, fn)
		}
		if c.dyn[tn].mode == l1.CombVII {
			n++
		}
	}
	c.dynStats.SDCCH8Now = n
}

// drainForCall is called when a call finds no TCH/F: a dynamic timeslot
// carrying SDCCH/8 stops taking signalling so that it can go back.
func (c *Cell) drainForCall() {
	for _, tn := range c.cfg.DynamicTS {
		s := &c.dyn[tn]
		if s.mode == l1.CombVII && !s.pending {
			if !s.draining {
				s.draining = true
			}
			return
		}
	}
}

// Timeslots returns each timeslot's combination, a dynamic timeslot's
// as switched last.
func (c *Cell) Timeslots() [8]l1.Combination { return c.lay.Slots() }
