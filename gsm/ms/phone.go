package ms

import (
	"fmt"
	"log/slog"
	"math/rand/v2"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Listen says what the phone's receiver looks for on one timeslot of one
// downlink frame: the burst PHY's receive mode (gsm/phy), of which a
// phone uses Off, FCCH, SCH and Normal.
type Listen = phy.Rx

// Receive modes (see phy.Rx for what the radio reports for each).
const (
	ListenOff    = phy.RxOff
	ListenFCCH   = phy.RxFCCH
	ListenSCH    = phy.RxSCH
	ListenNormal = phy.RxNormal
)

// Plan is what to receive in one downlink frame: the burst PHY's plan.
type Plan = phy.Plan

// State is the phone's RR state.
type State uint8

// States.
const (
	StateOff       State = iota
	StateSearch          // looking for an FCCH
	StateSync            // FCCH found, waiting for the SCH
	StateBCCH            // synchronised, reading the BCCH until SI3
	StateBarred          // the cell is barred: not camped
	StateIdle            // camped, reading the paging sub-channel
	StateAccess          // sending channel requests, listening to the AGCH
	StateDedicated       // on an SDCCH
	StateReleasing       // channel release received, link being released
)

var stateNames = [...]string{"off", "search", "sync", "bcch", "barred", "idle", "access", "dedicated", "releasing"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Milestone is a step of the way to registration a phone has reached at
// least once, for the simulator's table.
type Milestone uint8

// Milestones, in the order a phone reaches them.
const (
	MsNone        Milestone = iota
	MsSynced                // SCH decoded
	MsCamped                // SI3 read, camped
	MsRACH                  // a channel request sent
	MsAssigned              // an Immediate Assignment matched
	MsEstablished           // LAPDm SABM/UA done on the SDCCH
	MsRegistered            // the Upper reports success (location update accepted)
)

var milestoneNames = [...]string{"off", "synced", "camped", "RACH sent", "assigned", "on SDCCH", "registered"}

func (m Milestone) String() string {
	if int(m) < len(milestoneNames) {
		return milestoneNames[m]
	}
	return fmt.Sprintf("Milestone(%d)", uint8(m))
}

// Config configures a Phone.
type Config struct {
	// SIM is the phone's SIM (gsm/mm's model: IMSI, Ki, algorithm, and
	// the TMSI and LAI it stores). Only its IMSI is used here, for the
	// paging group; the Upper uses the rest.
	SIM *mm.SIM
	// Seed makes the random references and access spreading reproducible.
	Seed uint64
	// Upper is the layer above RR (MM). When it is nil the phone camps
	// and stays idle.
	Upper Upper
	// TxPowerLevel is the MS power level (TS 45.005 §4.1.1) reported in
	// the uplink SACCH L1 header.
	TxPowerLevel uint8
	// Log receives the phone's events; nil discards them.
	Log *slog.Logger
	// Decoder, when not nil, decodes the common channels' blocks (BCCH,
	// CCCH) in place of coding.DecodeXCCH: a simulated air where many
	// phones hear the same soft bits shares one decoding among them.
	Decoder XCCHDecoder
}

// XCCHDecoder decodes one xCCH block from its four bursts' soft bits as
// coding.DecodeXCCH does, with the same results.
type XCCHDecoder interface {
	DecodeXCCH(dst *[23]byte, soft *[4][116]int8) (coding.Quality, bool)
}

// Cell is what the phone learnt about the serving cell.
type Cell struct {
	BSIC    tdma.BSIC
	LAI     l3.LAI
	CI      uint16
	Control rr.ControlChannelDesc
	Options rr.CellOptions
	CellSel rr.CellSelParams
	RACH    rr.RACHControl
	// SI has bit n set when SYSTEM INFORMATION TYPE n (1..6) was received.
	SI uint8
	// BA is the BCCH allocation of the neighbour cells the cell
	// broadcasts (TS 44.018 §3.2.2.1, §10.5.2.22): SI2's Neighbour Cell
	// Description, joined with SI2bis's extended list when SI2's EXT-IND
	// says the list continues there (§9.1.33). BAComplete says whether
	// all of it has been read. (SI2ter's list, of the other band of a
	// multiband cell, is not read.)
	BA rr.FreqSet
	// BAExt is SI2's EXT-IND; SI2bis says SI2bis has been read.
	BAExt, SI2bis bool
	ba2, ba2bis   rr.FreqSet
}

// BAComplete reports whether the neighbour cells' BA list has been read
// in full: SI2, and SI2bis when SI2 announced it.
func (c *Cell) BAComplete() bool { return c.SI&(1<<2) != 0 && (!c.BAExt || c.SI2bis) }

func (c *Cell) joinBA() {
	for i := range c.BA {
		c.BA[i] = c.ba2[i] | c.ba2bis[i]
	}
}

// Stats counts what the phone did.
type Stats struct {
	FCCH, SCH, SCHBad uint64
	Blocks, BadBlocks uint64 // downlink xCCH blocks decoded / failed
	ChannelRequests   uint64
	AccessAttempts    uint64 // access procedures started
	ImmAss, ImmAssRej uint64 // ones that matched our requests
	ImmAssOther       uint64 // Immediate Assignments for other phones
	Pages             uint64
	SACCHUp, SDCCHUp  uint64 // uplink blocks with content (not fill)
	MeasReports       uint64
	SI5, SI6          uint64
	RadioLinkFailures uint64
	CellLost          uint64 // downlink signalling failures in idle mode
	Releases          uint64
	// The channel release procedure (TS 44.018 §3.4.13.1.1), timed from
	// the Channel Release received to back in idle, in TDMA frames of
	// air: Released counts the timed releases, ReleaseFramesLast,
	// ReleaseFramesMax and ReleaseFramesSum give the last, the worst and
	// the total. DISCRepeats counts DISCs repeated because T200 ran out
	// unanswered (TS 44.006 §5.4.4.3); ReleaseTimeouts counts releases
	// that ended locally, with the DISC never answered by UA or DM.
	Released          uint64
	ReleaseFramesLast int
	ReleaseFramesMax  int
	ReleaseFramesSum  uint64
	DISCRepeats       uint64
	ReleaseTimeouts   uint64
	FirstRACH, Assign tdma.FN // real FN of the first channel request, of the assignment
	HaveFirstRACH     bool
	// AttemptRACH is the real FN of the first channel request of the
	// latest access attempt: with RegisteredFN, the air time from RACH to
	// location update accept.
	AttemptRACH  tdma.FN
	Registered   bool
	RegisteredFN tdma.FN
	// Traffic channels: assignments carried out, Channel Mode Modify
	// answered, FACCH/F blocks and speech frames each way (SpeechBad:
	// downlink speech frames failing the CRC).
	Assignments, ModeModified uint64
	FACCHUp, FACCHDown        uint64
	SpeechUp, SpeechDown      uint64
	SpeechBad                 uint64
	// RAFailedTwice counts random accesses that failed again after
	// T3213: each is a failed location updating attempt for MM.
	RAFailedTwice uint64
}

// Phone is one mobile station. It is a pure state machine: one goroutine
// (the phone's frame loop) calls Listen, Receive and Frame.
type Phone struct {
	cfg   Config
	log   *slog.Logger
	rng   *rand.Rand
	state State
	best  Milestone
	stats Stats

	synced bool
	fnOff  int     // real FN = local FN + fnOff
	schAt  tdma.FN // local FN of the expected SCH
	cell   Cell
	comb0  l1.Combination
	ccch   l1.CCCH
	pgMF   int // paging multiframe index
	pgBlk  int // paging CCCH block

	acc  [tdma.Slots]blockAcc
	blk  [23]byte
	rach access
	// t3122 holds back access after an Immediate Assignment Reject.
	t3122    tdma.FN
	t3122On  bool
	retryAt  tdma.FN // when the Upper's pending access is retried
	retryOn  bool
	ded      dedicated
	released tdma.FN // deadline of the releasing state
	relFrom  tdma.FN // real FN the Channel Release was received
	lastFN   tdma.FN // the last downlink frame Listen saw (real)
	pageResp bool    // the access answers paging: send a Paging Response
	dsc      int     // downlink signalling failure counter, TS 45.008 §6.5
	// raFailures counts random access failures in a row (T3126 expiries).
	raFailures int
	// sdcchLink is the LAPDm link of SDCCHs, reused by every access (a
	// TCH/F gets one with FACCH/F parameters).
	sdcchLink *lapdm.Link
	// siReadAt is when the phone reads SI3 again (TS 45.008 §6.6.1).
	siReadAt tdma.FN
}

// blockAcc gathers the four bursts of a downlink block on one timeslot.
type blockAcc struct {
	active bool
	ch     l1.Chan
	start  tdma.FN
	got    uint8
	n      int
	rssi   float32
	soft   [4][116]int8
}

// New returns a phone that is switched off; call PowerOn.
func New(cfg Config) (*Phone, error) {
	if cfg.SIM == nil {
		return nil, fmt.Errorf("%w: no SIM", ErrConfig)
	}
	if _, err := l1.IMSIMod1000(cfg.SIM.IMSI); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIMSI, err)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Phone{cfg: cfg, log: log, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6d73)), comb0: l1.CombIV}
	return p, nil
}

// PowerOn starts the cell search.
func (p *Phone) PowerOn() {
	if p.state == StateOff {
		p.state = StateSearch
	}
}

// State returns the RR state.
func (p *Phone) State() State { return p.state }

// Best returns the furthest milestone reached.
func (p *Phone) Best() Milestone { return p.best }

// Stats returns the counters.
func (p *Phone) Stats() Stats { return p.stats }

// Cell returns what the phone knows of its serving cell.
func (p *Phone) Cell() Cell { return p.cell }

// Upper returns the layer above RR given in the Config.
func (p *Phone) Upper() Upper { return p.cfg.Upper }

// SIM returns the phone's SIM.
func (p *Phone) SIM() *mm.SIM { return p.cfg.SIM }

// Synced reports whether the phone is synchronised to a cell, and the
// offset from the radio's frame count to the cell's frame numbers.
func (p *Phone) Synced() (offset int, ok bool) { return p.fnOff, p.synced }

// TA returns the timing advance in use, in symbol periods (TS 45.010
// §5.6): 0 except on a dedicated channel.
func (p *Phone) TA() uint8 {
	if p.state == StateDedicated || p.state == StateReleasing {
		return p.ded.ta
	}
	return 0
}

func (p *Phone) reach(m Milestone) {
	if m > p.best {
		p.best = m
	}
}

func (p *Phone) real(local tdma.FN) tdma.FN { return local.Add(p.fnOff) }

// Listen fills plan with what to receive in downlink frame fn (the
// radio's frame count) and runs the timers due by that frame. The radio
// calls it once per frame, before it demodulates the frame.
func (p *Phone) Listen(fn tdma.FN, plan *Plan) {
	*plan = Plan{}
	switch p.state {
	case StateOff:
		return
	case StateSearch:
		plan.Slots[0] = ListenFCCH
		return
	case StateSync:
		switch d := fn.Sub(p.schAt); {
		case d == 0:
			plan.Slots[0] = ListenSCH
		case d > 0:
			p.state = StateSearch // the SCH did not come: search again
			plan.Slots[0] = ListenFCCH
		}
		return
	}
	f := p.real(fn)
	p.lastFN = f
	p.timers(f)
	tsc := p.cell.BSIC.BCC
	s := p.comb0.Downlink(0, f)
	switch p.state {
	case StateBCCH, StateBarred:
		if s.Chan.Kind == l1.ChanBCCH {
			plan.Slots[0], plan.TSC[0] = ListenNormal, tsc
		}
	case StateIdle:
		switch {
		case s.Chan.Kind == l1.ChanBCCH && (p.cell.SI&0x1e != 0x1e || !p.cell.BAComplete()):
			plan.Slots[0], plan.TSC[0] = ListenNormal, tsc // SI1..SI4 (and SI2bis) not all read yet
		case s.Chan.Kind == l1.ChanBCCH && f.Sub(p.siReadAt) >= 0:
			plan.Slots[0], plan.TSC[0] = ListenNormal, tsc // the periodic re-read (SI3)
		case s.Chan.Kind == l1.ChanCCCH && int(s.Chan.Sub) == p.pgBlk && (int(f)/51)%p.ccch.PAMfrms == p.pgMF:
			plan.Slots[0], plan.TSC[0] = ListenNormal, tsc
		}
	case StateAccess:
		// TS 44.018 §3.3.1.1.2: after its first request the MS listens
		// to the BCCH and the whole CCCH.
		if s.Chan.Kind == l1.ChanCCCH || s.Chan.Kind == l1.ChanBCCH {
			plan.Slots[0], plan.TSC[0] = ListenNormal, tsc
		}
	case StateDedicated, StateReleasing:
		d := &p.ded
		ds := d.comb.Downlink(d.tn, f)
		if d.mine(ds.Chan) {
			plan.Slots[d.tn], plan.TSC[d.tn] = ListenNormal, d.tsc
		}
	}
}

// Receive takes one burst received on a slot that Listen asked for.
// KindNone marks a burst that was not detected. b.FN is the radio's frame
// count. It never panics on what the air brings.
func (p *Phone) Receive(b *tdma.RxBurst) {
	if b == nil {
		return
	}
	switch p.state {
	case StateOff:
		return
	case StateSearch:
		if b.Kind == tdma.KindFCCH {
			p.stats.FCCH++
			p.state, p.schAt = StateSync, b.FN.Add(1)
		}
		return
	case StateSync:
		if b.FN != p.schAt {
			return
		}
		if b.Kind != tdma.KindSCH {
			p.state = StateSearch
			return
		}
		p.sch(b)
		return
	}
	if b.TN > 7 {
		return
	}
	f := p.real(b.FN)
	comb := p.comb0
	if p.state == StateDedicated || p.state == StateReleasing {
		if b.TN != p.ded.tn {
			return
		}
		if p.ded.onTCH() {
			p.tchReceive(b, f)
			return
		}
		comb = p.ded.comb
	} else if b.TN != 0 {
		return
	}
	s := comb.Downlink(b.TN, f)
	switch s.Chan.Kind {
	case l1.ChanBCCH, l1.ChanCCCH, l1.ChanSDCCH4, l1.ChanSDCCH8, l1.ChanSACCHC4, l1.ChanSACCHC8:
	default:
		return
	}
	a := &p.acc[b.TN]
	start := s.BlockStart(f)
	if !a.active || a.start != start || a.ch != s.Chan {
		*a = blockAcc{active: true, ch: s.Chan, start: start}
	}
	bi := s.Burst & 3
	if b.Kind == tdma.KindNormal {
		tdma.NormalData(&a.soft[bi], (*[tdma.BurstBits]int8)(&b.Soft))
		if a.got&(1<<bi) == 0 {
			a.n++
			a.rssi += b.RSSI
		}
		a.got |= 1 << bi
	} else {
		clear(a.soft[bi][:])
	}
	if bi == 3 {
		a.active = false
		for i := range a.soft {
			if a.got&(1<<i) == 0 {
				clear(a.soft[i][:])
			}
		}
		var q coding.Quality
		var ok bool
		if a.ch.Kind.Dedicated() {
			q, ok = p.decodeDedicated(a)
		} else if p.cfg.Decoder != nil {
			q, ok = p.cfg.Decoder.DecodeXCCH(&p.blk, &a.soft)
		} else {
			q, ok = coding.DecodeXCCH(&p.blk, &a.soft)
		}
		ok = ok && a.n >= 2
		var rssi float32 = -150
		if a.n > 0 {
			rssi = a.rssi / float32(a.n)
		}
		p.stats.Blocks++
		if !ok {
			p.stats.BadBlocks++
		}
		p.block(a.ch, a.start, ok, q, rssi)
	}
}

// sch decodes the synchronisation burst and synchronises to the cell.
// TS 45.002 §3.3.2.2.1: the SCH carries T1, T2 and T3' = (T3−1)/10, in
// frames whose T3 is 1, 11, 21, 31 or 41.
func (p *Phone) sch(b *tdma.RxBurst) {
	var s78 [tdma.SCHDataBits]int8
	tdma.SCHData(&s78, (*[tdma.BurstBits]int8)(&b.Soft))
	var info [25]byte
	if _, ok := coding.DecodeSCH(&info, &s78); !ok {
		p.stats.SCHBad++
		p.state = StateSearch
		return
	}
	bsic, t1, t2, t3p := coding.UnpackSCHInfo(&info)
	if t3p > 4 || t2 > 25 {
		p.stats.SCHBad++
		p.state = StateSearch
		return
	}
	f := tdma.FromT(t1, t2, 10*t3p+1)
	if f.T2() != t2 {
		p.stats.SCHBad++
		p.state = StateSearch
		return
	}
	p.stats.SCH++
	p.fnOff = f.Sub(b.FN)
	p.synced = true
	p.cell = Cell{BSIC: bsic}
	p.comb0 = l1.CombIV // the BCCH positions are the same in IV and V
	p.acc = [tdma.Slots]blockAcc{}
	p.state = StateBCCH
	p.reach(MsSynced)
	p.log.Debug("synchronised", "bsic", bsic, "fn", uint32(f))
}

// block handles one decoded (or failed) downlink block.
func (p *Phone) block(ch l1.Chan, start tdma.FN, ok bool, q coding.Quality, rssi float32) {
	switch ch.Kind {
	case l1.ChanBCCH, l1.ChanCCCH:
		if ch.Kind == l1.ChanCCCH && p.state == StateIdle && int(ch.Sub) == p.pgBlk {
			p.downlinkSignalling(ok)
			if p.state != StateIdle {
				return
			}
		}
		if ok {
			p.ccchBlock(ch, start)
		}
	case l1.ChanSDCCH4, l1.ChanSDCCH8:
		p.dedicatedBlock(false, start, ok, q, rssi)
	case l1.ChanSACCHC4, l1.ChanSACCHC8:
		p.dedicatedBlock(true, start, ok, q, rssi)
	}
}

func (p *Phone) ccchBlock(ch l1.Chan, start tdma.FN) {
	t, err := rr.MessageType(p.blk[:])
	if err != nil {
		return
	}
	switch t {
	case rr.MsgSI1, rr.MsgSI2, rr.MsgSI3, rr.MsgSI4:
		if ch.Kind != l1.ChanBCCH {
			return
		}
		if p.cell.SI&(1<<(siNumber(t))) != 0 && p.state != StateBCCH && p.state != StateBarred &&
			!(t == rr.MsgSI3 && (p.state == StateAccess || start.Sub(p.siReadAt) >= 0)) {
			return // already read
		}
	case rr.MsgSI2bis:
		if ch.Kind != l1.ChanBCCH || p.cell.SI2bis && p.state != StateBCCH && p.state != StateBarred {
			return
		}
	case rr.MsgPagingRequest1, rr.MsgPagingRequest2, rr.MsgPagingRequest3:
		if p.state != StateIdle {
			return
		}
	case rr.MsgImmAss, rr.MsgImmAssReject:
		if p.state != StateAccess {
			return
		}
	default:
		return
	}
	m, err := rr.DecodeCCCH(p.blk[:])
	if err != nil {
		return
	}
	switch m := m.(type) {
	case *rr.SI1:
		p.cell.SI |= 1 << 1
	case *rr.SI2:
		p.cell.SI |= 1 << 2
		p.cell.ba2, p.cell.BAExt = m.Neighbours, m.ExtInd
		p.cell.joinBA()
	case *rr.SI2bis:
		p.cell.SI2bis = true
		p.cell.ba2bis = m.Neighbours
		p.cell.joinBA()
	case *rr.SI3:
		p.cell.SI |= 1 << 3
		p.si3(m)
	case *rr.SI4:
		p.cell.SI |= 1 << 4
	case *rr.PagingRequest1:
		p.paging(m)
	case *rr.PagingRequest2:
		p.paging2(m)
	case *rr.PagingRequest3:
		p.paging3(m)
	case *rr.ImmediateAssignment:
		p.immAss(m, start)
	case *rr.ImmediateAssignmentReject:
		p.immAssReject(m, start)
	}
}

func siNumber(t rr.MsgType) int {
	switch t {
	case rr.MsgSI1:
		return 1
	case rr.MsgSI2:
		return 2
	case rr.MsgSI3:
		return 3
	case rr.MsgSI4:
		return 4
	}
	return 7
}

// si3 takes the cell's identity and CCCH configuration and camps on it
// when it is not barred (TS 43.022 §3.5.1: CELL_BAR_ACCESS; the C1
// criterion is met on the simulated air).
func (p *Phone) si3(m *rr.SI3) {
	p.siReadAt = p.lastFN.Add(siRefreshFrames)
	p.cell.LAI, p.cell.CI = m.LAI, m.CI
	p.cell.Control, p.cell.Options, p.cell.CellSel, p.cell.RACH = m.Control, m.Options, m.CellSel, m.RACH
	comb := l1.CombIV
	if m.Control.CCCHConf == rr.CCCH1Combined {
		comb = l1.CombV
	}
	c, err := l1.NewCCCH(comb, int(m.Control.BSAGBlksRes), int(m.Control.BSPAMfrms))
	if err != nil {
		return // a CCCH configuration we cannot use
	}
	_, pg, err := c.Groups(p.cfg.SIM.IMSI)
	if err != nil {
		return
	}
	p.comb0, p.ccch = comb, c
	p.pgMF, p.pgBlk = c.PagingBlock(pg)
	if m.RACH.CellBarred {
		if p.state != StateBarred {
			p.log.Info("cell barred", "lai", m.LAI)
		}
		p.state = StateBarred
		return
	}
	if p.state == StateBCCH || p.state == StateBarred {
		p.state = StateIdle
		p.dsc = dscMax(c.PAMfrms)
		p.reach(MsCamped)
		p.log.Debug("camped", "lai", m.LAI, "ci", m.CI, "bsic", p.cell.BSIC, "paging_group", pg)
		if p.cfg.Upper != nil {
			if o, ok := p.cfg.Upper.(CellOptions); ok {
				o.SetATT(m.Control.ATT)
			}
			p.cfg.Upper.Camped(p.cell.LAI, p.cell.Control.T3212)
		}
		p.maybeAccess()
	}
}

// dscMax is the initial downlink signalling failure counter, 90 /
// BS_PA_MFRMS (TS 45.008 §6.5).
func dscMax(paMfrms int) int { return 90 / max(paMfrms, 1) }

// downlinkSignalling runs the downlink signalling failure counter on the
// phone's paging blocks (TS 45.008 §6.5): +1 for a block decoded, −4 for
// one not; at 0 the cell is lost and the phone searches again.
func (p *Phone) downlinkSignalling(ok bool) {
	if ok {
		p.dsc = min(p.dsc+1, dscMax(p.ccch.PAMfrms))
		return
	}
	if p.dsc -= 4; p.dsc <= 0 {
		p.stats.CellLost++
		p.log.Info("downlink signalling failure: cell lost", "lai", p.cell.LAI)
		p.loseCell()
	}
}

// loseCell drops the serving cell and starts the cell search again.
func (p *Phone) loseCell() {
	p.synced = false
	p.state = StateSearch
	p.acc = [tdma.Slots]blockAcc{}
	p.t3122On, p.retryOn = false, false
}

// paging checks a Paging Request Type 1 for the phone's identities (TS
// 44.018 §3.3.2.2) and, when paged, starts the access with cause "answer
// to paging"; the Paging Response goes in the SABM.
func (p *Phone) paging(m *rr.PagingRequest1) {
	if p.cfg.Upper == nil {
		return
	}
	for i := 0; i < m.Count && i < len(m.Identity); i++ {
		if p.cfg.Upper.Paged(m.Identity[i]) {
			p.stats.Pages++
			if p.state == StateIdle && !p.t3122On && !p.barred() {
				p.pageResp = true
				p.startAccessNeed(rr.EstPaging, m.ChanNeeded[i])
			}
			return
		}
	}
}

// maybeAccess starts the access procedure when the Upper wants a
// connection and T3122 is not running.
func (p *Phone) maybeAccess() {
	if p.state != StateIdle || p.cfg.Upper == nil || p.t3122On || p.retryOn {
		return
	}
	if p.barred() {
		// TS 24.008 §4.4.4.9 (a): not started, not an attempt; it
		// starts when the barring is lifted.
		return
	}
	cause, ok := p.cfg.Upper.WantsConnection()
	if !ok {
		return
	}
	p.pageResp = false
	p.startAccess(cause)
}

// AccessClass returns the phone's access class, 0..9: the last digit of
// its IMSI (TS 22.011 §4.2 leaves the allocation to the operator; the
// classes are spread evenly over the subscribers this way).
func (p *Phone) AccessClass() int {
	imsi := p.cfg.SIM.IMSI
	if imsi == "" {
		return 0
	}
	return int(imsi[len(imsi)-1]-'0') % 10
}

// barred reports whether the cell bars the phone's access class (TS
// 44.018 §3.3.1.1.1, the Access Control Class bits of the RACH Control
// Parameters, §10.5.2.29).
func (p *Phone) barred() bool {
	return p.cell.RACH.Barred&(1<<p.AccessClass()) != 0
}

// siRefreshFrames is how often a camped phone reads the serving cell's
// BCCH again: at least every 30 s (TS 45.008 §6.6.1).
const siRefreshFrames = 30 * 1000 * 26 / 120

// timers runs the frame-number deadlines due at real frame f.
func (p *Phone) timers(f tdma.FN) {
	if p.t3122On && f.Sub(p.t3122) >= 0 {
		p.t3122On = false
	}
	if p.retryOn && f.Sub(p.retryAt) >= 0 {
		p.retryOn = false
	}
	if p.cfg.Upper != nil && p.cfg.Upper.Tick(f) {
		// MM aborts the RR connection (a timer expired, TS 24.008
		// §4.4.4.9): release locally, or give up the access.
		switch p.state {
		case StateDedicated, StateReleasing:
			p.toIdle(false)
		case StateAccess:
			p.state = StateIdle
		}
	}
	if p.state == StateIdle {
		p.maybeAccess()
	}
	switch p.state {
	case StateAccess:
		if p.rach.waiting && f.Sub(p.rach.t3126) >= 0 {
			// TS 44.018 §3.3.1.1.2: T3126 expired, the access failed.
			p.log.Debug("access failed: no answer", "requests", p.rach.sent)
			p.state = StateIdle
			// TS 24.008 §4.4.4.9 (c): a random access failure starts
			// T3213 (4 s) and the access is tried again; two in a row
			// fail the procedure.
			p.retryAt, p.retryOn = f.Add(t3213Frames), true
			if p.raFailures++; p.raFailures >= 2 && p.cfg.Upper != nil {
				p.raFailures = 0
				p.stats.RAFailedTwice++
				if af, ok := p.cfg.Upper.(AccessFailer); ok {
					af.RandomAccessFailed()
				} else {
					p.cfg.Upper.Released(false)
				}
			}
		}
	case StateDedicated, StateReleasing:
		p.dedTimers(f)
	}
}

// accessFailed holds back the next access for one to two seconds; when
// MM retries is MM's business (T3211, TS 24.008 §4.4.4.9).
func (p *Phone) accessFailed(f tdma.FN) {
	p.retryAt, p.retryOn = f.Add(retryFrames+p.rng.IntN(retryFrames)), true
}

// retryFrames is about 2 s of frames.
const retryFrames = 433

// t3213Frames is T3213, 4 s (TS 24.008 §11.2.1).
const t3213Frames = 4 * 1000 * 26 / 120

// Frame fills out with the uplink bursts of frame fn (the radio's frame
// count; the uplink frame begins three timeslots after the downlink
// frame of the same number, less the timing advance, TS 45.010 §6) and
// reports whether any burst is to be sent. The radio calls it once per
// frame, in order, a few frames ahead of the downlink it has received.
func (p *Phone) Frame(fn tdma.FN, out *[tdma.Slots]tdma.TxBurst) bool {
	for i := range out {
		out[i].FN, out[i].TN, out[i].Kind, out[i].Att = fn, tdma.TN(i), tdma.KindNone, 0
	}
	if !p.synced {
		return false
	}
	f := p.real(fn)
	switch p.state {
	case StateAccess:
		return p.rachFrame(f, &out[0])
	case StateDedicated, StateReleasing:
		return p.dedFrame(f, out)
	}
	return false
}
