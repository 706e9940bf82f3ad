package l1

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Source supplies the downlink blocks of the dedicated and common control
// channels. The cell implements it (gsm/bts, feeding gsm/rr and gsm/lapdm).
type Source interface {
	// DownlinkBlock asks for the 23-octet L2 block to send on ch in the
	// block whose first burst is in frame fn. It writes the block into dst
	// and returns true, or returns false when it has nothing to send: l1
	// then sends the channel's fill (the LAPDm fill frame on SDCCH/SACCH,
	// Config.IdleCCCH on AGCH/PCH).
	//
	// It is called by Downlink.Frame on the per-cell loop, exactly once per
	// block, at the block's first frame, for ch.Kind ChanAGCH, ChanPCH (only
	// when no paging queued with Downlink.QueuePaging is waiting for that
	// block's paging group; the Source may put an IMMEDIATE ASSIGNMENT
	// there), ChanSDCCH4/8, ChanSACCHC4/C8 and ChanSACCHTF (TCH/F traffic
	// and FACCH/F go through TrafficSource instead). A SACCH block
	// starts with the two-octet L1 header (ordered MS power level and
	// timing advance, TS 44.004 §7.1). fn is a few frames ahead of the air
	// by the transmit lead of the transceiver.
	//
	// It must not block and must not retain dst.
	DownlinkBlock(ch Chan, fn tdma.FN, dst *[23]byte) bool
}

// FillFrame is the LAPDm fill frame of TS 44.006 §5.4.2.3 / §8.4.2.4 sent on
// a downlink SDCCH with nothing queued: a UI command on SAPI 0 (address
// 0x03: C/R = 1, the network's commands), length 0, then 0x2B padding.
var FillFrame = [23]byte{0x03, 0x03, 0x01,
	0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b,
	0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}

// SACCHFillFrame is sent on a downlink SACCH for which the Source has
// nothing: an L1 header ordering power level 0 and timing advance 0, then
// the LAPDm fill frame. The Source should always have SI5/SI6 for an
// active channel.
var SACCHFillFrame = [23]byte{0x00, 0x00, 0x03, 0x03, 0x01,
	0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b,
	0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}

// UplinkFillFrame is the mobile's fill frame: the same UI command, whose
// address has C/R = 0 in the MS-to-network direction (TS 44.006 §3.3.2).
var UplinkFillFrame = [23]byte{0x01, 0x03, 0x01,
	0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b,
	0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}

// pagingDepth is the number of paging messages that can wait per paging
// group.
const pagingDepth = 4

type pagingRing struct {
	msg        [pagingDepth][23]byte
	head, size uint8
}

// maxPagingGroups is N with 9 CCCH blocks, none reserved, BS_PA_MFRMS 9.
const maxPagingGroups = 9 * 9

// DownlinkStats counts what the Downlink sent since it was made.
type DownlinkStats struct {
	Blocks       uint64 // xCCH blocks encoded
	Fill         uint64 // of which fill frames or idle CCCH
	PagingSent   uint64 // paging messages sent from the queue
	PagingQueued uint64
	PagingDrop   uint64 // QueuePaging calls refused (queue full)
	Partial      uint64 // blocks joined after their first burst, sent as dummy bursts
}

// Downlink is the downlink scheduler of the BCCH carrier C0. Frame fills
// the eight timeslots of one TDMA frame. It is not safe for concurrent use:
// the per-cell loop owns it, and calls Frame, QueuePaging and the BCCH
// setters from the same goroutine.
type Downlink struct {
	// BCCH holds the cell's system information. Install messages before
	// the first Frame and whenever they change; the change takes effect at
	// the next BCCH block.
	BCCH BCCH

	cfg  Config
	lay  Layout // cfg.Slots and the run-time switches (layout.go)
	cur  [8]Combination
	ccch CCCH
	tsc  uint8
	src  Source

	// Per-timeslot block scratch: [tn][0] for the main channel, [tn][1]
	// for SACCH/TF, whose bursts interleave with the TCH/F ones.
	enc      [8][2][4][116]byte
	encStart [8][2]tdma.FN
	encOK    [8][2]bool

	// TCH/F state per timeslot (combination I).
	tchEnc   [8]coding.TCHFEncoder
	tch      [8][4][116]byte
	tchStart [8]tdma.FN
	tchOK    [8]bool
	speech   [260]byte

	// Downlink ciphering per dedicated channel, [TN][sub-channel] (sub 0
	// for TCH/F); see SetCipher.
	ciph [8][8]Cipher

	block   [23]byte
	schInfo [25]byte
	sch     [78]byte
	paging  [maxPagingGroups]pagingRing
	ev      TapEvent
	stats   DownlinkStats
}

// NewDownlink checks cfg and returns a Downlink that takes its dedicated
// and CCCH blocks from src (which may be nil: then every such block is
// fill).
func NewDownlink(cfg Config, src Source) (*Downlink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ccch, err := cfg.CCCH()
	if err != nil {
		return nil, err
	}
	return &Downlink{cfg: cfg, lay: NewLayout(cfg.Slots), cur: cfg.Slots, ccch: ccch, tsc: cfg.TSC(), src: src}, nil
}

// Switch changes timeslot tn to combination to from frame at on (see
// Layout.Switch). The caller makes the same switch on the Uplink and in
// its receive plan, and only when no channel on tn is active.
func (d *Downlink) Switch(tn tdma.TN, to Combination, at tdma.FN) error {
	return d.lay.Switch(tn, to, at)
}

// Layout returns the timeslots' combinations with their switches.
func (d *Downlink) Layout() Layout { return d.lay }

// reset drops what timeslot tn had under way: its combination changed.
func (d *Downlink) reset(tn tdma.TN) {
	d.encOK[tn] = [2]bool{}
	d.tchOK[tn] = false
	d.tchEnc[tn].Reset()
	d.ciph[tn] = [8]Cipher{}
}

// CCCH returns the cell's CCCH layout (paging groups and blocks).
func (d *Downlink) CCCH() CCCH { return d.ccch }

// Stats returns the counters.
func (d *Downlink) Stats() DownlinkStats { return d.stats }

// PagingGroup returns the paging group of an IMSI in this cell.
func (d *Downlink) PagingGroup(imsi string) (int, error) {
	_, pg, err := d.ccch.Groups(imsi)
	return pg, err
}

// QueuePaging queues a paging message (a complete 23-octet Paging Request)
// for paging group pg; it is sent in the group's next paging block. It
// returns false, counting a drop, when the group's queue is full or pg is
// out of range.
func (d *Downlink) QueuePaging(pg int, msg *[23]byte) bool {
	if pg < 0 || pg >= d.ccch.N() {
		d.stats.PagingDrop++
		return false
	}
	r := &d.paging[pg]
	if r.size == pagingDepth {
		d.stats.PagingDrop++
		return false
	}
	r.msg[(int(r.head)+int(r.size))%pagingDepth] = *msg
	r.size++
	d.stats.PagingQueued++
	return true
}

// Page queues msg in the paging group of imsi; see QueuePaging.
func (d *Downlink) Page(imsi string, msg *[23]byte) (bool, error) {
	pg, err := d.PagingGroup(imsi)
	if err != nil {
		return false, fmt.Errorf("page: %w", err)
	}
	return d.QueuePaging(pg, msg), nil
}

// Frame fills out with the bursts of all eight timeslots of frame fn.
// Every entry gets FN, TN and a burst: FCCH, SCH, a normal burst of an
// xCCH block, or a dummy burst. It does not allocate.
func (d *Downlink) Frame(fn tdma.FN, out *[8]tdma.TxBurst) {
	fn %= tdma.HyperFrame
	for tn := range out {
		b := &out[tn]
		b.FN, b.TN, b.Att = fn, tdma.TN(tn), 0
		d.slot(fn, tdma.TN(tn), b)
	}
}

func dummy(b *tdma.TxBurst) {
	b.Kind = tdma.KindDummy
	b.Bits = tdma.Dummy
}

func (d *Downlink) slot(fn tdma.FN, tn tdma.TN, b *tdma.TxBurst) {
	comb := d.lay.At(tn, fn)
	if comb != d.cur[tn] {
		d.reset(tn)
		d.cur[tn] = comb
	}
	s := comb.Downlink(tn, fn)
	switch s.Chan.Kind {
	case ChanFCCH:
		b.Kind = tdma.KindFCCH
		b.Bits = tdma.FCCH
		return
	case ChanSCH:
		coding.PackSCHInfo(&d.schInfo, d.cfg.BSIC, fn)
		coding.EncodeSCH(&d.sch, &d.schInfo)
		b.Kind = tdma.KindSCH
		tdma.SCH(&b.Bits, &d.sch)
		return
	case ChanTCHF:
		d.tchSlot(fn, tn, s, b)
		return
	case ChanIdle, ChanRACH:
		dummy(b)
		return
	}
	k := 0
	if s.Chan.Kind == ChanSACCHTF {
		k = 1
	}
	start := s.BlockStart(fn)
	if s.Burst == 0 {
		if k == 1 && d.tchOff(tn) {
			// The SACCH of a TCH/F that is off is off too.
			d.encOK[tn][k] = false
			d.encStart[tn][k] = fn
			dummy(b)
			return
		}
		d.encOK[tn][k] = d.fill(s.Chan, fn, &d.enc[tn][k])
		d.encStart[tn][k] = fn
	}
	if !d.encOK[tn][k] || d.encStart[tn][k] != start {
		if s.Burst != 0 && d.encStart[tn][k] != start {
			d.stats.Partial++
		}
		dummy(b)
		return
	}
	b.Kind = tdma.KindNormal
	tdma.Normal(&b.Bits, &d.enc[tn][k][s.Burst], d.tsc)
	if c := burstCipher(&d.ciph, tn, s.Chan); c != nil {
		c.EncryptBurst(DirDown, fn, &b.Bits)
	}
}

// fill picks, encodes and taps the block of ch starting at fn. It returns
// false when there is nothing at all to send (an empty BCCH).
func (d *Downlink) fill(ch Chan, fn tdma.FN, enc *[4][116]byte) bool {
	blk := &d.block
	fill := false
	switch ch.Kind {
	case ChanBCCH:
		ch.Sub = TC(fn)
		_, msg, ok := d.BCCH.Norm(fn)
		if !ok {
			return false
		}
		*blk = *msg
	case ChanCCCH:
		fill = d.ccchBlock(&ch, fn, blk)
	default:
		if d.src == nil || !d.src.DownlinkBlock(ch, fn, blk) {
			fill = true
			if ch.Kind.SACCH() {
				*blk = SACCHFillFrame
			} else {
				*blk = FillFrame
			}
		}
	}
	coding.EncodeXCCH(enc, blk)
	d.stats.Blocks++
	if fill {
		d.stats.Fill++
	}
	if d.cfg.Tap != nil {
		d.ev = TapEvent{Chan: ch, FN: fn, ARFCN: d.cfg.ARFCN, Data: blk[:]}
		d.cfg.Tap(&d.ev)
	}
	return true
}

// ccchBlock resolves CCCH block ch.Sub into BCCH Ext, AGCH or PCH and fills
// blk; it returns true when blk is the idle filler.
func (d *Downlink) ccchBlock(ch *Chan, fn tdma.FN, blk *[23]byte) bool {
	n := int(ch.Sub)
	if n == 0 && d.cfg.BCCHExt {
		if _, msg, ok := d.BCCH.Ext(fn); ok {
			ch.Kind, ch.Sub = ChanBCCHExt, TC(fn)
			*blk = *msg
			return false
		}
	}
	if n < d.ccch.AGBlksRes {
		ch.Kind = ChanAGCH
	} else {
		ch.Kind = ChanPCH
		if pg, ok := d.ccch.PagingGroupAt(fn, n); ok {
			if r := &d.paging[pg]; r.size > 0 {
				*blk = r.msg[r.head]
				r.head = (r.head + 1) % pagingDepth
				r.size--
				d.stats.PagingSent++
				return false
			}
		}
	}
	if d.src != nil && d.src.DownlinkBlock(*ch, fn, blk) {
		return false
	}
	*blk = d.cfg.IdleCCCH
	return true
}
