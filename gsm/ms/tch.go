package ms

import (
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Voice is the phone's audio on a traffic channel. An Upper that also
// implements it gets asked for uplink speech and handed the downlink.
// Both run on the phone's frame loop and must not block.
type Voice interface {
	// UplinkSpeech fills the speech frame for the uplink TCH/F block
	// starting at fn (260 bits in the class order of TS 45.003 §3.1.1,
	// one per octet; for EFR, the 260 bits after the preliminary coding,
	// coding.EncodeEFR), in the channel mode the network ordered. false
	// sends no speech (the FACCH fill frame goes instead).
	UplinkSpeech(fn tdma.FN, mode rr.ChannelMode, dst *[260]byte) bool
	// DownlinkSpeech takes one decoded downlink speech frame; good is the
	// CRC result (a bad frame is to be substituted, TS 46.011).
	DownlinkSpeech(fn tdma.FN, mode rr.ChannelMode, frame *[260]byte, good bool)
}

// tch is the traffic part of dedicated mode on a TCH/F (combination I).
type tch struct {
	mode      rr.ChannelMode
	assigning bool // Assignment Complete to send once SAPI 0 is up
	enc       coding.TCHFEncoder
	dec       coding.TCHFDecoder
	ul        [4][116]byte
	ulStart   tdma.FN
	ulHave    bool
	soft      [4][116]int8
	got       uint8
	speech    [260]byte
}

// onTCH reports whether the phone's dedicated channel is a TCH/F.
func (d *dedicated) onTCH() bool { return d.comb == l1.CombI }

// assignment carries out an Assignment Command (TS 44.018 §3.4.3.2): the
// main signalling link on the old channel is dropped locally, the phone
// moves to the new channel with the same timing advance, power and
// ciphering (no cipher mode setting means the same, §3.4.3.1), sets up
// SAPI 0 there with a SABM and sends Assignment Complete. Only a TCH/F on
// the same carrier is served; anything else gets Assignment Failure.
func (p *Phone) assignment(m *rr.AssignmentCommand) {
	d := &p.ded
	if m.Chan.Type != rr.ChanTCHF || m.Chan.Hopping || m.Chan.TN == 0 {
		f := rr.AssignmentFailure{Cause: rr.Cause(0x0a)} // frequency not implemented
		if n, err := f.MarshalTo(d.rrBuf[:]); err == nil {
			_ = p.send(d.rrBuf[:n])
		}
		return
	}
	link, err := lapdm.NewLink(lapdm.MS, lapdm.FACCHF)
	if err != nil {
		return
	}
	p.stats.DISCRepeats += d.link.Entity(0).Stats().DISCRepeated - d.discRepeated
	// Suspend the main link (TS 44.006 DL-SUSPEND): what the network has
	// not acknowledged yet is resumed on the new channel (§3.4.3.1).
	oldLink := d.link
	oldLink.Entity(0).Suspend()
	old := *d
	*d = dedicated{desc: m.Chan, comb: l1.CombI, tn: m.Chan.TN & 7, tsc: m.Chan.TSC & 7,
		ta: old.ta, power: old.power, link: link, since: p.lastFN, established: true,
		rlc: old.rlcMax, rlcMax: old.rlcMax, cipher: old.cipher, dlCiphered: old.cipher.On(),
		lastRxLev: old.lastRxLev, lastRxQual: old.lastRxQual}
	d.main = l1.Chan{Kind: l1.ChanTCHF, TN: d.tn}
	d.sacch = l1.Chan{Kind: l1.ChanSACCHTF, TN: d.tn}
	d.tch.mode = rr.ModeSignalling
	if m.HasMode {
		d.tch.mode = m.Mode
	}
	d.tch.assigning = true
	p.acc = [tdma.Slots]blockAcc{}
	p.stats.Assignments++
	err = link.Entity(0).Resume(oldLink.Entity(0))
	oldLink.ReleaseLocal()
	if err != nil {
		p.log.Info("cannot establish the link on the TCH", "err", err)
	}
	p.log.Debug("assigned", "chan", d.main, "mode", d.tch.mode)
}

// tchEstablished sends Assignment Complete once SAPI 0 is up on the new
// channel.
func (p *Phone) tchEstablished() {
	d := &p.ded
	if !d.tch.assigning {
		return
	}
	d.tch.assigning = false
	m := rr.AssignmentComplete{}
	if n, err := m.MarshalTo(d.rrBuf[:]); err == nil {
		_ = p.send(d.rrBuf[:n])
	}
}

// channelModeModify answers Channel Mode Modify (TS 44.018 §3.4.6.1.2):
// the new mode applies from now; the acknowledgement names it.
func (p *Phone) channelModeModify(m *rr.ChannelModeModify) {
	d := &p.ded
	mode := m.Mode
	switch mode {
	case rr.ModeSignalling, rr.ModeSpeechV1, rr.ModeSpeechV2:
		if d.onTCH() || mode == rr.ModeSignalling {
			d.tch.mode = mode
		}
	}
	ack := rr.ChannelModeModifyAck{Chan: d.desc, Mode: d.tch.mode}
	if n, err := ack.MarshalTo(d.rrBuf[:]); err == nil {
		_ = p.send(d.rrBuf[:n])
	}
	p.stats.ModeModified++
}

// tchReceive takes a downlink burst on the phone's TCH/F timeslot: the
// SACCH/TF goes through the xCCH path, the TCH/F through the TCH/FS
// decoder, which tells speech from FACCH by the stealing flags.
func (p *Phone) tchReceive(b *tdma.RxBurst, f tdma.FN) {
	d := &p.ded
	s := d.comb.Downlink(b.TN, f)
	switch s.Chan.Kind {
	case l1.ChanSACCHTF:
		a := &p.acc[b.TN]
		start := s.BlockStart(f)
		if !a.active || a.start != start || a.ch != s.Chan {
			*a = blockAcc{active: true, ch: s.Chan, start: start}
		}
		bi := s.Burst & 3
		if b.Kind == tdma.KindNormal {
			tdma.NormalData(&a.soft[bi], (*[tdma.BurstBits]int8)(&b.Soft))
			// The bursts of a SACCH/TF block are 26 frames apart:
			// each is deciphered with its own frame number.
			d.cipher.DecryptSoftData(l1.DirDown, f, &a.soft[bi])
			if a.got&(1<<bi) == 0 {
				a.n++
				a.rssi += b.RSSI
			}
			a.got |= 1 << bi
		} else {
			clear(a.soft[bi][:])
		}
		if bi != 3 {
			return
		}
		a.active = false
		for i := range a.soft {
			if a.got&(1<<i) == 0 {
				clear(a.soft[i][:])
			}
		}
		q, ok := coding.DecodeXCCH(&p.blk, &a.soft)
		ok = ok && a.n >= 2
		var rssi float32 = -150
		if a.n > 0 {
			rssi = a.rssi / float32(a.n)
		}
		p.stats.Blocks++
		if !ok {
			p.stats.BadBlocks++
		}
		p.dedicatedBlock(true, a.start, ok, q, rssi)
	case l1.ChanTCHF:
		t := &d.tch
		bi := s.Burst & 3
		if bi == 0 {
			t.got = 0
		}
		if b.Kind == tdma.KindNormal {
			tdma.NormalData(&t.soft[bi], (*[tdma.BurstBits]int8)(&b.Soft))
			d.cipher.DecryptSoftData(l1.DirDown, f, &t.soft[bi])
			t.got |= 1 << bi
		} else {
			clear(t.soft[bi][:])
		}
		if bi != 3 {
			return
		}
		for i := range t.soft {
			if t.got&(1<<i) == 0 {
				clear(t.soft[i][:])
			}
		}
		start := s.BlockStart(f)
		kind, q, ok := t.dec.Decode(&t.speech, &p.blk, &t.soft)
		d.errs += q.BitErrors
		d.bits += q.Bits
		if b.RSSI > -150 {
			d.rssiSum += float64(b.RSSI)
			d.nRSSI++
		}
		switch kind {
		case coding.TCHFFACCH:
			if ok {
				p.stats.FACCHDown++
				p.indications(d.link.ReceiveMain(start, p.blk[:]))
			}
		case coding.TCHFSpeech:
			if !ok {
				p.stats.SpeechBad++
			} else {
				p.stats.SpeechDown++
			}
			if v, isV := p.cfg.Upper.(Voice); isV && d.tch.mode != rr.ModeSignalling && !d.tch.assigning {
				v.DownlinkSpeech(start, d.tch.mode, &t.speech, ok)
			}
		}
	}
}

// tchFrame sends the phone's TCH/F burst of frame f: at each block start
// it codes a FACCH frame from LAPDm if one waits (it steals the block),
// else a speech frame from the Voice, else the fill frame on FACCH.
func (p *Phone) tchFrame(f tdma.FN, s l1.Slot, out *[tdma.Slots]tdma.TxBurst) bool {
	d := &p.ded
	t := &d.tch
	start := s.BlockStart(f)
	if !t.ulHave || t.ulStart != start {
		var blk [23]byte
		switch {
		case d.link.NextMain(start, &blk):
			p.stats.FACCHUp++
			t.enc.EncodeFACCH(&t.ul, &blk)
		case p.uplinkSpeech(start, &t.speech):
			p.stats.SpeechUp++
			t.enc.EncodeSpeech(&t.ul, &t.speech)
		default:
			t.enc.EncodeFACCH(&t.ul, &l1.UplinkFillFrame)
		}
		t.ulStart, t.ulHave = start, true
	}
	b := &out[d.tn]
	b.Att = 2 * (d.power - p.cfg.TxPowerLevel)
	data := t.ul[s.Burst&3]
	d.cipher.EncryptData(l1.DirUp, f, &data)
	tdma.Normal(&b.Bits, &data, d.tsc)
	b.Kind = tdma.KindNormal
	return true
}

func (p *Phone) uplinkSpeech(fn tdma.FN, dst *[260]byte) bool {
	d := &p.ded
	v, ok := p.cfg.Upper.(Voice)
	if !ok || d.tch.mode == rr.ModeSignalling || d.tch.assigning || p.state != StateDedicated {
		return false
	}
	return v.UplinkSpeech(fn, d.tch.mode, dst)
}

// OnTCH reports whether the phone is in dedicated mode on a TCH/F, and
// the channel mode.
func (p *Phone) OnTCH() (rr.ChannelMode, bool) {
	if (p.state != StateDedicated && p.state != StateReleasing) || !p.ded.onTCH() {
		return 0, false
	}
	return p.ded.tch.mode, true
}

// Channel returns the phone's dedicated main channel (the cell's naming),
// and false in idle mode.
func (p *Phone) Channel() (l1.Chan, bool) {
	if p.state != StateDedicated && p.state != StateReleasing {
		return l1.Chan{}, false
	}
	return p.ded.main, true
}
