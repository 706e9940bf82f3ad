package bts

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Radio timers of the dedicated-channel procedures, as frame counts
// (TS 44.018 §11.1; one TDMA frame is 120/26 ms).
const (
	// T3101 guards an Immediate Assignment: the channel is freed if the
	// MS has not shown up on it (a good uplink block) within about 3 s.
	T3101Frames = 650
	// agchDepth is how many access grants can wait for an AGCH block.
	agchDepth = 8
	// T3122Seconds is the wait indication sent in Immediate Assignment
	// Reject when no channel is free.
	T3122Seconds = 10
)

// ChanState is where a dedicated channel is in its life.
type ChanState uint8

// Dedicated channel states.
const (
	ChanFree     ChanState = iota
	ChanAssigned           // Immediate Assignment queued or sent; T3101 running
	ChanActive             // the MS is on the channel
)

var chanStateNames = [...]string{"free", "assigned", "active"}

func (s ChanState) String() string { return chanStateNames[s] }

// Link is what sits on an active dedicated channel above layer 1: LAPDm
// and the layer 3 behind it. The cell makes one per channel activation
// through Config.NewLink and calls it on the per-cell loop only; a Link
// must not block.
type Link interface {
	// Downlink fills the SDCCH block starting at fn; false sends the
	// LAPDm fill frame.
	Downlink(fn tdma.FN, dst *[23]byte) bool
	// DownlinkSACCH may fill a SACCH block with a frame of its own (a
	// SAPI 3 frame, say) from octet 2 on; the cell then writes the L1
	// header into octets 0 and 1. false sends the cell's SI5/SI6.
	DownlinkSACCH(fn tdma.FN, dst *[23]byte) bool
	// Uplink hands up a good SDCCH block.
	Uplink(fn tdma.FN, msg *[23]byte)
	// UplinkSACCH hands up a good SACCH block, L1 header (the MS's power
	// level and timing advance in use, TS 44.004 §7.3) included.
	UplinkSACCH(fn tdma.FN, msg *[23]byte)
	// Tick is called once per frame while the channel is active, for
	// frame-number timers (T200).
	Tick(fn tdma.FN)
	// Done reports that the link has finished (released) and the channel
	// can be freed.
	Done() bool
}

// LinkLoser is implemented by a Link that wants to know when the cell
// frees its channel because the radio link is lost (TS 45.008 §5.2) or
// the cell is shutting the channel: the Link's procedures end there, with
// nothing more sent.
type LinkLoser interface {
	Lost(fn tdma.FN)
}

// ChanInfo describes a dedicated channel to its Link.
type ChanInfo struct {
	Chan l1.Chan // the SDCCH
	// Cause is what the MS asked for in its Channel Request.
	Cause rr.EstCause
	// RA and FN are the Channel Request's reference.
	RA uint8
	FN tdma.FN
	// StartCipher is called by the Link when it sends the Ciphering Mode
	// Command (TS 44.018 §3.4.7.2): the cell starts deciphering the
	// uplink at once, and enciphering the downlink when the first block
	// arrives correctly deciphered from the MS. The key is wiped when the
	// channel is freed.
	StartCipher func(alg a5.Alg, kc [8]byte) error
}

// dchan is one SDCCH with its SACCH.
type dchan struct {
	ch       l1.Chan // the SDCCH; its SACCH has the same TN and Sub
	desc     rr.ChannelDesc
	state    ChanState
	info     ChanInfo
	link     Link
	deadline tdma.FN // T3101 while assigned
	ta       uint8   // ordered timing advance, 0..63
	msPower  uint8   // ordered MS power control level
	msDBm    int     // the power msPower orders, in dBm
	rlc      int     // radio link counter S (TS 45.008 §5.2)
	sacchSeq uint8   // SI5/SI6 alternation
	// cipherPending holds the algorithm and key until the first
	// deciphered uplink block turns on the downlink.
	cipherPending bool
	cipherAlg     a5.Alg
	kc            [8]byte
}

// DedicatedStats counts dedicated-channel events.
type DedicatedStats struct {
	Assigned       uint64 // Immediate Assignments queued
	Rejected       uint64 // Immediate Assignment Rejects queued (no channel)
	AGCHDropped    uint64 // grants dropped because the AGCH queue was full
	Activated      uint64 // channels on which the MS showed up
	T3101Expired   uint64 // assignments the MS never used
	RadioLinkLost  uint64 // channels released on radio link timeout
	Released       uint64 // channels released by their link
	Ignored        uint64 // channel requests for services this cell lacks
	UplinkIgnored  uint64 // uplink blocks on channels not in use
	TimingAdjusted uint64 // timing advance changes ordered on SACCH
	Ciphered       uint64 // channels whose downlink went enciphered
	PowerAdjusted  uint64 // MS power level changes ordered on SACCH
}

// initChannels lists every SDCCH of the cell's configuration.
func (c *Cell) initChannels() {
	arfcn, tsc := c.cfg.Cell.ARFCN, c.cfg.Cell.BSIC.BCC
	for tn, comb := range c.l1cfg.Slots {
		var kind l1.ChanKind
		var typ rr.ChanType
		var n uint8
		switch comb {
		case l1.CombV:
			kind, typ, n = l1.ChanSDCCH4, rr.ChanSDCCH4, 4
		case l1.CombVII:
			kind, typ, n = l1.ChanSDCCH8, rr.ChanSDCCH8, 8
		default:
			continue
		}
		for sub := uint8(0); sub < n; sub++ {
			c.chans = append(c.chans, dchan{
				ch:   l1.Chan{Kind: kind, TN: tdma.TN(tn), Sub: sub},
				desc: rr.ChannelDesc{Type: typ, SubChan: sub, TN: tdma.TN(tn), TSC: tsc, ARFCN: arfcn},
			})
		}
	}
}

// Channels returns the state of every dedicated channel.
func (c *Cell) Channels() []ChanState {
	out := make([]ChanState, len(c.chans))
	for i := range c.chans {
		out[i] = c.chans[i].state
	}
	return out
}

// find returns the dedicated channel of an SDCCH or SACCH, or nil.
func (c *Cell) find(ch l1.Chan) *dchan {
	kind := ch.Kind
	switch kind {
	case l1.ChanSACCHC4:
		kind = l1.ChanSDCCH4
	case l1.ChanSACCHC8:
		kind = l1.ChanSDCCH8
	}
	for i := range c.chans {
		d := &c.chans[i]
		if d.ch.Kind == kind && d.ch.TN == ch.TN && d.ch.Sub == ch.Sub {
			return d
		}
	}
	return nil
}

// AccessBurst implements l1.Sink: a Channel Request (TS 44.018 §3.3.1.1).
// The cell allocates an SDCCH and queues an Immediate Assignment for the
// AGCH, or an Immediate Assignment Reject with a wait indication when all
// are busy.
func (c *Cell) AccessBurst(a *l1.AccessBurst) {
	c.stats.AccessBursts++
	req := rr.ParseChannelRequest(a.RA, c.cfg.Cell.NECI)
	log := c.log.With("ra", a.RA, "fn", uint32(a.FN), "cause", req.Cause, "toa", a.ToA, "rssi", a.RSSI)
	if req.Cause == rr.EstPacket || req.Cause == rr.EstReserved {
		c.ded.Ignored++
		log.Debug("channel request for a service this cell does not offer")
		return
	}
	var d *dchan
	for i := range c.chans {
		if c.chans[i].state == ChanFree {
			d = &c.chans[i]
			break
		}
	}
	if d == nil {
		c.ded.Rejected++
		log.Info("channel request rejected: no free SDCCH")
		rej := rr.ImmediateAssignmentReject{Count: 1}
		for i := range rej.Ref {
			rej.Ref[i] = rr.NewRequestRef(a.RA, a.FN)
			rej.Wait[i] = T3122Seconds
		}
		var blk [23]byte
		if err := rej.MarshalTo(&blk); err == nil {
			c.pushAGCH(&blk)
		}
		return
	}
	ta := timingAdvance(a.ToA)
	ia := rr.ImmediateAssignment{Chan: d.desc, Ref: rr.NewRequestRef(a.RA, a.FN), TA: ta}
	var blk [23]byte
	if err := ia.MarshalTo(&blk); err != nil {
		log.Error("building immediate assignment", "err", err)
		return
	}
	if !c.pushAGCH(&blk) {
		return
	}
	*d = dchan{ch: d.ch, desc: d.desc, state: ChanAssigned,
		info: ChanInfo{Chan: d.ch, Cause: req.Cause, RA: a.RA, FN: a.FN,
			StartCipher: func(alg a5.Alg, kc [8]byte) error { return c.startCipher(d, alg, kc) }},
		deadline: a.FN.Add(T3101Frames), ta: ta,
		msPower: rr.PowerLevel(c.cfg.Cell.Band, c.cfg.Cell.MaxMSTxPowerDBm),
		msDBm:   c.cfg.Cell.MaxMSTxPowerDBm,
		rlc:     int(c.cfg.Cell.RadioLinkTimeout)}
	c.ded.Assigned++
	log.Info("immediate assignment", "chan", d.ch, "ta", ta)
}

// timingAdvance turns an access burst's time of arrival (symbols) into
// the timing advance to order, 0..63 (TS 45.010 §5.4).
func timingAdvance(toa float32) uint8 {
	switch {
	case toa <= 0:
		return 0
	case toa >= 63:
		return 63
	}
	return uint8(toa + 0.5)
}

func (c *Cell) pushAGCH(blk *[23]byte) bool {
	if c.agchN == agchDepth {
		c.ded.AGCHDropped++
		c.log.Warn("AGCH queue full; dropping an access grant")
		return false
	}
	c.agch[(c.agchHead+c.agchN)%agchDepth] = *blk
	c.agchN++
	return true
}

func (c *Cell) popAGCH(dst *[23]byte) bool {
	if c.agchN == 0 {
		return false
	}
	*dst = c.agch[c.agchHead]
	c.agchHead = (c.agchHead + 1) % agchDepth
	c.agchN--
	return true
}

// DownlinkBlock implements l1.Source.
func (c *Cell) DownlinkBlock(ch l1.Chan, fn tdma.FN, dst *[23]byte) bool {
	switch ch.Kind {
	case l1.ChanAGCH, l1.ChanPCH:
		// After its access burst the MS reads every CCCH block (TS 44.018
		// §3.3.1.1.3), so grants go out in paging blocks with no paging
		// waiting as well.
		return c.popAGCH(dst)
	case l1.ChanSDCCH4, l1.ChanSDCCH8:
		d := c.find(ch)
		if d == nil || d.state != ChanActive || d.link == nil {
			return false
		}
		return d.link.Downlink(fn, dst)
	case l1.ChanSACCHC4, l1.ChanSACCHC8:
		d := c.find(ch)
		if d == nil || d.state == ChanFree {
			return false
		}
		return c.sacch(d, fn, dst)
	}
	return false
}

// sacch fills a downlink SACCH block: the L1 header with the ordered
// power and timing advance (TS 44.004 §7.2), then a frame from the link
// or SI5 and SI6 in turn (TS 44.018 §3.4.1).
func (c *Cell) sacch(d *dchan, fn tdma.FN, dst *[23]byte) bool {
	if !(d.state == ChanActive && d.link != nil && d.link.DownlinkSACCH(fn, dst)) {
		if d.sacchSeq%2 == 0 {
			*dst = c.si.SI5
		} else {
			*dst = c.si.SI6
		}
		d.sacchSeq++
	}
	rr.PutSACCHL1Header(dst, d.msPower, false, d.ta)
	return true
}

// UplinkBlock implements l1.Sink.
func (c *Cell) UplinkBlock(b *l1.UplinkBlock) {
	d := c.find(b.Chan)
	if d == nil || d.state == ChanFree {
		if b.Good {
			c.ded.UplinkIgnored++
		}
		return
	}
	sacch := b.Chan.Kind == l1.ChanSACCHC4 || b.Chan.Kind == l1.ChanSACCHC8
	if sacch {
		c.radioLink(d, b)
	}
	if !b.Good {
		return
	}
	if b.Ciphered && d.cipherPending {
		// The MS enciphers: so does the network from now on.
		d.cipherPending = false
		if err := c.dl.SetCipher(d.ch, d.cipherAlg, d.kc); err != nil {
			c.log.Error("cannot encipher the downlink", "chan", d.ch, "err", err)
		}
		clear(d.kc[:])
		c.ded.Ciphered++
	}
	if d.state == ChanAssigned {
		d.state = ChanActive
		c.ded.Activated++
		if c.cfg.NewLink != nil {
			d.link = c.cfg.NewLink(d.info)
		}
		c.log.Info("MS on channel", "chan", d.ch, "fn", uint32(b.FN), "ta", d.ta)
	}
	if sacch {
		// The uplink SACCH L1 header reports the MS's power level and
		// timing advance in use (TS 44.004 §7.3); the rest is LAPDm.
		c.adjustTiming(d, b.ToA)
		c.adjustPower(d, b.RSSI)
		if d.link != nil {
			d.link.UplinkSACCH(b.FN, &b.Msg)
		}
		return
	}
	if d.link != nil {
		d.link.Uplink(b.FN, &b.Msg)
	}
}

// radioLink runs the radio link counter S of TS 45.008 §5.2: it starts at
// RADIO_LINK_TIMEOUT, falls by 1 for each SACCH block that cannot be
// decoded and rises by 2 (to the start value) for each good one; at 0 the
// link is lost and the channel released.
func (c *Cell) radioLink(d *dchan, b *l1.UplinkBlock) {
	if d.state != ChanActive {
		return
	}
	if b.Good {
		d.rlc = min(d.rlc+2, int(c.cfg.Cell.RadioLinkTimeout))
		return
	}
	d.rlc--
	if d.rlc <= 0 {
		c.ded.RadioLinkLost++
		c.log.Info("radio link lost", "chan", d.ch, "fn", uint32(b.FN))
		if l, ok := d.link.(LinkLoser); ok {
			l.Lost(b.FN)
		}
		c.free(d)
	}
}

// adjustTiming keeps the MS's bursts centred: a good SACCH block
// arriving more than half a symbol early or late moves the ordered timing
// advance one step (TS 45.010 §5.5).
func (c *Cell) adjustTiming(d *dchan, toa float32) {
	switch {
	case toa > 0.5 && d.ta < 63:
		d.ta++
	case toa < -0.5 && d.ta > 0:
		d.ta--
	default:
		return
	}
	c.ded.TimingAdjusted++
}

// MS power control (TS 45.008 §4.7): once per SACCH period the ordered
// power moves one 2 dB step towards the level that puts the phone's
// uplink inside the target window; a phone never goes above the cell's
// MS_TXPWR_MAX_CCH nor below the band's lowest power.
const (
	PowerWindowDB = 6
	powerStepDB   = 2
)

func (c *Cell) adjustPower(d *dchan, rssi float32) {
	target := c.cfg.MSPowerTargetDBm
	if target == 0 {
		return
	}
	lo := minMSPowerDBm(c.cfg.Cell.Band)
	switch {
	case rssi > target+PowerWindowDB && d.msDBm-powerStepDB >= lo:
		d.msDBm -= powerStepDB
	case rssi < target-PowerWindowDB && d.msDBm+powerStepDB <= c.cfg.Cell.MaxMSTxPowerDBm:
		d.msDBm += powerStepDB
	default:
		return
	}
	d.msPower = rr.PowerLevel(c.cfg.Cell.Band, d.msDBm)
	c.ded.PowerAdjusted++
}

// minMSPowerDBm is the lowest MS power control level's power, TS 45.005
// §4.1.1: 5 dBm in the 850/900 bands, 0 dBm in 1800/1900.
func minMSPowerDBm(b tdma.Band) int {
	if b == tdma.DCS1800 || b == tdma.PCS1900 {
		return 0
	}
	return 5
}

func (c *Cell) free(d *dchan) {
	c.dl.CipherOff(d.ch)
	c.ul.CipherOff(d.ch)
	*d = dchan{ch: d.ch, desc: d.desc}
}

// startCipher starts deciphering the uplink of d with alg and kc; the
// downlink follows when the MS's first enciphered block decodes.
func (c *Cell) startCipher(d *dchan, alg a5.Alg, kc [8]byte) error {
	if d.state != ChanActive {
		return fmt.Errorf("%w: ciphering on %v, which is %v", ErrConfig, d.ch, d.state)
	}
	if err := c.ul.SetCipher(d.ch, alg, kc); err != nil {
		return err
	}
	if alg == a5.Alg0 {
		return nil
	}
	d.cipherPending, d.cipherAlg, d.kc = true, alg, kc
	return nil
}

// tick runs the dedicated channels' frame-number timers.
func (c *Cell) tick(fn tdma.FN) {
	for i := range c.chans {
		d := &c.chans[i]
		switch d.state {
		case ChanAssigned:
			if !fn.Before(d.deadline) {
				c.ded.T3101Expired++
				c.log.Info("T3101 expired: the MS never came to its channel", "chan", d.ch)
				c.free(d)
			}
		case ChanActive:
			if d.link != nil {
				d.link.Tick(fn)
				if d.link.Done() {
					c.ded.Released++
					c.free(d)
				}
			}
		}
	}
}
