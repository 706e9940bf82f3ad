package ms

import (
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// access is the state of the random access procedure, TS 44.018
// §3.3.1.1.2.
type access struct {
	cause   rr.EstCause
	need    rr.ChanNeeded // answer to paging: the channel the network needs
	neci    bool
	max     int // M+1 channel requests at most
	t, s    int // Tx-integer and S, in RACH slots
	sent    int
	skip    int // RACH slots to let pass before the next request
	waiting bool
	t3126   tdma.FN
	refs    [3]ref // the last three requests, newest first
	nref    int
	started tdma.FN
}

type ref struct {
	ra uint8
	fn tdma.FN
}

// SlotsS returns the S parameter of TS 44.018 §3.3.1.1.2, Table
// 3.3.1.1.2.1: the minimum number of RACH slots between two channel
// requests, from the Tx-integer (in slots, 3..50) and whether the CCCH is
// combined with SDCCH/4.
func SlotsS(txInteger int, combined bool) int {
	row := 0
	switch txInteger {
	case 3, 8, 14, 50:
		row = 0
	case 4, 9, 16:
		row = 1
	case 5, 10, 20:
		row = 2
	case 6, 11, 25:
		row = 3
	case 7, 12, 32:
		row = 4
	default:
		return 0
	}
	if combined {
		return [5]int{41, 52, 58, 86, 115}[row]
	}
	return [5]int{55, 76, 109, 163, 217}[row]
}

// ChannelRequestRA returns the RA octet of a Channel Request for an
// establishment cause (TS 44.018 §9.1.8, Table 9.1.8.1) with the random
// reference r in its low bits. neci is the cell's NECI bit (SI3/SI4 Cell
// Selection Parameters).
func ChannelRequestRA(cause rr.EstCause, neci bool, r uint8) uint8 {
	switch cause {
	case rr.EstEmergency:
		return 0b101<<5 | r&31
	case rr.EstReestablish:
		return 0b110<<5 | r&31
	case rr.EstPaging:
		// Answer to paging, any channel, or TCH/F needed from a phone
		// without half rate (Table 9.1.8.1).
		return 0b100<<5 | r&31
	case rr.EstOriginating:
		return 0b111<<5 | r&31 // originating call, TCH/F needed
	case rr.EstSDCCHProcedure:
		if neci {
			return 0b0001<<4 | r&15
		}
		return 0b111<<5 | r&31 // other procedures: originating codes
	}
	// Location updating.
	if neci {
		return r & 15
	}
	return r & 31
}

// rachPerMF returns the RACH slots per 51-multiframe on TN0.
func rachPerMF(c l1.Combination) int {
	if c == l1.CombV {
		return 27
	}
	return 51
}

// startAccess begins the random access procedure for cause.
func (p *Phone) startAccess(cause rr.EstCause) {
	p.startAccessNeed(cause, rr.NeedAny)
}

// startAccessNeed is startAccess for an answer to paging that says which
// channel the network needs (TS 44.018 §10.5.2.8).
func (p *Phone) startAccessNeed(cause rr.EstCause, need rr.ChanNeeded) {
	c := &p.cell
	t := rr.TxIntegerSlots(c.RACH.TxInteger)
	s := SlotsS(t, p.comb0 == l1.CombV)
	m := int(c.RACH.MaxRetrans)
	if m == 0 {
		m = 1
	}
	p.rach = access{cause: cause, need: need, neci: c.CellSel.NECI, max: m + 1, t: t, s: s}
	// The first request goes in a slot drawn from {0 .. max(T, 8)−1}.
	p.rach.skip = p.rng.IntN(max(t, 8))
	p.stats.AccessAttempts++
	p.state = StateAccess
	p.acc[0] = blockAcc{}
	p.log.Debug("access", "cause", cause, "T", t, "S", s, "M", m)
}

// rachFrame sends a channel request when this uplink frame is the RACH
// slot the spreading chose.
func (p *Phone) rachFrame(f tdma.FN, b *tdma.TxBurst) bool {
	a := &p.rach
	if a.waiting || p.comb0.Uplink(0, f).Chan.Kind != l1.ChanRACH {
		return false
	}
	if a.skip > 0 {
		a.skip--
		return false
	}
	var r uint8 = uint8(p.rng.UintN(256))
	ra := ChannelRequestRA(a.cause, a.neci, r)
	if a.cause == rr.EstPaging && a.need == rr.NeedSDCCH {
		// Answer to paging, SDCCH needed (Table 9.1.8.1).
		ra = 0b0001<<4 | r&15
	}
	var coded [tdma.AccessDataBits]byte
	coding.EncodeRACH(&coded, ra, p.cell.BSIC)
	tdma.Access(&b.Bits, &coded)
	b.Kind = tdma.KindAccess
	copy(a.refs[1:], a.refs[:2])
	a.refs[0] = ref{ra: ra, fn: f}
	a.nref = min(a.nref+1, 3)
	a.sent++
	p.stats.ChannelRequests++
	if a.sent == 1 && !p.stats.Registered {
		p.stats.AttemptRACH = f // (the access that registers, not later ones)
	}
	if !p.stats.HaveFirstRACH {
		p.stats.FirstRACH, p.stats.HaveFirstRACH = f, true
	}
	p.reach(MsRACH)
	if a.sent >= a.max {
		// T3126: T+2S slots, at most 5 s (TS 44.018 §3.3.1.1.2, §11.1.1).
		frames := (a.t + 2*a.s) * 51 / rachPerMF(p.comb0)
		a.waiting, a.t3126 = true, f.Add(min(frames, 1083))
	} else {
		// Slots between two requests: drawn from {S .. S+T−1}.
		a.skip = a.s + p.rng.IntN(max(a.t, 1))
	}
	return true
}

// matches returns whether a request reference is one of the last three
// requests (TS 44.018 §3.3.1.1.3.1).
func (a *access) matches(r rr.RequestRef) bool {
	for i := 0; i < a.nref; i++ {
		if r.Matches(a.refs[i].ra, a.refs[i].fn) {
			return true
		}
	}
	return false
}

func (p *Phone) immAss(m *rr.ImmediateAssignment, start tdma.FN) {
	if !p.rach.matches(m.Ref) {
		p.stats.ImmAssOther++
		return
	}
	p.stats.ImmAss++
	d := m.Chan
	if d.Hopping || (d.Type != rr.ChanSDCCH4 && d.Type != rr.ChanSDCCH8 && d.Type != rr.ChanTCHF) || d.Type == rr.ChanTCHF && d.TN == 0 {
		p.log.Info("assignment to an unsupported channel", "chan", d.Type, "hopping", d.Hopping)
		p.state = StateIdle
		p.accessFailed(start)
		if p.cfg.Upper != nil {
			p.cfg.Upper.Released(false)
		}
		return
	}
	p.stats.Assign = start
	p.raFailures = 0
	p.reach(MsAssigned)
	p.enterDedicated(&d, m.TA, start)
}

func (p *Phone) immAssReject(m *rr.ImmediateAssignmentReject, start tdma.FN) {
	for i := 0; i < m.Count && i < len(m.Ref); i++ {
		if !p.rach.matches(m.Ref[i]) {
			continue
		}
		p.stats.ImmAssRej++
		// T3122: the wait indication in seconds (TS 44.018 §3.3.1.1.3.2).
		w := int(m.Wait[i])
		p.t3122, p.t3122On = start.Add(w*1000*26/120), true
		p.state = StateIdle
		p.log.Debug("access rejected", "wait_s", w)
		// TS 24.008 §4.4.4.9 (b): MM's procedure waits and starts again
		// when T3122 expires; it is not a failed attempt.
		return
	}
}
