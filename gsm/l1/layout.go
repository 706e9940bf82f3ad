package l1

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Dynamic timeslots: a timeslot of C0 other than TN0 may change its
// channel combination while the cell runs, between a TCH/F (combination
// I) and eight SDCCH/8 (combination VII), so that idle traffic channels
// carry signalling during a registration storm (gsm/bts, dynamic.go).
//
// A change takes effect at a frame number, the same for the downlink,
// the uplink and the receive plan, so each of them, wherever it is in
// time (the downlink runs ahead of the air by the transceiver's lead, the
// uplink behind it), maps a frame to the combination that was on the air
// in that frame. The frame is a multiframe boundary of the new
// combination (TS 45.002 §6.3, clause 7 tables): the start of a
// 51-multiframe for combination VII, whose SDCCH/8 and SACCH/C8 blocks
// are laid out from frame 0, and the start of a 26-multiframe for
// combination I, whose TCH/F blocks start at FN mod 26 = 0. l1 does not
// know which channels are active: the caller switches a timeslot only
// when none of its channels is (the change discards whatever block is
// under way on it).

// slotPlan is one timeslot's combination over time: from before the
// frame at, to from at on.
type slotPlan struct {
	from, to Combination
	at       tdma.FN
}

// Layout is the channel combination of each timeslot over time: the
// configured one, and the run-time changes scheduled with Switch. The
// zero Layout has every timeslot off. It is plain data; Downlink, Uplink
// and the cell's receive plan each keep a copy and are told of every
// switch.
type Layout struct {
	s [8]slotPlan
}

// NewLayout returns the layout of a fixed set of combinations.
func NewLayout(slots [8]Combination) Layout {
	var l Layout
	for tn, c := range slots {
		l.s[tn] = slotPlan{from: c, to: c}
	}
	return l
}

// At returns the combination of timeslot tn in frame fn.
func (l *Layout) At(tn tdma.TN, fn tdma.FN) Combination {
	p := &l.s[tn&7]
	if p.from == p.to || fn.Before(p.at) {
		return p.from
	}
	if fn.Sub(p.at) > switchSettle {
		// Long past: forget the old combination, so that the frame
		// numbers' wrap (half a hyperframe on) never brings it back.
		p.from = p.to
	}
	return p.to
}

// Latest returns the combination timeslot tn has, or will have once the
// switch last scheduled on it has taken effect.
func (l *Layout) Latest(tn tdma.TN) Combination { return l.s[tn&7].to }

// Slots returns Latest of every timeslot.
func (l *Layout) Slots() [8]Combination {
	var out [8]Combination
	for tn := range out {
		out[tn] = l.s[tn].to
	}
	return out
}

// switchSettle is how long after a switch the next one on the same
// timeslot may take effect: the SACCH period of combination VII (102
// frames) plus the longest uplink lag, so that no burst of the first
// combination is still to be mapped when a third one is scheduled.
const switchSettle = 2 * 102

// SwitchAt returns the first frame at or after fn at which a timeslot may
// change to combination to: FN mod 51 = 0 for combination VII, FN mod 26
// = 0 for combination I and for off.
func SwitchAt(to Combination, fn tdma.FN) tdma.FN {
	m := 26
	if to == CombVII {
		m = 51
	}
	return fn.Add((m - int(fn)%m) % m)
}

// Switch schedules timeslot tn to change to combination to in frame at.
// Only TN1..TN7 change, only between off, I and VII, at the multiframe
// boundary of the new combination (SwitchAt), and no sooner than
// switchSettle frames after the timeslot's previous change.
func (l *Layout) Switch(tn tdma.TN, to Combination, at tdma.FN) error {
	if tn == 0 || tn > 7 {
		return fmt.Errorf("%w: switch of TN%d: only TN1..TN7 change at run time", ErrConfig, tn)
	}
	switch to {
	case CombOff, CombI, CombVII:
	default:
		return fmt.Errorf("%w: switch of TN%d to combination %v: want off, I or VII", ErrConfig, tn, to)
	}
	p := &l.s[tn]
	if SwitchAt(to, at) != at {
		return fmt.Errorf("%w: switch of TN%d to %v at FN %d: not a multiframe boundary of %v", ErrConfig, tn, to, at, to)
	}
	if p.from != p.to && at.Sub(p.at) < switchSettle {
		return fmt.Errorf("%w: switch of TN%d at FN %d: the last one, at FN %d, has not settled", ErrConfig, tn, at, p.at)
	}
	*p = slotPlan{from: p.to, to: to, at: at}
	return nil
}

// Plan fills p with what the receiver listens for on each timeslot in
// uplink frame fn (see Config.Plan), under the layout.
func (l *Layout) Plan(tsc uint8, fn tdma.FN, p *phy.Plan) {
	for tn := range p.Slots {
		p.TSC[tn] = tsc
		switch l.At(tdma.TN(tn), fn).Uplink(tdma.TN(tn), fn).Chan.Kind {
		case ChanRACH:
			p.Slots[tn] = phy.RxAccess
		case ChanIdle:
			p.Slots[tn] = phy.RxOff
		default:
			p.Slots[tn] = phy.RxNormal
		}
	}
}

// either returns the timeslot's combinations before and after its last
// switch (the same one twice when it never changed).
func (l *Layout) either(tn int) (Combination, Combination) { return l.s[tn&7].from, l.s[tn&7].to }
