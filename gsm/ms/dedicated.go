package ms

import (
	"math"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// dedicated is the state of dedicated mode on an SDCCH.
type dedicated struct {
	desc        rr.ChannelDesc
	comb        l1.Combination
	tn          tdma.TN
	main, sacch l1.Chan
	tsc, ta     uint8
	// power is the MS power control level in use: ordered by the
	// network on the SACCH (TS 45.008 §4.7), never above the phone's
	// own capability (TxPowerLevel; a higher level number is less power).
	power       uint8
	link        *lapdm.Link
	ul          [2][4][116]byte // encoded uplink block: main, SACCH
	ulStart     [2]tdma.FN
	ulHave      [2]bool
	rlc, rlcMax int // radio link counter S, RADIO_LINK_TIMEOUT
	since       tdma.FN
	established bool
	// Measurements over the current reporting period (TS 45.008 §8.4).
	rssiSum    float64
	nRSSI      int
	errs, bits int
	lastRxLev  uint8
	lastRxQual uint8
	measBuf    [rr.MeasurementReportLen]byte
	initial    [lapdm.N201DCCH]byte
	// Ciphering (TS 44.018 §3.4.7, TS 43.020 Annex C): the mobile's A5
	// state; until a deciphered downlink block decodes, blocks that do
	// not are tried in clear too (the network starts enciphering the
	// downlink only when it sees the mobile's ciphered uplink).
	cipher     l1.Cipher
	dlCiphered bool
	soft       [4][116]int8
	rrBuf      [32]byte
	// discRepeated is the SAPI 0 entity's DISCRepeated count already
	// added to the phone's stats (the link is reused across channels).
	discRepeated uint64
	tch          tch // on a TCH/F (tch.go)
}

func (d *dedicated) mine(c l1.Chan) bool { return c == d.main || c == d.sacch }

// releaseFrames is how long the phone waits for its DISC to be
// acknowledged after a Channel Release before it releases locally: T3110
// (TS 44.018 §3.4.13.1.1, §11.1.1), meanwhile LAPDm repeats the DISC
// every T200.
const releaseFrames = 300

// enterDedicated moves to the SDCCH of an Immediate Assignment (TS
// 44.018 §3.3.1.1.3.1) and starts establishing the main signalling link
// with the Upper's initial message.
func (p *Phone) enterDedicated(desc *rr.ChannelDesc, ta uint8, f tdma.FN) {
	d := &p.ded
	link := p.sdcchLink
	if link == nil {
		var err error
		if link, err = lapdm.NewLink(lapdm.MS, lapdm.SDCCH); err != nil {
			p.state = StateIdle
			return
		}
		p.sdcchLink = link
	} else {
		link.ReleaseLocal()
	}
	if d.link != nil && d.link != link {
		d.link.ReleaseLocal()
	}
	seen := d.discRepeated
	*d = dedicated{discRepeated: seen, desc: *desc, tn: desc.TN & 7, tsc: desc.TSC & 7, ta: ta & 63, power: p.cfg.TxPowerLevel, link: link, since: f}
	if desc.Type == rr.ChanTCHF {
		// An Immediate Assignment onto a TCH/F in signalling mode (no
		// SDCCH was free): LAPDm with FACCH/F parameters.
		if link, err := lapdm.NewLink(lapdm.MS, lapdm.FACCHF); err == nil {
			d.link = link
		}
		d.comb = l1.CombI
		d.main = l1.Chan{Kind: l1.ChanTCHF, TN: d.tn}
		d.sacch = l1.Chan{Kind: l1.ChanSACCHTF, TN: d.tn}
	} else if desc.Type == rr.ChanSDCCH4 {
		d.comb = l1.CombV
		d.main = l1.Chan{Kind: l1.ChanSDCCH4, TN: d.tn, Sub: desc.SubChan & 3}
		d.sacch = l1.Chan{Kind: l1.ChanSACCHC4, TN: d.tn, Sub: desc.SubChan & 3}
	} else {
		d.comb = l1.CombVII
		d.main = l1.Chan{Kind: l1.ChanSDCCH8, TN: d.tn, Sub: desc.SubChan & 7}
		d.sacch = l1.Chan{Kind: l1.ChanSACCHC8, TN: d.tn, Sub: desc.SubChan & 7}
	}
	d.rlcMax = int(p.cell.Options.RadioLinkTimeout)
	if d.rlcMax == 0 {
		d.rlcMax = 16
	}
	d.rlc = d.rlcMax
	p.acc = [tdma.Slots]blockAcc{}
	p.state = StateDedicated
	n := 0
	switch {
	case p.pageResp && p.cfg.Upper != nil:
		// TS 44.018 §3.3.2.2: the Paging Response is the initial message.
		cksn, cm2, id := p.cfg.Upper.Identity()
		m := rr.PagingResponse{CKSN: cksn, Classmark: cm2, Identity: id}
		if k, err := m.MarshalTo(d.initial[:]); err == nil {
			n = k
		}
		p.pageResp = false
	case p.cfg.Upper != nil:
		n = p.cfg.Upper.Initial(d.initial[:])
	}
	if n == 0 {
		// Nothing to say any more (MM gave up meanwhile): leave the
		// channel, which the network frees when T3101 expires.
		p.toIdle(false)
		return
	}
	if err := d.link.Entity(0).Establish(d.initial[:n]); err != nil {
		p.log.Info("cannot establish the link", "err", err)
	}
	p.log.Debug("dedicated", "chan", d.main, "tsc", d.tsc, "ta", ta, "fn", uint32(f))
}

// toIdle leaves dedicated mode (TS 44.018 §3.4.13: back to idle on the
// same cell).
func (p *Phone) toIdle(normal bool) {
	if p.state == StateReleasing {
		n := max(p.lastFN.Sub(p.relFrom), 0)
		p.stats.Released++
		p.stats.ReleaseFramesLast = n
		p.stats.ReleaseFramesMax = max(p.stats.ReleaseFramesMax, n)
		p.stats.ReleaseFramesSum += uint64(n)
	}
	if p.ded.link != nil {
		p.stats.DISCRepeats += p.ded.link.Entity(0).Stats().DISCRepeated - p.ded.discRepeated
		p.ded.discRepeated = p.ded.link.Entity(0).Stats().DISCRepeated
		p.ded.link.ReleaseLocal()
	}
	p.ded.cipher.Off()
	p.stats.Releases++
	p.state = StateIdle
	p.acc = [tdma.Slots]blockAcc{}
	if p.cfg.Upper != nil {
		p.cfg.Upper.Released(normal)
	}
	if !normal {
		p.accessFailed(p.lastFN)
	}
}

func (p *Phone) dedTimers(f tdma.FN) {
	d := &p.ded
	p.indications(d.link.Tick(f))
	p.dedicatedUpper()
	if p.state == StateReleasing && f.Sub(p.released) >= 0 {
		// T3110 ran out with the DISC unanswered: release locally.
		p.stats.ReleaseTimeouts++
		p.toIdle(true)
	}
}

// decodeDedicated decodes a block of the phone's SDCCH or SACCH,
// deciphering it when ciphering is on.
func (p *Phone) decodeDedicated(a *blockAcc) (coding.Quality, bool) {
	d := &p.ded
	if !d.cipher.On() {
		return coding.DecodeXCCH(&p.blk, &a.soft)
	}
	d.soft = a.soft
	for i := range d.soft {
		d.cipher.DecryptSoftData(l1.DirDown, a.start.Add(i), &d.soft[i])
	}
	q, ok := coding.DecodeXCCH(&p.blk, &d.soft)
	if ok {
		d.dlCiphered = true
		return q, ok
	}
	if d.dlCiphered {
		return q, false
	}
	return coding.DecodeXCCH(&p.blk, &a.soft) // still in clear?
}

// dedicatedBlock handles a downlink block on the phone's SDCCH or SACCH.
func (p *Phone) dedicatedBlock(sacch bool, start tdma.FN, ok bool, q coding.Quality, rssi float32) {
	d := &p.ded
	if p.state != StateDedicated && p.state != StateReleasing {
		return
	}
	if rssi > -150 {
		d.rssiSum += float64(rssi)
		d.nRSSI++
	}
	d.errs += q.BitErrors
	d.bits += q.Bits
	if sacch {
		// Radio link counter, TS 45.008 §5.2: −1 per bad SACCH block, +2
		// per good one up to RADIO_LINK_TIMEOUT; at 0 the link has failed.
		if ok {
			d.rlc = min(d.rlc+2, d.rlcMax)
		} else if d.rlc--; d.rlc <= 0 {
			p.stats.RadioLinkFailures++
			p.log.Info("radio link failure", "chan", d.main)
			p.toIdle(false)
			return
		}
		if !ok {
			return
		}
		// The L1 header orders the power level and the timing advance
		// (TS 44.004 §7.2).
		d.ta = p.blk[1] & 63
		d.power = max(p.blk[0]&31, p.cfg.TxPowerLevel)
		p.indications(d.link.ReceiveSACCH(start, p.blk[:]))
		return
	}
	if ok {
		p.indications(d.link.ReceiveMain(start, p.blk[:]))
	}
}

// indications handles what LAPDm reports.
func (p *Phone) indications(inds []lapdm.Indication) {
	for _, ind := range inds {
		if p.state != StateDedicated && p.state != StateReleasing {
			return
		}
		switch ind.Kind {
		case lapdm.EstablishConf:
			if ind.SAPI == 0 && p.ded.tch.assigning {
				p.tchEstablished()
				continue
			}
			if ind.SAPI == 0 {
				p.ded.established = true
				p.reach(MsEstablished)
				if p.cfg.Upper != nil {
					p.cfg.Upper.Established()
				}
			}
		case lapdm.DataInd:
			if ind.SAPI == 0 {
				p.l3(ind.Msg)
			} else if ind.SAPI == 3 {
				p.sapi3(ind.Msg)
			}
		case lapdm.UnitDataInd:
			p.unitData(ind.Msg)
		case lapdm.ReleaseInd:
			if ind.SAPI == 0 {
				p.toIdle(p.state == StateReleasing)
				return
			}
		case lapdm.ReleaseConf:
			if ind.SAPI == 0 && p.state == StateReleasing {
				p.toIdle(true)
				return
			}
		}
	}
}

// unitData handles a UI frame: SI5, SI5bis, SI6 on the SACCH.
func (p *Phone) unitData(msg []byte) {
	t, err := rr.MessageType(msg)
	if err != nil {
		return
	}
	switch t {
	case rr.MsgSI5, rr.MsgSI5bis:
		p.stats.SI5++
		p.cell.SI |= 1 << 5
	case rr.MsgSI6:
		m, err := rr.DecodeSACCH(msg)
		if err != nil {
			return
		}
		if si6, ok := m.(*rr.SI6); ok {
			p.stats.SI6++
			p.cell.SI |= 1 << 6
			if v := int(si6.Options.RadioLinkTimeout); v > 0 {
				p.ded.rlcMax = v
				p.ded.rlc = min(p.ded.rlc, v)
			}
		}
	}
}

// l3 handles an L3 message received in acknowledged mode on SAPI 0.
func (p *Phone) l3(msg []byte) {
	if len(msg) < 2 {
		return
	}
	if l3.PD(msg[0]&0x0f) != l3.PDRR {
		if p.cfg.Upper != nil {
			p.cfg.Upper.Data(msg, p.send)
			if r, ok := p.cfg.Upper.(Registrar); ok && r.Registered() && !p.stats.Registered {
				p.stats.Registered, p.stats.RegisteredFN = true, p.lastFN
				p.reach(MsRegistered)
			}
		}
		return
	}
	if rr.MsgType(msg[1]&0x3f) == rr.MsgClassmarkEnquiry {
		p.classmarkChange()
		return
	}
	m, err := rr.DecodeDCCH(msg)
	if err != nil {
		return // an RR Status would be polite; the network does not need it
	}
	switch c := m.(type) {
	case *rr.CipheringModeCommand:
		p.cipheringMode(c)
		return
	case *rr.AssignmentCommand:
		p.assignment(c)
		return
	case *rr.ChannelModeModify:
		p.channelModeModify(c)
		return
	}
	if _, ok := m.(*rr.ChannelRelease); ok {
		// TS 44.018 §3.4.13.1.1: release the main signalling link (DISC)
		// and go back to idle.
		p.ded.link.Entity(0).Release()
		p.state = StateReleasing
		p.relFrom = p.lastFN
		p.released = p.lastFN.Add(releaseFrames)
	}
}

// cipheringMode answers a Ciphering Mode Command (TS 44.018 §3.4.7.2):
// start enciphering and deciphering with the algorithm and the Kc of the
// last authentication, then send Ciphering Mode Complete, enciphered.
func (p *Phone) cipheringMode(c *rr.CipheringModeCommand) {
	d := &p.ded
	if p.cfg.Upper == nil {
		return
	}
	cmc := rr.CipheringModeComplete{}
	if c.Start {
		kc, imeisv, ok := p.cfg.Upper.CipherKey(c.Algorithm)
		if !ok || d.cipher.Set(a5.Alg(c.Algorithm), kc) != nil {
			p.log.Info("ciphering refused", "alg", c.Algorithm)
			p.sendRRStatus(rr.CauseProtocolError)
			return
		}
		d.dlCiphered = false
		p.cfg.Upper.CipheringStarted()
		if c.IMEISV && imeisv != "" {
			cmc.HasIdentity, cmc.Identity = true, l3.MobileIdentity{Type: l3.IdentityIMEISV, Digits: imeisv}
		}
		p.log.Debug("ciphering", "cipher", &d.cipher)
	}
	if n, err := cmc.MarshalTo(d.rrBuf[:]); err == nil {
		_ = p.send(d.rrBuf[:n])
	}
}

// classmarkChange answers a Classmark Enquiry (TS 44.018 §3.4.11) with
// a Classmark Change carrying the Mobile Station Classmark 2.
func (p *Phone) classmarkChange() {
	if p.cfg.Upper == nil {
		return
	}
	_, cm2, _ := p.cfg.Upper.Identity()
	m := rr.ClassmarkChange{Classmark: cm2}
	if n, err := m.MarshalTo(p.ded.rrBuf[:]); err == nil {
		_ = p.send(p.ded.rrBuf[:n])
	}
}

// sendRRStatus sends an RR Status with cause (TS 44.018 §9.1.29).
func (p *Phone) sendRRStatus(cause rr.Cause) {
	m := rr.RRStatus{Cause: cause}
	if n, err := m.MarshalTo(p.ded.rrBuf[:]); err == nil {
		_ = p.send(p.ded.rrBuf[:n])
	}
}

func (p *Phone) send(msg []byte) error {
	if p.state != StateDedicated {
		return nil
	}
	return p.ded.link.Entity(0).Send(msg)
}

// dedFrame sends the uplink bursts of the phone's SDCCH and SACCH.
func (p *Phone) dedFrame(f tdma.FN, out *[tdma.Slots]tdma.TxBurst) bool {
	d := &p.ded
	s := d.comb.Uplink(d.tn, f)
	if !d.mine(s.Chan) {
		return false
	}
	if s.Chan.Kind == l1.ChanTCHF {
		return p.tchFrame(f, s, out)
	}
	w := 0
	if s.Chan == d.sacch {
		w = 1
	}
	start := s.BlockStart(f)
	if !d.ulHave[w] || d.ulStart[w] != start {
		var blk [23]byte
		if w == 0 {
			if d.link.NextMain(start, &blk) {
				p.stats.SDCCHUp++
			} else {
				blk = l1.UplinkFillFrame
			}
		} else {
			if !d.link.SACCH().Pending() {
				p.queueMeasurement()
			}
			if d.link.NextSACCH(start, &blk) {
				p.stats.SACCHUp++
			} else {
				copy(blk[2:], l1.UplinkFillFrame[:])
			}
			// Uplink SACCH L1 header (TS 44.004 §7.2): MS power level in
			// use, actual timing advance.
			blk[0], blk[1] = d.power&31, d.ta&63
		}
		coding.EncodeXCCH(&d.ul[w], &blk)
		d.ulStart[w], d.ulHave[w] = start, true
	}
	b := &out[d.tn]
	// Each power control level below the phone's maximum is 2 dB less
	// (TS 45.005 §4.1.1).
	b.Att = 2 * (d.power - p.cfg.TxPowerLevel)
	data := d.ul[w][s.Burst&3]
	d.cipher.EncryptData(l1.DirUp, f, &data)
	tdma.Normal(&b.Bits, &data, d.tsc)
	b.Kind = tdma.KindNormal
	return true
}

// queueMeasurement queues a Measurement Report (TS 44.018 §9.1.21) with
// the serving cell's RXLEV and RXQUAL over the last period (TS 45.008
// §8.1.4, §8.2.4) as a UI frame on the SACCH.
func (p *Phone) queueMeasurement() {
	d := &p.ded
	r := rr.MeasurementReport{}
	res := &r.Results
	if d.nRSSI > 0 {
		d.lastRxLev = rr.RxLev(int(math.Round(d.rssiSum / float64(d.nRSSI))))
	}
	if d.bits > 0 {
		d.lastRxQual = RxQual(float64(d.errs) / float64(d.bits))
	}
	res.Valid = d.nRSSI > 0
	res.RxLevFull, res.RxLevSub = d.lastRxLev, d.lastRxLev
	res.RxQualFull, res.RxQualSub = d.lastRxQual, d.lastRxQual
	d.rssiSum, d.nRSSI, d.errs, d.bits = 0, 0, 0, 0
	n, err := r.MarshalTo(d.measBuf[:])
	if err != nil {
		return
	}
	if d.link.SACCH().SendUnitData(d.measBuf[:n]) == nil {
		p.stats.MeasReports++
	}
}

// RxQual maps a bit error ratio to RXQUAL, TS 45.008 §8.2.4: 0 below
// 0.2 %, then one step per doubling, 7 above 12.8 %.
func RxQual(ber float64) uint8 {
	limits := [7]float64{0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128}
	for i, l := range limits {
		if ber < l {
			return uint8(i)
		}
	}
	return 7
}
