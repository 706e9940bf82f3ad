// Package trxclient is the layer-1 side of the osmo-trx TRX protocol
// (gsm/trxproto) as a burst PHY (gsm/phy.Carrier): gsmbox's cell runs
// against an external transceiver (osmo-trx on an SDR, or `gsmbox trx`)
// through it, as osmo-bts-trx's trx_if does for osmo-bts. It initialises
// the transceiver (POWEROFF, SETFORMAT, RXTUNE/TXTUNE, SETTSC,
// NOMTXPOWER, POWERON, SETSLOT, SETPOWER), follows its IND CLOCK, hands
// out frames Advance frames ahead of it, sends their bursts as TRXD and
// hands up the uplink bursts it receives. When the clock stops for Lost
// it re-initialises the transceiver, as often as it takes.
//
// Place in the dependency order: above gsm/trxproto and gsm/phy; used by
// firmware/node and `gsmbox bts`.
package trxclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
)

// Config configures a Client.
type Config struct {
	// Link is the layer-1 side of the three UDP sockets.
	Link *trxproto.Link
	// Band and ARFCN are the carrier's (RXTUNE/TXTUNE).
	Band  tdma.Band
	ARFCN tdma.ARFCN
	// TSC is the carrier's training sequence (SETTSC).
	TSC uint8
	// Slots are the timeslots' SETSLOT codes.
	Slots [tdma.Slots]trxproto.SlotType
	// Advance is how many frames ahead of the transceiver's clock the
	// downlink is sent (default 20).
	Advance int
	// Lost is how long without IND CLOCK declares the transceiver lost
	// (default 3 s).
	Lost time.Duration
	// MaxVersion is the highest TRXD version asked for.
	MaxVersion int
	// Log receives the exchanges (debug) and problems.
	Log *slog.Logger
}

// Stats counts what the client did. The counts of bad input are the
// whole count; the log has at most a line a second of each.
type Stats struct {
	Sent     uint64 // downlink bursts sent
	Inits    uint64 // initialisation attempts
	Clocks   uint64 // IND CLOCK received
	Received uint64 // uplink bursts received
	Dropped  uint64 // uplink bursts dropped: the loop's queue was full

	BadClock      uint64 // clock datagrams that are not a readable IND CLOCK
	ClockOutliers uint64 // IND CLOCKs far from the followed clock, not followed
	ClockJumps    uint64 // times the followed clock moved to a new one
	// ClockLead is how many frames the transceiver's clock runs ahead of
	// the air, as its uplink shows (see Client.noteLead); the frames
	// handed out are Advance ahead of the air, not of the clock.
	ClockLead  int
	BadData    uint64 // uplink TRXD PDUs that could not be read
	BadControl uint64 // control datagrams that could not be read
	Stale      uint64 // responses that answered no command waited for
	// SlotChanges counts SETSLOTs sent after initialisation (a dynamic
	// timeslot switched); SlotFailures those the transceiver refused or
	// did not answer, or that found the queue full.
	SlotChanges  uint64
	SlotFailures uint64
}

// Client is a phy.Carrier over the TRX protocol. Next, Transmit and
// Receive are the cell loop's; Stats is safe from any goroutine. Close
// (or the end of the context given to Next) stops its readers.
type Client struct {
	cfg     Config
	log     *slog.Logger
	version uint8

	clock    atomic.Pointer[clockInd] // the followed clock
	gen      atomic.Uint64            // initialisations: the clock reader starts afresh
	lastInd  atomic.Int64             // when the last IND CLOCK came (Unix ns), followed or not
	badClock *trxproto.BadInput
	outlier  *trxproto.BadInput
	badData  *trxproto.BadInput
	jumps    atomic.Uint64
	ul       chan tdma.RxBurst // data reader → cell loop
	received atomic.Uint64
	lead     atomic.Int64 // the clock's lead over the air, frames (see noteLead)
	leadWin  [2]int64     // data reader only: minimum lag this second and the last
	leadFrom time.Time    // data reader only: when this second began
	leadGen  uint64       // data reader only: the initialisation the window is of
	dropped  atomic.Uint64
	clocks   atomic.Uint64
	sent     atomic.Uint64
	inits    atomic.Uint64
	initAt   time.Time

	// cmdMu makes the control socket's reader one at a time: the loop
	// (initialise, stop) and the slot changer.
	cmdMu     sync.Mutex
	slots     [tdma.Slots]atomic.Int32 // each timeslot's SETSLOT code now
	slotq     chan slotChange          // SetSlot → slot changer
	quit      chan struct{}            // closed by Close
	slotSent  atomic.Uint64
	slotFail  atomic.Uint64
	closeOnce sync.Once

	started bool
	wg      sync.WaitGroup
	tick    *time.Ticker
	up      bool
	anchor  *clockInd
	next    tdma.FN
	target  tdma.FN
	pdu     trxproto.DownlinkPDU
	buf     [trxproto.DownlinkLen]byte
	plan    phy.Plan
}

var _ phy.Carrier = (*Client)(nil)

// slotChange is a SETSLOT to send.
type slotChange struct {
	tn tdma.TN
	st trxproto.SlotType
}

// clockInd is the followed clock: frame fn began at at; seen is when
// the last indication that agreed with it came.
type clockInd struct {
	fn       tdma.FN
	at, seen time.Time
}

// New returns a client on cfg.Link; nothing is sent until Next.
func New(cfg Config) (*Client, error) {
	if cfg.Link == nil {
		return nil, errors.New("trxclient: no link")
	}
	if cfg.Advance == 0 {
		cfg.Advance = 20
	}
	if cfg.Advance < 1 || cfg.Advance > 100 {
		return nil, fmt.Errorf("trxclient: advance of %d frames: want 1..100", cfg.Advance)
	}
	if cfg.Lost == 0 {
		cfg.Lost = 3 * time.Second
	}
	if cfg.MaxVersion < 0 || cfg.MaxVersion > trxproto.MaxVersion {
		return nil, fmt.Errorf("trxclient: TRXD version %d: want 0..%d", cfg.MaxVersion, trxproto.MaxVersion)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{cfg: cfg, log: log, ul: make(chan tdma.RxBurst, 256),
		badClock: trxproto.NewBadInput("trx clock: unreadable datagram", log, 0, nil),
		outlier:  trxproto.NewBadInput("trx clock: IND CLOCK far from the followed clock; not followed", log, 0, nil),
		badData:  trxproto.NewBadInput("trxd: unreadable uplink PDU", log, 0, nil),
		slotq:    make(chan slotChange, tdma.Slots),
		quit:     make(chan struct{}),
	}
	for tn, st := range cfg.Slots {
		c.slots[tn].Store(int32(st))
	}
	return c, nil
}

// SetSlot changes timeslot tn's channel combination on the transceiver,
// as a dynamic timeslot switches between TCH/F and SDCCH/8 (gsm/bts
// dynamic.go): the SETSLOT osmo-bts-trx also sends at run time. It never
// waits, so the cell's frame loop may call it: the command goes out from
// the client's own goroutine, and a full queue drops it, counted in
// Stats.SlotFailures (a re-initialisation sends every slot's code as it
// is now). It reports whether the change was queued.
func (c *Client) SetSlot(tn tdma.TN, st trxproto.SlotType) bool {
	if tn >= tdma.Slots {
		return false
	}
	c.slots[tn].Store(int32(st))
	select {
	case c.slotq <- slotChange{tn, st}:
		return true
	default:
		c.slotFail.Add(1)
		return false
	}
}

// changeSlots sends the SETSLOTs SetSlot queued, while the transceiver
// is up; until Close.
func (c *Client) changeSlots() {
	for {
		select {
		case <-c.quit:
			return
		case ch := <-c.slotq:
			cmd := trxproto.Command("SETSLOT", strconv.Itoa(int(ch.tn)), strconv.Itoa(int(ch.st)))
			c.cmdMu.Lock()
			r, err := c.cfg.Link.Command(cmd, time.Second, 3)
			c.cmdMu.Unlock()
			if err != nil {
				c.slotFail.Add(1)
				c.log.Warn("transceiver refused a timeslot change", "cmd", cmd.String(), "rsp", r.String(), "err", err)
				continue
			}
			c.slotSent.Add(1)
			c.log.Info("timeslot changed on the transceiver", "tn", ch.tn, "slot_type", int(ch.st))
		}
	}
}

// Stats returns the counters.
func (c *Client) Stats() Stats {
	cs := c.cfg.Link.CommandStats()
	return Stats{Sent: c.sent.Load(), Inits: c.inits.Load(), Clocks: c.clocks.Load(),
		Received: c.received.Load(), Dropped: c.dropped.Load(),
		BadClock: c.badClock.Count(), ClockOutliers: c.outlier.Count(), ClockJumps: c.jumps.Load(), ClockLead: int(c.lead.Load()),
		BadData: c.badData.Count(), BadControl: cs.Unreadable, Stale: cs.Stale,
		SlotChanges: c.slotSent.Load(), SlotFailures: c.slotFail.Load()}
}

// Close closes the link and waits for the readers; it logs the summary
// of the bad input not logged yet.
func (c *Client) Close() error {
	c.closeOnce.Do(func() { close(c.quit) })
	err := c.cfg.Link.Close()
	c.wg.Wait()
	c.badClock.Flush()
	c.outlier.Flush()
	c.badData.Flush()
	if c.tick != nil {
		c.tick.Stop()
	}
	return err
}

// Next implements phy.Carrier: it initialises the transceiver when it is
// not (retrying every second), then returns the next frame once it is
// within Advance frames of the transceiver's clock, waiting a frame at a
// time otherwise. When ctx ends it switches the transmitter off, as
// osmo-bts-trx does on exit, and returns ctx.Err().
func (c *Client) Next(ctx context.Context) (tdma.FN, error) {
	if !c.started {
		c.started = true
		c.wg.Add(3)
		go func() { defer c.wg.Done(); c.readClock() }()
		go func() { defer c.wg.Done(); c.readData() }()
		go func() { defer c.wg.Done(); c.changeSlots() }()
		c.tick = time.NewTicker(phy.FrameDuration)
	}
	for {
		if ctx.Err() != nil {
			return 0, c.stop(ctx)
		}
		if !c.up {
			if err := c.initialise(ctx); err != nil {
				if ctx.Err() != nil {
					continue
				}
				c.log.Warn("transceiver not ready; retrying", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
				continue
			}
			c.up, c.anchor = true, nil
			c.pdu.Version = c.version
		}
		if c.anchor != nil && c.next.Sub(c.target) <= 0 {
			fn := c.next
			c.next = c.next.Add(1)
			return fn, nil
		}
		select {
		case <-ctx.Done():
			continue
		case <-c.tick.C:
		}
		c.follow()
	}
}

// stop sends POWEROFF on the way out.
func (c *Client) stop(ctx context.Context) error {
	c.cmdMu.Lock()
	defer c.cmdMu.Unlock()
	if c.up {
		if _, err := c.cfg.Link.Command(trxproto.Command("POWEROFF"), 500*time.Millisecond, 1); err != nil {
			c.log.Warn("transceiver did not confirm POWEROFF", "err", err)
		}
		c.up = false
	}
	return ctx.Err()
}

// follow updates the target frame from the followed clock (see
// follower: one outlying IND CLOCK does not move it).
func (c *Client) follow() {
	ci := c.clock.Load()
	now := time.Now()
	// Any IND CLOCK says the transceiver is there, followed or not (a
	// transceiver that cannot keep real time sends outliers for a while).
	last := c.initAt
	if ci != nil {
		if t := time.Unix(0, c.lastInd.Load()); t.After(last) {
			last = t
		}
	}
	if now.Sub(last) > c.cfg.Lost {
		c.log.Warn("transceiver lost: no clock indication; re-initialising", "for", c.cfg.Lost)
		c.up = false
		return
	}
	if ci == nil {
		return
	}
	adv := c.cfg.Advance
	if c.anchor == nil {
		c.next = ci.fn.Add(adv)
		c.log.Info("transceiver clock running", "fn", uint32(ci.fn))
	}
	c.anchor = ci
	// The air is the clock less its lead (TS 45.002 §4.3.3 frame
	// numbers): frames go out Advance ahead of the air, so that the
	// stack answers an uplink block within LAPDm's T200.
	cur := predict(ci.fn, ci.at, now).Add(-int(c.lead.Load()))
	c.target = cur.Add(adv)
	if d := c.target.Sub(c.next); d > 4*adv || d < -4*adv {
		c.log.Warn("clock jumped; resynchronising", "next", uint32(c.next), "target", uint32(c.target))
		c.next = c.target
	}
}

// Transmit implements phy.Carrier: each burst is sent as a TRXD PDU.
func (c *Client) Transmit(fn tdma.FN, bursts *[tdma.Slots]tdma.TxBurst) error {
	for tn := range bursts {
		b := &bursts[tn]
		if b.Kind == tdma.KindNone {
			continue
		}
		c.pdu.TN, c.pdu.FN, c.pdu.Att, c.pdu.Bits = tdma.TN(tn), fn, b.Att, b.Bits
		if b.Kind == tdma.KindFCCH {
			c.pdu.Bits = tdma.FCCH
		}
		n, err := c.pdu.MarshalTo(c.buf[:])
		if err != nil {
			return err
		}
		c.cfg.Link.SendData(c.buf[:n])
		c.sent.Add(1)
	}
	return nil
}

// Receive implements phy.Carrier: the bursts the transceiver sent since
// the last call, each classified by the plan (see classify).
func (c *Client) Receive(plan phy.Planner, emit func(b *tdma.RxBurst)) error {
	for {
		select {
		case rb := <-c.ul:
			plan.Plan(rb.FN, &c.plan)
			if c.plan.Slots[rb.TN&7] == phy.RxOff {
				continue
			}
			c.classify(&rb)
			emit(&rb)
		default:
			return nil
		}
	}
}

// initialise runs the start-up sequence osmo-bts-trx uses.
func (c *Client) initialise(ctx context.Context) error {
	c.cmdMu.Lock()
	defer c.cmdMu.Unlock()
	c.inits.Add(1)
	c.initAt = time.Now()
	c.gen.Add(1)
	c.clock.Store(nil)
	c.lead.Store(0)
	band, arfcn := c.cfg.Band, c.cfg.ARFCN
	dl, ok1 := band.DownlinkHz(arfcn)
	ul, ok2 := band.UplinkHz(arfcn)
	if !ok1 || !ok2 {
		return fmt.Errorf("ARFCN %d is not in %v", arfcn, band)
	}
	do := func(verb string, params ...string) (trxproto.Message, error) {
		if ctx.Err() != nil {
			return trxproto.Message{}, ctx.Err()
		}
		r, err := c.cfg.Link.Command(trxproto.Command(verb, params...), time.Second, 3)
		c.log.Debug("trxc", "cmd", trxproto.Command(verb, params...).String(), "rsp", r.String(), "err", err)
		return r, err
	}
	if _, err := do("POWEROFF"); err != nil {
		return err
	}
	// SETFORMAT: ask for ours; a transceiver offering less is asked again
	// with its version; one that does not know the command speaks v0.
	c.version = 0
	want := c.cfg.MaxVersion
	for range 3 {
		r, err := do("SETFORMAT", strconv.Itoa(want))
		if errors.Is(err, trxproto.ErrRejected) && r.Verb == "ERR" {
			break
		}
		if err != nil {
			return err
		}
		if r.Status == want {
			c.version = uint8(want)
			break
		}
		if r.Status < 0 || r.Status > want {
			return fmt.Errorf("transceiver offers TRXD version %d", r.Status)
		}
		want = r.Status
	}
	khz := func(hz int64) string { return strconv.FormatInt(hz/1000, 10) }
	steps := [][]string{
		{"RXTUNE", khz(ul)}, {"TXTUNE", khz(dl)},
		{"SETTSC", strconv.Itoa(int(c.cfg.TSC))},
		{"NOMTXPOWER"},
		{"POWERON"},
	}
	for tn := range c.slots {
		steps = append(steps, []string{"SETSLOT", strconv.Itoa(tn), strconv.Itoa(int(c.slots[tn].Load()))})
	}
	steps = append(steps, []string{"SETPOWER", "0"})
	for _, s := range steps {
		if _, err := do(s[0], s[1:]...); err != nil {
			return err
		}
	}
	c.initAt = time.Now() // the clock is due from now
	c.log.Info("transceiver initialised", "trxd_version", c.version, "rx_khz", ul/1000, "tx_khz", dl/1000)
	return nil
}

// readClock follows every IND CLOCK (the clock reader owns the
// follower; the loop sees its result through c.clock).
func (c *Client) readClock() {
	var f follower
	gen := c.gen.Load()
	for {
		m, err := c.cfg.Link.ReadClock(time.Time{})
		if err != nil {
			if errors.Is(err, trxproto.ErrSyntax) {
				c.badClock.Note(err)
				continue
			}
			return
		}
		fn, ok := m.Int(0)
		if m.Type != trxproto.IND || m.Verb != "CLOCK" || !ok || fn < 0 || fn >= tdma.HyperFrame {
			c.badClock.Note(errBadClock, "msg", m.String())
			continue
		}
		c.clocks.Add(1)
		now := time.Now()
		c.lastInd.Store(now.UnixNano())
		c.observe(&f, &gen, tdma.FN(fn), now)
	}
}

var errBadClock = errors.New("not an IND CLOCK with a frame number")

// observe gives one indication to the follower and publishes the
// followed clock when it moved.
func (c *Client) observe(f *follower, gen *uint64, fn tdma.FN, now time.Time) {
	if g := c.gen.Load(); g != *gen {
		*f, *gen = follower{}, g // re-initialised: a new clock
	}
	outliers := f.outliers
	jumped := f.observe(fn, now)
	switch {
	case jumped:
		c.jumps.Add(1)
		c.log.Warn("transceiver clock moved: consecutive IND CLOCKs agree on a new clock", "fn", uint32(fn))
	case f.outliers != outliers:
		c.outlier.Note(nil, "fn", uint32(fn), "followed", uint32(f.now(now)))
		return
	}
	c.clock.Store(&clockInd{fn: f.fn, at: f.at, seen: f.seen})
}

func (c *Client) readData() {
	buf := make([]byte, 1500)
	var p trxproto.UplinkPDU
	for {
		n, err := c.cfg.Link.ReadData(buf, time.Time{})
		if err != nil {
			return
		}
		if err := p.Unmarshal(buf[:n]); err != nil {
			c.badData.Note(err)
			continue
		}
		c.deliver(&p)
	}
}

// deliver queues an uplink PDU for the loop.
func (c *Client) deliver(p *trxproto.UplinkPDU) {
	rb := tdma.RxBurst{FN: p.FN, TN: p.TN, TSC: p.TSC, RSSI: float32(p.RSSI), ToA: float32(p.ToA256) / 256, CI: float32(p.CI) / 10, Kind: tdma.KindNormal, Soft: p.Soft}
	if p.NOPE {
		rb.Kind, rb.Soft = tdma.KindNone, tdma.SoftBurst{}
	}
	c.received.Add(1)
	c.noteLead(p.FN, time.Now())
	select {
	case c.ul <- rb:
	default:
		c.dropped.Add(1)
	}
}

// classify decides, where the plan listens for access bursts, whether the
// soft bits hold one: the transceiver sends them aligned on the burst's
// start, so the 41-bit synchronisation sequence (TS 45.002 §5.2.7) sits
// at bits 8..48. At least 36 of 41 agreeing bits make it one (a chance
// match on noise is below 1e-6); otherwise it is nothing.
// maxLead bounds the clock lead the client believes: a larger lag of an
// uplink PDU behind the clock is a stale PDU, not a lead.
const maxLead = 250

// noteLead measures the transceiver's clock lead from an uplink PDU of
// frame fn arriving at now: the followed clock's frame then, less fn, is
// the lead plus the transceiver's own delay. A transceiver may run its
// IND CLOCK ahead of the air to give a layer 1 that sends late margin
// ("gsmbox trx --clock-lead", 40 frames by default); following that clock
// put the stack 60 frames ahead of the air, so that its answer to an
// uplink SDCCH block missed the next downlink block and both sides' T200
// (48 frames, TS 44.006 §5.8.1) ran out on every exchange: connections
// crawled and broke. The smallest lag over the last one to two seconds is
// the lead (a late datagram only makes one larger); none measured, it is
// zero. Called from the data reader only.
func (c *Client) noteLead(fn tdma.FN, now time.Time) {
	ci := c.clock.Load()
	if ci == nil {
		return
	}
	if g := c.gen.Load(); g != c.leadGen || c.leadFrom.IsZero() {
		c.leadGen, c.leadFrom, c.leadWin = g, now, [2]int64{math.MaxInt64, math.MaxInt64}
	}
	lag := int64(predict(ci.fn, ci.at, now).Sub(fn))
	if lag < 0 || lag > maxLead {
		return
	}
	if now.Sub(c.leadFrom) > time.Second {
		c.leadWin[1], c.leadWin[0], c.leadFrom = c.leadWin[0], math.MaxInt64, now
	}
	c.leadWin[0] = min(c.leadWin[0], lag)
	c.lead.Store(min(c.leadWin[0], c.leadWin[1]))
}

func (c *Client) classify(b *tdma.RxBurst) {
	if b.Kind == tdma.KindNone || c.plan.Slots[b.TN&7] != phy.RxAccess {
		return
	}
	b.Kind = Classify(&b.Soft)
}

// Classify returns KindAccess when soft holds an access burst's
// synchronisation sequence, KindNone otherwise.
func Classify(soft *tdma.SoftBurst) tdma.BurstKind {
	agree := 0
	for i, want := range tdma.AccessSync {
		if s := soft[tdma.AccessSyncStart+i]; (s < 0) == (want == 1) && s != 0 {
			agree++
		}
	}
	if agree >= 36 {
		return tdma.KindAccess
	}
	return tdma.KindNone
}
