package bts

import (
	"fmt"
	"log/slog"
	"slices"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Config is what a cell needs to go on air.
type Config struct {
	// Cell is what the cell broadcasts in its System Information.
	Cell rr.CellConfig
	// SDCCH8 lists the timeslots (1..7) that carry SDCCH/8 (combination
	// VII). With Cell.CombinedCCCH false at least one is needed.
	SDCCH8 []tdma.TN
	// TCHF lists the timeslots (1..7) that carry a TCH/F with FACCH/F
	// and SACCH/TF (combination I). The pool admits them; they are
	// activated by the core (rsl.ChanActivate), never by a RACH.
	TCHF []tdma.TN
	// Tap, when not nil, sees every block l1 sends or receives (GSMTAP).
	Tap l1.Tap
	// Log receives the cell's events; nil discards them.
	Log *slog.Logger
	// OnSwitch, when not nil, is told when a dynamic timeslot is to
	// change its combination from frame at on (dynamic.go): an external
	// transceiver needs a SETSLOT. It is called on the frame loop and
	// must not wait.
	OnSwitch func(tn tdma.TN, to l1.Combination, at tdma.FN)
	// MSPowerTargetDBm, when not 0, turns on MS power control (TS 45.008
	// §4.7): the cell orders each phone's power level on the SACCH so
	// that its uplink arrives near this level, ±PowerWindowDB.
	MSPowerTargetDBm float32
	// ID names the cell in the events it sends up the seam.
	ID rsl.CellID
	// Up is where the cell sends its events for the core (the core's
	// rsl queue). Without it the cell assigns channels and runs LAPDm
	// and the SACCH, but its L3 goes nowhere.
	Up *rsl.Queue[rsl.Up]
	// NoOverloadControl keeps the System Information's RACH control as
	// configured under any load (overload.go).
	NoOverloadControl bool
	// DownQueue is the length of the cell's queue of requests from the
	// core; 0 means DefaultDownQueue.
	DownQueue int
	// VeryEarlyAssignment gives a channel request for a call (originating,
	// emergency, answer to paging) a TCH/F in signalling mode when one is
	// free, instead of an SDCCH (TS 44.018 §3.3.1.1.3 allows either): the
	// call's signalling then runs on FACCH/F, a block every 20 ms rather
	// than one per 51-multiframe, and the channel becomes the call's
	// speech channel by Channel Mode Modify, with no assignment.
	VeryEarlyAssignment bool
	// DynamicTS lists TCH/F timeslots (each also in TCHF) that carry
	// SDCCH/8 while signalling demand is high, and go back to TCH/F when
	// calls need them (dynamic.go).
	DynamicTS []tdma.TN
}

// DefaultDownQueue is the default length of a cell's request queue.
const DefaultDownQueue = 512

// Stats counts what the cell did.
type Stats struct {
	Frames   uint64
	Downlink l1.DownlinkStats
	Uplink   l1.UplinkStats
	// AccessBursts counts decoded channel requests.
	AccessBursts uint64
	Dedicated    DedicatedStats
	Traffic      TrafficStats
	// Overload is the access scheduler's and the overload control's.
	Overload OverloadStats
	// ChannelsInUse counts the dedicated channels not free now (SDCCH
	// and TCH); DownQueue the core's requests waiting for the next frame.
	ChannelsInUse int
	DownQueue     int
	// TCHFFree counts the TCH/Fs a call could have now.
	TCHFFree int
	// UplinkByClass is the uplink's level and block error rate per type
	// of channel: SDCCH, SACCH and TCH on channels in use (measure.go),
	// RACH from l1 (Uplink.RACH).
	UplinkByClass [l1.NumMeasClasses]l1.ChannelMeas
	// Timeslots is each timeslot's combination now, a dynamic timeslot's
	// as last switched; Dynamic counts the switches.
	Timeslots [tdma.Slots]l1.Combination
	Dynamic   DynamicStats
}

// Cell is one running cell on its BCCH carrier.
type Cell struct {
	cfg   Config
	log   *slog.Logger
	l1cfg l1.Config
	si    rr.SIBlocks
	dl    *l1.Downlink
	ul    *l1.Uplink
	stats Stats
	ded   DedicatedStats

	chans   []dchan
	nextRef uint32
	down    *rsl.Queue[rsl.Down]
	acc     accessSched
	pages   []pendingPage // this frame's paging identities (paging.go)
	// tchPagedUntil: the cell paged with "TCH/F needed" (paging.go);
	// answers to paging with "any channel" before it are for calls.
	tchPagedUntil tdma.FN
	tchPaged      bool
	tch           [tdma.Slots]tchState // speech on the TCH/Fs (tch.go)
	traffic       TrafficStats
	// portFrame is scratch for a frame crossing an rsl.SpeechPort.
	portFrame rsl.SpeechFrame
	meas      [l1.NumMeasClasses]l1.ChannelMeas // measure.go
	// Dynamic timeslots (dynamic.go) and the layout they switch.
	dyn         [tdma.Slots]dynSlot
	lay         l1.Layout
	dynLowSince uint64
	dynStats    DynamicStats
	rachIdx     [52]int // RACH slots before each frame of the 51-multiframe (siblings.go)
}

// New builds the cell's System Information and its L1 scheduler.
func New(cfg Config) (*Cell, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	si, err := rr.BuildSystemInformation(cfg.Cell)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	lc := l1.Config{
		ARFCN:       cfg.Cell.ARFCN,
		BSIC:        cfg.Cell.BSIC,
		BSAgBlksRes: int(cfg.Cell.BSAGBlksRes),
		BSPaMfrms:   int(cfg.Cell.BSPAMfrms),
		Tap:         cfg.Tap,
	}
	rr.EmptyPaging(&lc.IdleCCCH)
	lc.Slots[0] = l1.CombIV
	if cfg.Cell.CombinedCCCH {
		lc.Slots[0] = l1.CombV
	}
	for _, tn := range cfg.SDCCH8 {
		if tn == 0 || tn > 7 {
			return nil, fmt.Errorf("%w: SDCCH/8 on timeslot %d", ErrConfig, tn)
		}
		lc.Slots[tn] = l1.CombVII
	}
	for _, tn := range cfg.TCHF {
		if tn == 0 || tn > 7 || lc.Slots[tn] != l1.CombOff {
			return nil, fmt.Errorf("%w: TCH/F on timeslot %d", ErrConfig, tn)
		}
		lc.Slots[tn] = l1.CombI
	}
	for i, tn := range cfg.DynamicTS {
		if tn == 0 || tn > 7 || lc.Slots[tn] != l1.CombI || slices.Contains(cfg.DynamicTS[:i], tn) {
			return nil, fmt.Errorf("%w: dynamic timeslot %d: want a TCH/F timeslot listed once", ErrConfig, tn)
		}
	}
	if !cfg.Cell.CombinedCCCH && len(cfg.SDCCH8) == 0 {
		return nil, fmt.Errorf("%w: a non-combined CCCH needs an SDCCH/8 timeslot", ErrConfig)
	}
	nd := cfg.DownQueue
	if nd <= 0 {
		nd = DefaultDownQueue
	}
	c := &Cell{cfg: cfg, log: log, l1cfg: lc, si: si, down: rsl.NewQueue[rsl.Down](nd)}
	c.acc.base, c.acc.overloadOff = cfg.Cell, cfg.NoOverloadControl
	if err := c.initChannels(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c.initTCH()
	c.initDynamic()
	c.initRACHSlots()
	for i := range c.chans {
		switch {
		case c.chans[i].ch.Kind == l1.ChanTCHF:
			c.acc.tchf++
		case c.usable(&c.chans[i]):
			c.acc.st.SDCCHTotal++
		}
	}
	if c.dl, err = l1.NewDownlink(lc, c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.ul, err = l1.NewUplink(lc, c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	for _, s := range []struct {
		t   l1.SIType
		msg *[23]byte
	}{{l1.SI1, &si.SI1}, {l1.SI2, &si.SI2}, {l1.SI3, &si.SI3}, {l1.SI4, &si.SI4}} {
		if err := c.dl.BCCH.Set(s.t, s.msg); err != nil {
			return nil, fmt.Errorf("%w: %v: %w", ErrConfig, s.t, err)
		}
	}
	if si.HasSI2bis {
		// The BA list overflowed SI2: the rest goes in SI2bis at TC 5.
		if err := c.dl.BCCH.Set(l1.SI2bis, &si.SI2bis); err != nil {
			return nil, fmt.Errorf("%w: SI2bis: %w", ErrConfig, err)
		}
	}
	if !c.acc.overloadOff {
		// A cell coming on air meets every phone in range at once.
		c.acc.st.Level, c.acc.st.LevelMax = OverloadSpread, OverloadSpread
		c.applyOverload()
	}
	return c, nil
}

// SystemInformation returns the blocks the cell broadcasts.
func (c *Cell) SystemInformation() *rr.SIBlocks { return &c.si }

// L1Config returns the layer-1 configuration (timeslot combinations,
// CCCH layout) the cell runs.
func (c *Cell) L1Config() l1.Config { return c.l1cfg }

// Frame fills out with the downlink bursts of all eight timeslots of
// frame fn. The loop calls it once per frame, ahead of the air by the
// transceiver's lead. It does not allocate.
func (c *Cell) Frame(fn tdma.FN, out *[tdma.Slots]tdma.TxBurst) {
	c.stats.Frames++
	c.dynamicFrame(fn)
	c.downlink(fn)
	c.tick(fn)
	if c.stats.Frames%51 == 0 {
		c.overload()
		c.dynamic(fn)
	}
	c.dl.Frame(fn, out)
}

// Down is the cell's queue of requests from the core: the core puts, the
// cell takes them at the start of each Frame.
func (c *Cell) Down() *rsl.Queue[rsl.Down] { return c.down }

// ID returns the cell's name on the seam.
func (c *Cell) ID() rsl.CellID { return c.cfg.ID }

// Receive hands one uplink burst to the cell.
func (c *Cell) Receive(b *tdma.RxBurst) { c.ul.Burst(b) }

// Stats returns the cell's counters.
func (c *Cell) Stats() Stats {
	s := c.stats
	s.Downlink = c.dl.Stats()
	s.Uplink = c.ul.Stats()
	s.Dedicated = c.ded
	s.Traffic = c.traffic
	s.Overload = c.Overload()
	s.UplinkByClass = c.meas
	s.UplinkByClass[l1.MeasRACH] = s.Uplink.RACH
	for i := range c.chans {
		d := &c.chans[i]
		switch {
		case d.state != ChanFree:
			s.ChannelsInUse++
		case d.ch.Kind == l1.ChanTCHF && c.usable(d):
			s.TCHFFree++
		}
	}
	s.DownQueue = c.down.Len()
	s.Timeslots = c.lay.Slots()
	s.Dynamic = c.dynStats
	return s
}
