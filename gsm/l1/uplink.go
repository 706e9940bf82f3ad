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
}

// Uplink is the uplink demultiplexer of C0: it maps each received burst by
// (FN, TN) to its logical channel with the uplink columns of the TS 45.002
// clause 7 tables, gathers the four bursts of each SDCCH/SACCH block,
// decodes it with gsm/coding, and decodes access bursts on the RACH. It is
// not safe for concurrent use; the per-cell loop owns it.
type Uplink struct {
	cfg  Config
	sink Sink
	// acc[tn][0..7] SDCCH sub-channels, [8..15] SACCH sub-channels
	// (SACCH/TF uses [8]).
	acc [8][16]accum
	blk UplinkBlock
	// TCH/F state per timeslot (combination I).
	tchAcc [8]accum
	tchDec [8]coding.TCHFDecoder
	tr     UplinkTraffic
	ab     AccessBurst
	ra     [1]byte
	rsoft  [tdma.AccessDataBits]int8
	ev     TapEvent
	stats  UplinkStats
}

// NewUplink checks cfg and returns an Uplink delivering to sink.
func NewUplink(cfg Config, sink Sink) (*Uplink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Uplink{cfg: cfg, sink: sink}, nil
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
	s := u.cfg.Slots[tn].Uplink(tn, rx.FN)
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
	if rx.Kind == tdma.KindNormal {
		tdma.NormalData(&a.soft[s.Burst], (*[tdma.BurstBits]int8)(&rx.Soft))
		if a.got&(1<<s.Burst) == 0 {
			a.n++
			a.rssi += rx.RSSI
			a.toa += rx.ToA
			a.ci += rx.CI
		}
		a.got |= 1 << s.Burst
	} else {
		clear(a.soft[s.Burst][:])
	}
	if s.Burst == 3 {
		u.flush(s.Chan, a)
	}
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
		b.Good, b.Quality = false, coding.Quality{}
		b.RSSI, b.ToA, b.CI = 0, 0, 0
	} else {
		q, ok := coding.DecodeXCCH(&b.Msg, &a.soft)
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
