package l1

import (
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Sink receives what the Uplink decodes. The cell implements it. l1 does
// not know which dedicated channels are active: it reports every block
// position the transceiver reported bursts for, so the Sink ignores the
// channels it has not activated (their blocks are noise, nearly always
// bad).
type Sink interface {
	// UplinkBlock is called once per SDCCH or SACCH block of which at least
	// one burst position was reported to Uplink.Burst, after its last burst
	// position, or earlier when a burst of the channel's next block shows
	// the rest is lost. b.Good is false when the block did not decode (or
	// too few bursts arrived); a bad block still counts for the radio link
	// timeout (TS 45.008 §5.2). A SACCH block starts with the two-octet L1
	// header (MS power level and timing advance in use).
	//
	// It is called on the per-cell loop; it must not block and must not
	// retain b.
	UplinkBlock(b *UplinkBlock)
	// AccessBurst is called for every access burst on a RACH position that
	// decodes with the cell's BSIC (TS 45.003 §4.6). Same rules as
	// UplinkBlock.
	AccessBurst(a *AccessBurst)
}

// UplinkBlock is one decoded (or failed) uplink xCCH block.
type UplinkBlock struct {
	Chan Chan
	// FN is the frame number of the block's first burst.
	FN  tdma.FN
	Msg [23]byte
	// Good is true when the Fire code checks and at least MinBursts bursts
	// were received.
	Good bool
	// Quality is the decoder's count of coded bits in error (BER).
	Quality coding.Quality
	// Bursts is how many of the four bursts were received.
	Bursts int
	// Ciphered is true when the block was deciphered with the channel's
	// key (Uplink.SetCipher) to decode: with Good, it is the "correctly
	// deciphered frame" on which the network starts enciphering the
	// downlink (TS 44.018 §3.4.7.2, Downlink.SetCipher).
	Ciphered bool
	// RSSI (dBm), ToA (symbols) and CI (dB) averaged over the received
	// bursts.
	RSSI, ToA, CI float32
}

// AccessBurst is one decoded access burst (channel request).
type AccessBurst struct {
	Chan    Chan
	FN      tdma.FN
	RA      uint8
	Quality coding.Quality
	// RSSI in dBm, ToA in symbols (the timing advance to order), CI in dB.
	RSSI, ToA, CI float32
}

// MinBursts is the number of received bursts below which a block is
// reported bad even if the Fire code happens to check.
const MinBursts = 2

// UplinkStats counts what the Uplink saw since it was made.
type UplinkStats struct {
	Bursts      uint64 // RxBursts handed in
	Blocks      uint64 // blocks delivered
	BadBlocks   uint64 // of which bad
	Access      uint64 // access bursts delivered
	AccessBad   uint64 // access bursts on RACH positions that did not decode
	Unscheduled uint64 // bursts at positions with no uplink channel
	// RACH is the level and error rate of the bursts the receiver took
	// for access bursts (uplinkmeas.go).
	RACH ChannelMeas
}

type accum struct {
	active bool
	start  tdma.FN
	got    uint8
	n      int
	rssi   float32
	toa    float32
	ci     float32
	soft   [4][116]int8
	// ciph marks the bursts deciphered on arrival, fns their frames (to
	// undo it for a block tried in clear).
	ciph uint8
	fns  [4]tdma.FN
}

// Uplink is the uplink demultiplexer of C0: it maps each received burst by
// (FN, TN) to its logical channel with the uplink columns of the TS 45.002
// clause 7 tables, gathers the four bursts of each SDCCH/SACCH block,
// decodes it with gsm/coding, and decodes access bursts on the RACH. It is
// not safe for concurrent use; the per-cell loop owns it.
type Uplink struct {
	cfg  Config
	lay  Layout // cfg.Slots and the run-time switches (layout.go)
	cur  [8]Combination
	sink Sink
	// acc[tn][0..7] SDCCH sub-channels, [8..15] SACCH sub-channels
	// (SACCH/TF uses [8]).
	acc [8][16]accum
	blk UplinkBlock
	// Uplink deciphering per dedicated channel, [TN][sub-channel] (sub 0
	// for TCH/F); see SetCipher.
	ciph [8][8]ulCipher
	// TCH/F state per timeslot (combination I).
	tchAcc [8]accum
	tchDec [8]coding.TCHFDecoder
	// tchCiph: the previous four bursts of the TCH/F on the timeslot
	// were all deciphered (tch.go).
	tchCiph [8]bool
	tr      UplinkTraffic
	ab      AccessBurst
	ra      [1]byte
	rsoft   [tdma.AccessDataBits]int8
	ev      TapEvent
	stats   UplinkStats
}

// NewUplink checks cfg and returns an Uplink delivering to sink.
func NewUplink(cfg Config, sink Sink) (*Uplink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Uplink{cfg: cfg, lay: NewLayout(cfg.Slots), cur: cfg.Slots, sink: sink}, nil
}

// Switch changes timeslot tn to combination to from frame at on (see
// Layout.Switch and Downlink.Switch).
func (u *Uplink) Switch(tn tdma.TN, to Combination, at tdma.FN) error {
	return u.lay.Switch(tn, to, at)
}

// reset drops what timeslot tn was gathering: its combination changed.
// A block cut short by the change is not delivered (its channel was not
// in use).
func (u *Uplink) reset(tn tdma.TN) {
	u.acc[tn] = [16]accum{}
	u.tchAcc[tn] = accum{}
	u.tchDec[tn].Reset()
	u.ciph[tn] = [8]ulCipher{}
}

// Stats returns the counters.
func (u *Uplink) Stats() UplinkStats { return u.stats }

func accIndex(c Chan) (int, bool) {
	switch c.Kind {
	case ChanSDCCH4, ChanSDCCH8:
		return int(c.Sub & 7), true
	case ChanSACCHC4, ChanSACCHC8, ChanSACCHTF:
		return 8 + int(c.Sub&7), true
	}
	return 0, false
}

// Burst routes one received burst. rx.Kind KindNone (or any kind other
// than KindNormal on an SDCCH/SACCH position) marks a burst that was not
// received: its soft bits are taken as erasures. A nil rx is ignored. It
// does not allocate.
func (u *Uplink) Burst(rx *tdma.RxBurst) {
	if rx == nil {
		return
	}
	u.stats.Bursts++
	tn := rx.TN & 7
	comb := u.lay.At(tn, rx.FN)
	if comb != u.cur[tn] {
		u.reset(tn)
		u.cur[tn] = comb
	}
	s := comb.Uplink(tn, rx.FN)
	switch s.Chan.Kind {
	case ChanRACH:
		if rx.Kind == tdma.KindAccess {
			u.access(s.Chan, rx)
		}
		return
	case ChanTCHF:
		u.tchBurst(s, rx)
		return
	case ChanIdle:
		u.stats.Unscheduled++
		return
	}
	i, ok := accIndex(s.Chan)
	if !ok {
		u.stats.Unscheduled++
		return
	}
	a := &u.acc[tn][i]
	start := s.BlockStart(rx.FN)
	if a.active && a.start != start {
		u.flush(s.Chan, a) // the previous block lost its last bursts
	}
	if !a.active {
		*a = accum{active: true, start: start}
	}
	u.gather(a, s, rx)
	if s.Burst == 3 {
		u.flush(s.Chan, a)
	}
}

// gather stores the soft bits of burst rx at slot s in a, deciphered when
// the channel is ciphered.
func (u *Uplink) gather(a *accum, s Slot, rx *tdma.RxBurst) {
	bit := uint8(1) << (s.Burst & 3)
	soft := &a.soft[s.Burst&3]
	if rx.Kind != tdma.KindNormal {
		clear(soft[:])
		a.ciph &^= bit
		return
	}
	tdma.NormalData(soft, (*[tdma.BurstBits]int8)(&rx.Soft))
	if c := u.ulCipherAt(rx.TN, s.Chan); c != nil {
		c.DecryptSoftData(DirUp, rx.FN, soft)
		a.ciph |= bit
		a.fns[s.Burst&3] = rx.FN
	} else {
		a.ciph &^= bit
	}
	if a.got&bit == 0 {
		a.n++
		a.rssi += rx.RSSI
		a.toa += rx.ToA
		a.ci += rx.CI
	}
	a.got |= bit
}

// decodeCiphered decodes a block some of whose bursts were deciphered on
// arrival. When it does not decode and the channel's ciphering is not yet
// confirmed, it re-enciphers those bursts (undoing the deciphering) and
// decodes the block in clear; a block that decodes deciphered confirms
// the ciphering. It reports whether the result is the deciphered one.
func (u *Uplink) decodeCiphered(ch Chan, a *accum, msg *[23]byte) (q coding.Quality, ok, ciphered bool) {
	q, ok = coding.DecodeXCCH(msg, &a.soft)
	c := u.ulCipherAt(ch.TN, ch)
	if c == nil {
		return q, ok, true
	}
	if ok {
		if a.n >= MinBursts {
			c.confirmed = true
		}
		return q, ok, true
	}
	if c.confirmed {
		return q, ok, true
	}
	for i := range a.soft {
		if a.ciph&a.got&(1<<i) != 0 {
			c.DecryptSoftData(DirUp, a.fns[i], &a.soft[i])
		}
	}
	var clr [23]byte
	q2, ok2 := coding.DecodeXCCH(&clr, &a.soft)
	if !ok2 {
		return q, ok, true
	}
	*msg = clr
	return q2, ok2, false
}

func (u *Uplink) flush(ch Chan, a *accum) {
	a.active = false
	b := &u.blk
	b.Chan, b.FN, b.Bursts = ch, a.start, a.n
	for i := range a.soft {
		if a.got&(1<<i) == 0 {
			clear(a.soft[i][:])
		}
	}
	if a.n == 0 {
		clear(b.Msg[:])
		b.Good, b.Quality, b.Ciphered = false, coding.Quality{}, false
		b.RSSI, b.ToA, b.CI = 0, 0, 0
	} else {
		var q coding.Quality
		var ok bool
		if a.ciph&a.got != 0 {
			q, ok, b.Ciphered = u.decodeCiphered(ch, a, &b.Msg)
		} else {
			q, ok = coding.DecodeXCCH(&b.Msg, &a.soft)
			b.Ciphered = false
		}
		b.Quality, b.Good = q, ok && a.n >= MinBursts
		n := float32(a.n)
		b.RSSI, b.ToA, b.CI = a.rssi/n, a.toa/n, a.ci/n
	}
	u.deliver(b)
}

func (u *Uplink) deliver(b *UplinkBlock) {
	u.stats.Blocks++
	if !b.Good {
		u.stats.BadBlocks++
	}
	if b.Good && u.cfg.Tap != nil {
		u.ev = TapEvent{Uplink: true, Chan: b.Chan, FN: b.FN, ARFCN: u.cfg.ARFCN, Data: b.Msg[:], RSSI: b.RSSI, ToA: b.ToA}
		u.cfg.Tap(&u.ev)
	}
	if u.sink != nil {
		u.sink.UplinkBlock(b)
	}
}

func (u *Uplink) access(ch Chan, rx *tdma.RxBurst) {
	tdma.AccessData(&u.rsoft, (*[tdma.BurstBits]int8)(&rx.Soft))
	ra, q, ok := coding.DecodeRACH(&u.rsoft, u.cfg.BSIC)
	u.stats.RACH.Add(ok, ok, rx.RSSI)
	if !ok {
		u.stats.AccessBad++
		return
	}
	u.stats.Access++
	u.ab = AccessBurst{Chan: ch, FN: rx.FN, RA: ra, Quality: q, RSSI: rx.RSSI, ToA: rx.ToA, CI: rx.CI}
	if u.cfg.Tap != nil {
		u.ra[0] = ra
		u.ev = TapEvent{Uplink: true, Chan: ch, FN: rx.FN, ARFCN: u.cfg.ARFCN, Data: u.ra[:], RSSI: rx.RSSI, ToA: rx.ToA}
		u.cfg.Tap(&u.ev)
	}
	if u.sink != nil {
		u.sink.AccessBurst(&u.ab)
	}
}
