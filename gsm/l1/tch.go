package l1

import (
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// TrafficKind says what a TCH/F carries in one 20 ms block.
type TrafficKind uint8

const (
	// TrafficOff: the channel is not active; its bursts are dummy bursts
	// and the interleaver is reset.
	TrafficOff TrafficKind = iota
	// TrafficNone: the channel is active but has nothing to send; l1 sends
	// a FACCH/F block with the LAPDm fill frame.
	TrafficNone
	// TrafficSpeech: a full-rate speech frame (TS 45.003 §3.1).
	TrafficSpeech
	// TrafficFACCH: a FACCH/F signalling block stealing the frame (§4.2).
	TrafficFACCH
)

// TrafficSource supplies the downlink of TCH/F channels (combination I).
// A Source that also implements it gets asked; without it every TCH/F is
// off.
type TrafficSource interface {
	// DownlinkTraffic is called once per 20 ms TCH/F block, at its first
	// burst (FN mod 26 = 0, 4, 8, 13, 17 or 21), with ch.Kind ChanTCHF. It
	// writes a speech frame (260 bits in class order, d(0)..d(259) of TS
	// 45.003 §3.1.1, one bit per octet) or a FACCH L2 frame and says which,
	// or returns TrafficNone or TrafficOff. Diagonal interleaving spreads
	// each block over 8 bursts, so the block is on air from this frame to
	// the end of the next block. It must not block and must not retain
	// speech or facch.
	DownlinkTraffic(ch Chan, fn tdma.FN, speech *[260]byte, facch *[23]byte) TrafficKind
}

// TrafficSink receives decoded uplink speech frames. A Sink that also
// implements it gets them; FACCH/F blocks go to Sink.UplinkBlock with
// Chan.Kind ChanFACCHF.
type TrafficSink interface {
	// UplinkTraffic is called once per 20 ms block decoded as speech. It
	// must not block and must not retain t.
	UplinkTraffic(t *UplinkTraffic)
}

// UplinkTraffic is one decoded uplink speech frame.
type UplinkTraffic struct {
	Chan Chan
	// FN is the first frame of the four bursts that completed the block.
	FN tdma.FN
	// Speech holds the 260 class-ordered bits (coding.FRToRTP packs them).
	Speech [260]byte
	// Good is the class Ia CRC result; a bad frame is to be substituted
	// (TS 46.011).
	Good    bool
	Quality coding.Quality
	// RSSI (dBm), ToA (symbols) and CI (dB) over the four newest bursts.
	RSSI, ToA, CI float32
}

// traffic fills the TCH/F bursts of timeslot tn for the block starting at
// fn. It returns false when the channel is off.
func (d *Downlink) traffic(tn tdma.TN, fn tdma.FN) bool {
	ts, ok := d.src.(TrafficSource)
	if !ok {
		return false
	}
	ch := Chan{Kind: ChanTCHF, TN: tn}
	enc := &d.tchEnc[tn]
	switch ts.DownlinkTraffic(ch, fn, &d.speech, &d.block) {
	case TrafficSpeech:
		enc.EncodeSpeech(&d.tch[tn], &d.speech)
		return true
	case TrafficFACCH:
	case TrafficNone:
		d.block = FillFrame
	default:
		enc.Reset()
		return false
	}
	enc.EncodeFACCH(&d.tch[tn], &d.block)
	d.stats.Blocks++
	if d.cfg.Tap != nil {
		d.ev = TapEvent{Chan: Chan{Kind: ChanFACCHF, TN: tn}, FN: fn, ARFCN: d.cfg.ARFCN, Data: d.block[:]}
		d.cfg.Tap(&d.ev)
	}
	return true
}

// tchOff reports whether the TCH/F on tn is off: the Source is not a
// TrafficSource, or said TrafficOff for the current block.
func (d *Downlink) tchOff(tn tdma.TN) bool {
	_, ok := d.src.(TrafficSource)
	return !ok || !d.tchOK[tn]
}

func (d *Downlink) tchSlot(fn tdma.FN, tn tdma.TN, s Slot, b *tdma.TxBurst) {
	if s.Burst == 0 {
		d.tchOK[tn] = d.src != nil && d.traffic(tn, fn)
		d.tchStart[tn] = fn
	}
	if !d.tchOK[tn] || d.tchStart[tn] != s.BlockStart(fn) {
		dummy(b)
		return
	}
	b.Kind = tdma.KindNormal
	tdma.Normal(&b.Bits, &d.tch[tn][s.Burst], d.tsc)
	if c := burstCipher(&d.ciph, tn, s.Chan); c != nil {
		c.EncryptBurst(DirDown, fn, &b.Bits)
	}
}

// tchBurst gathers one TCH/F burst; after the fourth of a block it runs the
// de-interleaver and delivers what completed.
func (u *Uplink) tchBurst(s Slot, rx *tdma.RxBurst) {
	tn := rx.TN & 7
	a := &u.tchAcc[tn]
	start := s.BlockStart(rx.FN)
	if a.active && a.start != start {
		u.tchFlush(tn, a)
	}
	if !a.active {
		*a = accum{active: true, start: start}
	}
	u.gather(a, s, rx)
	if s.Burst == 3 {
		u.tchFlush(tn, a)
	}
}

func (u *Uplink) tchFlush(tn tdma.TN, a *accum) {
	a.active = false
	for i := range a.soft {
		if a.got&(1<<i) == 0 {
			clear(a.soft[i][:])
		}
	}
	var rssi, toa, ci float32
	if a.n > 0 {
		n := float32(a.n)
		rssi, toa, ci = a.rssi/n, a.toa/n, a.ci/n
	}
	// A block is decoded from eight bursts, the four before these
	// included: it counts as deciphered only if all eight were.
	full := a.got != 0 && a.ciph&a.got == a.got
	prev := u.tchCiph[tn]
	u.tchCiph[tn] = full
	kind, q, ok := u.tchDec[tn].Decode(&u.tr.Speech, &u.blk.Msg, &a.soft)
	switch kind {
	case coding.TCHFSpeech:
		ts, isTS := u.sink.(TrafficSink)
		if !isTS {
			return
		}
		t := &u.tr
		t.Chan, t.FN, t.Good, t.Quality = Chan{Kind: ChanTCHF, TN: tn}, a.start, ok, q
		t.RSSI, t.ToA, t.CI = rssi, toa, ci
		ts.UplinkTraffic(t)
	case coding.TCHFFACCH:
		b := &u.blk
		b.Chan, b.FN, b.Bursts, b.Good, b.Quality = Chan{Kind: ChanFACCHF, TN: tn}, a.start, a.n, ok, q
		// No trial in clear on a TCH/F: the decoder's interleaver holds
		// the previous bursts. A TCH/F is normally activated ciphered.
		// With half its bursts good a FACCH block may still decode, so
		// a block that straddles the start of deciphering, its first
		// half sent in clear, does not count as deciphered: it would
		// turn on the downlink ciphering before the MS has the command
		// (TS 44.018 §3.4.7.2).
		b.Ciphered = full && prev
		if c := u.ulCipherAt(tn, b.Chan); c != nil && b.Ciphered && ok {
			c.confirmed = true
		}
		b.RSSI, b.ToA, b.CI = rssi, toa, ci
		u.deliver(b)
	}
}

// Reset drops whatever is gathered of the uplink blocks of dedicated
// channel ch and its associated channels, and the TCH/F decoder's held
// bursts. The cell calls it when it frees the channel: a block begun in
// one activation must not be completed and delivered in the next (its
// bursts, deciphered with the old key, would decode when the next
// activation reuses that key, and pass for the MS ciphering).
func (u *Uplink) Reset(ch Chan) {
	tn := ch.TN & 7
	switch ch.Kind {
	case ChanTCHF, ChanFACCHF, ChanSACCHTF:
		u.tchAcc[tn] = accum{}
		u.tchDec[tn] = coding.TCHFDecoder{}
		u.tchCiph[tn] = false
		u.acc[tn][8] = accum{}
	case ChanSDCCH4, ChanSDCCH8, ChanSACCHC4, ChanSACCHC8:
		s := int(ch.Sub & 7)
		u.acc[tn][s] = accum{}
		u.acc[tn][8+s] = accum{}
	}
}
