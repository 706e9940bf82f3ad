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

// Stats counts what the client did.
type Stats struct {
	Sent     uint64 // downlink bursts sent
	Inits    uint64 // initialisation attempts
	Clocks   uint64 // IND CLOCK received
	Received uint64 // uplink bursts received
	Dropped  uint64 // uplink bursts dropped: the loop's queue was full
}

// Client is a phy.Carrier over the TRX protocol. Next, Transmit and
// Receive are the cell loop's; Stats is safe from any goroutine. Close
// (or the end of the context given to Next) stops its readers.
type Client struct {
	cfg     Config
	log     *slog.Logger
	version uint8

	clock    atomic.Pointer[clockInd] // the latest IND CLOCK
	ul       chan tdma.RxBurst        // data reader → cell loop
	received atomic.Uint64
	dropped  atomic.Uint64
	clocks   atomic.Uint64
	sent     atomic.Uint64
	inits    atomic.Uint64
	initAt   time.Time

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

type clockInd struct {
	fn tdma.FN
	at time.Time
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
	return &Client{cfg: cfg, log: log, ul: make(chan tdma.RxBurst, 256)}, nil
}

// Stats returns the counters.
func (c *Client) Stats() Stats {
	return Stats{Sent: c.sent.Load(), Inits: c.inits.Load(), Clocks: c.clocks.Load(),
		Received: c.received.Load(), Dropped: c.dropped.Load()}
}

// Close closes the link and waits for the readers.
func (c *Client) Close() error {
	err := c.cfg.Link.Close()
	c.wg.Wait()
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
		c.wg.Add(2)
		go func() { defer c.wg.Done(); c.readClock() }()
		go func() { defer c.wg.Done(); c.readData() }()
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
	if c.up {
		if _, err := c.cfg.Link.Command(trxproto.Command("POWEROFF"), 500*time.Millisecond, 1); err != nil {
			c.log.Warn("transceiver did not confirm POWEROFF", "err", err)
		}
		c.up = false
	}
	return ctx.Err()
}

// follow updates the target frame from the latest clock indication.
func (c *Client) follow() {
	ci := c.clock.Load()
	now := time.Now()
	last := c.initAt
	if ci != nil {
		last = ci.at
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
	if c.anchor == nil || ci != c.anchor && ci.at.After(c.anchor.at) {
		if c.anchor == nil {
			c.next = ci.fn.Add(adv)
			c.log.Info("transceiver clock running", "fn", uint32(ci.fn))
		}
		c.anchor = ci
	}
	cur := c.anchor.fn.Add(int(now.Sub(c.anchor.at) / phy.FrameDuration))
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
	c.inits.Add(1)
	c.initAt = time.Now()
	c.clock.Store(nil)
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
	for tn, st := range c.cfg.Slots {
		steps = append(steps, []string{"SETSLOT", strconv.Itoa(tn), strconv.Itoa(int(st))})
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

func (c *Client) readClock() {
	for {
		m, err := c.cfg.Link.ReadClock(time.Time{})
		if err != nil {
			if errors.Is(err, trxproto.ErrSyntax) {
				continue
			}
			return
		}
		if m.Type != trxproto.IND || m.Verb != "CLOCK" {
			continue
		}
		fn, ok := m.Int(0)
		if !ok || fn < 0 || fn >= tdma.HyperFrame {
			continue
		}
		c.clocks.Add(1)
		c.clock.Store(&clockInd{fn: tdma.FN(fn), at: time.Now()})
	}
}

func (c *Client) readData() {
	buf := make([]byte, 1500)
	var p trxproto.UplinkPDU
	for {
		n, err := c.cfg.Link.ReadData(buf, time.Time{})
		if err != nil {
			return
		}
		if p.Unmarshal(buf[:n]) != nil {
			continue
		}
		rb := tdma.RxBurst{FN: p.FN, TN: p.TN, TSC: p.TSC, RSSI: float32(p.RSSI), ToA: float32(p.ToA256) / 256, CI: float32(p.CI) / 10, Kind: tdma.KindNormal, Soft: p.Soft}
		if p.NOPE {
			rb.Kind, rb.Soft = tdma.KindNone, tdma.SoftBurst{}
		}
		c.received.Add(1)
		select {
		case c.ul <- rb:
		default:
			c.dropped.Add(1)
		}
	}
}

// classify decides, where the plan listens for access bursts, whether the
// soft bits hold one: the transceiver sends them aligned on the burst's
// start, so the 41-bit synchronisation sequence (TS 45.002 §5.2.7) sits
// at bits 8..48. At least 36 of 41 agreeing bits make it one (a chance
// match on noise is below 1e-6); otherwise it is nothing.
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
