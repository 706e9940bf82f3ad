package bts

import (
	"fmt"
	"slices"

	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Radio timers of the dedicated-channel procedures, as frame counts
// (TS 44.018 §11.1; one TDMA frame is 120/26 ms).
const (
	// T3101 guards an Immediate Assignment: the channel is freed if the
	// MS has not established its main signalling link on it (the SABM,
	// TS 44.018 §3.3.1.1.3) within about 3 s.
	T3101Frames = 650
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

// Release timers of the network side (TS 44.018 §3.4.13.1.1, §11.1.2),
// as frame counts.
const (
	// T3109Frames bounds the wait for the MS's DISC after the Channel
	// Release was delivered (acknowledged by LAPDm, or overtaken by the
	// DISC): about 1.2 s, after which the channel is released locally.
	// It counts from the delivery, not from when the core queued the
	// message: a segmented message ahead of it may take many
	// retransmissions.
	T3109Frames = 260
	// T3111Frames is how long the channel stays allocated after the main
	// signalling link is disconnected: T3110's value, long enough for the
	// MS to send its DISC twice. LAPDm keeps answering a repeated DISC
	// meanwhile, so a lost UA costs the MS one T200, not its T3110.
	T3111Frames = 2*48 + 26
)

// relState is where a channel is in its release (TS 44.018 §3.4.13).
type relState uint8

const (
	relNone    relState = iota
	relSending          // Channel Release queued in LAPDm
	relGuard            // delivered; T3109 runs from relAt
	relHold             // the link is down; T3111 runs to holdUntil
)

// dchan is one dedicated channel (SDCCH with its SACCH, or TCH/F with
// FACCH/F and SACCH/TF) with the LAPDm link that runs on it.
type dchan struct {
	ch       l1.Chan // the main channel; its SACCH has the same TN and Sub
	desc     rr.ChannelDesc
	state    ChanState
	ref      uint32 // the activation, for the seam
	cause    rr.EstCause
	link     *lapdm.Link // made once, reused by every activation
	deadline tdma.FN     // T3101 until SAPI 0 is established
	since    tdma.FN     // activated
	est      bool        // SAPI 0 established: T3101 stopped
	ta       uint8       // ordered timing advance, 0..63
	msPower  uint8       // ordered MS power control level
	msDBm    int         // the power msPower orders, in dBm
	rlc      int         // radio link counter S (TS 45.008 §5.2)
	sacchSeq uint8       // SI5/SI6 alternation
	// cipherPending holds the algorithm and key until the first
	// deciphered uplink block turns on the downlink.
	cipherPending bool
	cipherAlg     a5.Alg
	kc            [8]byte
	// The release (TS 44.018 §3.4.13.1.1).
	rel       relState
	relAt     tdma.FN
	holdUntil tdma.FN
	lastRSSI  float32
	lastToA   float32
	irSeen    uint64 // the link's IRepeated already counted
}

// DedicatedStats counts dedicated-channel events.
type DedicatedStats struct {
	Assigned       uint64 // Immediate Assignments queued
	Rejected       uint64 // Immediate Assignment Rejects queued (no channel)
	AGCHDropped    uint64 // channel requests dropped because the access queue was full
	Activated      uint64 // channels on which the MS showed up
	T3101Expired   uint64 // assignments the MS never used
	RadioLinkLost  uint64 // channels released on radio link timeout
	Released       uint64 // channels released by their link
	Ignored        uint64 // channel requests for services this cell lacks
	UplinkIgnored  uint64 // uplink blocks on channels not in use
	TimingAdjusted uint64 // timing advance changes ordered on SACCH
	Ciphered       uint64 // channels whose downlink went enciphered
	PowerAdjusted  uint64 // MS power level changes ordered on SACCH
	T3109Expired   uint64 // releases ended locally, the MS's DISC never came
	IRepeated      uint64 // LAPDm I frames (SAPI 0) sent again, on freed channels
	ReleasedByMS   uint64 // main links the MS released (DISC) unasked
	// The seam: upward events the core's queue had no room for, and
	// downward requests for a channel no longer in that activation.
	UpDropped   uint64
	DownStale   uint64
	DownFailed  uint64 // requests LAPDm or l1 refused
	Paged       uint64 // Paging Request blocks queued on the PCH (several identities may share one)
	PagingFails uint64 // paging commands the PCH had no room for
}

// initChannels lists every dedicated channel of the cell's
// configuration: the SDCCHs of combinations V and VII and the TCH/Fs of
// combination I, each with its LAPDm link (FACCH/F parameters on a TCH).
func (c *Cell) initChannels() error {
	for tn, comb := range c.l1cfg.Slots {
		var kind l1.ChanKind
		var typ rr.ChanType
		var n uint8
		main := lapdm.SDCCH
		switch comb {
		case l1.CombV:
			kind, typ, n = l1.ChanSDCCH4, rr.ChanSDCCH4, 4
		case l1.CombVII:
			kind, typ, n = l1.ChanSDCCH8, rr.ChanSDCCH8, 8
		case l1.CombI:
			kind, typ, n, main = l1.ChanTCHF, rr.ChanTCHF, 1, lapdm.FACCHF
		default:
			continue
		}
		if err := c.addChannels(tdma.TN(tn), kind, typ, n, main); err != nil {
			return err
		}
		if comb == l1.CombI && slices.Contains(c.cfg.DynamicTS, tdma.TN(tn)) {
			// A dynamic timeslot: its SDCCH/8 too (dynamic.go).
			if err := c.addChannels(tdma.TN(tn), l1.ChanSDCCH8, rr.ChanSDCCH8, 8, lapdm.SDCCH); err != nil {
				return err
			}
		}
	}
	return nil
}

// addChannels adds n channels of one kind on timeslot tn to the pool.
func (c *Cell) addChannels(tn tdma.TN, kind l1.ChanKind, typ rr.ChanType, n uint8, main lapdm.Channel) error {
	arfcn, tsc := c.cfg.Cell.ARFCN, c.cfg.Cell.BSIC.BCC
	for sub := uint8(0); sub < n; sub++ {
		link, err := lapdm.NewLink(lapdm.Network, main)
		if err != nil {
			return err
		}
		c.chans = append(c.chans, dchan{
			ch:   l1.Chan{Kind: kind, TN: tn, Sub: sub},
			desc: rr.ChannelDesc{Type: typ, SubChan: sub, TN: tn, TSC: tsc, ARFCN: arfcn},
			link: link,
		})
	}
	return nil
}

// Channels returns the state of every dedicated channel.
func (c *Cell) Channels() []ChanState {
	out := make([]ChanState, len(c.chans))
	for i := range c.chans {
		out[i] = c.chans[i].state
	}
	return out
}

// ChannelList returns every dedicated channel (its main channel) in the
// order of Channels.
func (c *Cell) ChannelList() []l1.Chan {
	out := make([]l1.Chan, len(c.chans))
	for i := range c.chans {
		out[i] = c.chans[i].ch
	}
	return out
}

// mainKind maps an associated channel to the main channel it belongs to.
func mainKind(k l1.ChanKind) l1.ChanKind {
	switch k {
	case l1.ChanSACCHC4:
		return l1.ChanSDCCH4
	case l1.ChanSACCHC8:
		return l1.ChanSDCCH8
	case l1.ChanSACCHTF, l1.ChanFACCHF:
		return l1.ChanTCHF
	}
	return k
}

// find returns the dedicated channel of a main or associated channel, or
// nil.
func (c *Cell) find(ch l1.Chan) *dchan {
	kind := mainKind(ch.Kind)
	for i := range c.chans {
		d := &c.chans[i]
		if d.ch.Kind == kind && d.ch.TN == ch.TN && d.ch.Sub == ch.Sub {
			return d
		}
	}
	return nil
}

// up sends an event to the core; a full queue drops it and counts.
func (c *Cell) up(d *dchan, k rsl.UpKind, sapi uint8, fn tdma.FN, cause uint8, msg []byte) {
	if c.cfg.Up == nil {
		return
	}
	u := rsl.Up{Kind: k, Cell: c.cfg.ID, Chan: d.ch, Ref: d.ref, SAPI: sapi, FN: fn, Cause: cause}
	if len(msg) > 0 {
		u.Msg = append([]byte(nil), msg...)
	}
	if k == rsl.MeasResult {
		u.Meas = rsl.Meas{RSSI: d.lastRSSI, ToA: d.lastToA, TA: d.ta, MSPower: d.msPower}
	}
	if !c.cfg.Up.Put(u) {
		c.ded.UpDropped++
	}
}

// AccessBurst implements l1.Sink: a Channel Request (TS 44.018 §3.3.1.1).
// The request waits for a CCCH block (overload.go): there it gets an
// SDCCH and an Immediate Assignment, or an Immediate Assignment Reject
// with a wait indication when all are busy, and the core hears of it
// (CHANNEL REQUIRED).
func (c *Cell) AccessBurst(a *l1.AccessBurst) {
	c.stats.AccessBursts++
	req := rr.ParseChannelRequest(a.RA, c.cfg.Cell.NECI)
	if req.Cause == rr.EstPacket || req.Cause == rr.EstReserved {
		c.ded.Ignored++
		c.log.Debug("channel request for a service this cell does not offer", "ra", a.RA, "fn", uint32(a.FN))
		return
	}
	if c.acc.n == accessDepth {
		c.ded.AGCHDropped++
	}
	c.acc.push(accessReq{ra: a.RA, fn: a.FN, ta: timingAdvance(a.ToA), cause: req.Cause, need: req.Need, rssi: a.RSSI})
}

// activate assigns d for an MS expected within T3101 of fn.
func (c *Cell) activate(d *dchan, fn tdma.FN, ta uint8, cause rr.EstCause) {
	c.nextRef++
	link := d.link
	link.ReleaseLocal()
	*d = dchan{ch: d.ch, desc: d.desc, link: link, irSeen: d.irSeen, state: ChanAssigned, ref: c.nextRef, cause: cause,
		deadline: fn.Add(T3101Frames), since: fn, ta: ta,
		msPower: rr.PowerLevel(c.cfg.Cell.Band, c.cfg.Cell.MaxMSTxPowerDBm),
		msDBm:   c.cfg.Cell.MaxMSTxPowerDBm,
		rlc:     int(c.cfg.Cell.RadioLinkTimeout)}
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

// DownlinkBlock implements l1.Source.
func (c *Cell) DownlinkBlock(ch l1.Chan, fn tdma.FN, dst *[23]byte) bool {
	switch ch.Kind {
	case l1.ChanAGCH, l1.ChanPCH:
		// After its access burst the MS reads every CCCH block (TS 44.018
		// §3.3.1.1.2), so grants go out in paging blocks with no paging
		// waiting as well (TS 45.002 §6.5.1).
		return c.grant(fn, dst)
	case l1.ChanSDCCH4, l1.ChanSDCCH8:
		d := c.find(ch)
		if d == nil || d.state != ChanActive {
			return false
		}
		return d.link.NextMain(fn, dst)
	case l1.ChanSACCHC4, l1.ChanSACCHC8, l1.ChanSACCHTF:
		d := c.find(ch)
		if d == nil || d.state == ChanFree {
			return false
		}
		return c.sacch(d, fn, dst)
	}
	return false
}

// DownlinkTraffic implements l1.TrafficSource: a TCH/F carries its
// FACCH/F signalling, which steals the frame (TS 45.003 §4.2.5), else
// the next speech frame relayed from its peer (tch.go), else nothing
// (l1 then sends the fill frame on FACCH).
func (c *Cell) DownlinkTraffic(ch l1.Chan, fn tdma.FN, speech *[260]byte, facch *[23]byte) l1.TrafficKind {
	d := c.find(ch)
	if d == nil || d.state == ChanFree {
		return l1.TrafficOff
	}
	if d.state == ChanActive && d.link.NextMain(fn, facch) {
		return l1.TrafficFACCH
	}
	if d.state == ChanActive && c.nextSpeech(d, speech) {
		return l1.TrafficSpeech
	}
	return l1.TrafficNone
}

// sacch fills a downlink SACCH block: the L1 header with the ordered
// power and timing advance (TS 44.004 §7.2), then a frame from the link
// or SI5 and SI6 in turn (TS 44.018 §3.4.1).
func (c *Cell) sacch(d *dchan, fn tdma.FN, dst *[23]byte) bool {
	if !(d.state == ChanActive && d.link.NextSACCH(fn, dst)) {
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
	c.measure(d, b.Chan.Kind, b.Good, b.Bursts > 0, b.RSSI)
	sacch := b.Chan.Kind.SACCH()
	if sacch {
		c.radioLink(d, b)
		if d.state == ChanFree {
			return
		}
	}
	if !b.Good {
		return
	}
	if b.Ciphered && d.cipherPending && b.Bursts == 4 {
		// (Only a whole block: one with bursts missing may decode
		// from half of them.)
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
		c.log.Info("MS on channel", "chan", d.ch, "fn", uint32(b.FN), "ta", d.ta)
	}
	if sacch {
		// The uplink SACCH L1 header reports the MS's power level and
		// timing advance in use (TS 44.004 §7.3); the rest is LAPDm.
		d.lastRSSI, d.lastToA = b.RSSI, b.ToA
		c.adjustTiming(d, b.ToA)
		c.adjustPower(d, b.RSSI)
		c.indications(d, b.FN, d.link.ReceiveSACCH(b.FN, b.Msg[:]), true)
		return
	}
	c.indications(d, b.FN, d.link.ReceiveMain(b.FN, b.Msg[:]), false)
}

// isMeasurementReport reports whether a SACCH UI frame's L3 message is a
// Measurement Report (TS 44.018 §9.1.21: RR, type 0x15).
func isMeasurementReport(msg []byte) bool {
	return len(msg) >= 2 && l3.PD(msg[0]&0x0f) == l3.PDRR && rr.MsgType(msg[1]) == rr.MsgMeasurementReport
}

// indications turns what LAPDm reports into events for the core, and
// runs the release of the main signalling link.
func (c *Cell) indications(d *dchan, fn tdma.FN, inds []lapdm.Indication, sacch bool) {
	for _, ind := range inds {
		if d.state != ChanActive {
			return
		}
		switch ind.Kind {
		case lapdm.EstablishInd:
			if ind.SAPI == 0 {
				d.est = true // T3101 stops (TS 44.018 §3.3.1.1.3)
			}
			if d.rel == relNone {
				c.up(d, rsl.EstablishInd, ind.SAPI, fn, 0, ind.Msg)
			}
		case lapdm.DataInd:
			if d.rel == relNone {
				c.up(d, rsl.DataInd, ind.SAPI, fn, 0, ind.Msg)
			}
		case lapdm.UnitDataInd:
			if sacch && isMeasurementReport(ind.Msg) {
				c.up(d, rsl.MeasResult, 0, fn, 0, ind.Msg)
			} else {
				c.up(d, rsl.UnitDataInd, ind.SAPI, fn, 0, ind.Msg)
			}
		case lapdm.ErrorInd:
			c.up(d, rsl.ErrorInd, ind.SAPI, fn, uint8(ind.Cause), nil)
		case lapdm.ReleaseInd:
			if ind.SAPI != 0 {
				c.up(d, rsl.ReleaseInd, ind.SAPI, fn, uint8(ind.Cause), nil)
				continue
			}
			if d.rel == relNone {
				if ind.Cause == lapdm.CauseNone {
					c.ded.ReleasedByMS++
				}
				c.up(d, rsl.ReleaseInd, 0, fn, uint8(ind.Cause), nil)
			}
			if ind.Cause != lapdm.CauseNone {
				// The link failed: nothing to wait for.
				c.ded.Released++
				c.free(d, fn)
				return
			}
			// The MS disconnected (DISC): the UA is queued; hold the
			// channel for T3111 (TS 44.018 §3.4.13.1.1).
			d.rel, d.holdUntil = relHold, fn.Add(T3111Frames)
		}
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
		c.up(d, rsl.ConnFailure, 0, b.FN, 0, nil)
		c.free(d, b.FN)
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

// free deactivates d: ciphering off, key wiped, LAPDm reset; the core
// learns the activation is over (RF CHANNEL RELEASE ACK).
func (c *Cell) free(d *dchan, fn tdma.FN) {
	c.dl.CipherOff(d.ch)
	c.ul.CipherOff(d.ch)
	c.ul.Reset(d.ch)
	if d.state != ChanFree {
		c.up(d, rsl.ChanReleased, 0, fn, 0, nil)
		if d.est && d.ch.Kind != l1.ChanTCHF {
			c.held(fn.Sub(d.since))
		}
	}
	c.tchFree(d)
	link := d.link
	ir := link.Entity(0).Stats().IRepeated
	c.ded.IRepeated += ir - d.irSeen
	link.ReleaseLocal()
	*d = dchan{ch: d.ch, desc: d.desc, link: link, irSeen: ir}
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

// tick runs the dedicated channels' frame-number timers: T3101, LAPDm's
// T200, and the release (T3109, T3111).
func (c *Cell) tick(fn tdma.FN) {
	if c.tchPaged && !fn.Before(c.tchPagedUntil) {
		c.tchPaged = false
	}
	for i := range c.chans {
		d := &c.chans[i]
		switch d.state {
		case ChanAssigned:
			if !fn.Before(d.deadline) {
				c.ded.T3101Expired++
				c.log.Info("T3101 expired: the MS never came to its channel", "chan", d.ch)
				c.free(d, fn)
			}
		case ChanActive:
			if !d.est && !fn.Before(d.deadline) {
				// On the channel but no SABM: T3101 as if absent.
				c.ded.T3101Expired++
				c.log.Info("T3101 expired: the MS never established the link", "chan", d.ch)
				c.free(d, fn)
				continue
			}
			c.indications(d, fn, d.link.Tick(fn), false)
			if d.state != ChanActive {
				continue
			}
			switch d.rel {
			case relSending:
				if d.link.Entity(0).Outstanding() == 0 {
					// Delivered: T3109 from now.
					d.rel, d.relAt = relGuard, fn
				}
			case relGuard:
				if !fn.Before(d.relAt.Add(T3109Frames)) {
					c.ded.T3109Expired++
					c.ded.Released++
					c.log.Debug("T3109 expired; releasing locally", "chan", d.ch)
					c.free(d, fn)
				}
			case relHold:
				if !fn.Before(d.holdUntil) && !d.link.Entity(0).Pending() {
					c.ded.Released++
					c.free(d, fn)
				}
			}
		}
	}
}

// downlink carries out the core's requests queued since the last frame.
// It never waits: the queue is drained as far as it goes.
func (c *Cell) downlink(fn tdma.FN) {
	for range c.down.Len() {
		r, ok := c.down.Get()
		if !ok {
			return
		}
		c.request(fn, &r)
	}
	c.flushPages()
}

func (c *Cell) request(fn tdma.FN, r *rsl.Down) {
	if r.Kind == rsl.PagingCmd {
		c.page(fn, r)
		return
	}
	d := c.find(r.Chan)
	if r.Kind == rsl.ChanActivate {
		c.chanActivate(fn, r, d)
		return
	}
	if r.Kind == rsl.TrafficConnect {
		c.connect(r)
		return
	}
	if d == nil || d.state == ChanFree || d.ref != r.Ref {
		c.ded.DownStale++
		return
	}
	var err error
	switch r.Kind {
	case rsl.DataReq:
		e := d.link.Entity(r.SAPI)
		if e == nil {
			err = fmt.Errorf("%w: no SAPI %d", ErrRequest, r.SAPI)
			break
		}
		if r.SAPI == 3 && e.State() == lapdm.StateIdle {
			// Mobile-terminated SAPI 3 (SMS): the network establishes
			// the link first (TS 44.006 §5.4.1).
			if err = e.Establish(nil); err != nil {
				break
			}
		}
		err = e.Send(r.Msg)
	case rsl.UnitDataReq:
		e := d.link.Entity(r.SAPI)
		if e == nil {
			err = fmt.Errorf("%w: no SAPI %d", ErrRequest, r.SAPI)
			break
		}
		err = e.SendUnitData(r.Msg)
	case rsl.EncryptionCmd:
		// TS 44.018 §3.4.7.2: the command goes out in clear; the uplink
		// is deciphered from now on, the downlink enciphered once the
		// MS's first enciphered block decodes.
		if err = d.link.Entity(0).Send(r.Msg); err != nil {
			break
		}
		err = c.startCipher(d, a5.Alg(r.Alg), r.Kc)
		clear(r.Kc[:])
	case rsl.ChanRelease:
		if d.rel != relNone && len(r.Msg) > 0 {
			return // already being released
		}
		if len(r.Msg) == 0 || d.state != ChanActive || d.link.Entity(0).Send(r.Msg) != nil {
			// A local end release, or no link to carry the message.
			c.ded.Released++
			c.free(d, fn)
			return
		}
		d.rel = relSending
	}
	if err != nil {
		c.ded.DownFailed++
		c.log.Debug("request refused", "kind", r.Kind, "chan", d.ch, "err", err)
	}
}
