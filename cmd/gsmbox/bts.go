package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
)

func init() {
	register(command{
		name:    "bts",
		summary: "run the cell's stack against an external transceiver (osmo-trx, gsmbox trx) over the TRX protocol",
		run:     runBTS,
	})
}

const btsUsage = `Usage: gsmbox bts [flags]

Runs the cell (System Information, layer 1 scheduling and everything
above it) against a transceiver reached over the osmo-trx TRX protocol:
osmo-trx on an SDR, or "gsmbox trx". It initialises the transceiver
(POWEROFF, SETFORMAT, RXTUNE/TXTUNE, SETTSC, NOMTXPOWER, POWERON, SETSLOT,
SETPOWER), follows its IND CLOCK, sends every downlink burst --advance
frames ahead, and hands the uplink bursts to the cell by their frame
numbers. When the clock stops for --lost it re-initialises the
transceiver, as often as it takes.

Flags:
`

func runBTS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bts", btsUsage, stderr)
	cfgPath := fs.String("config", "", "gsmbox.toml to run (default: the built-in test network 001/01)")
	trxAddr := fs.String("trx", "127.0.0.1:5700", "the transceiver's address and base port")
	bind := fs.String("bind", "127.0.0.1", "local address (ports: the transceiver's + 100)")
	advance := fs.Int("advance", 20, "frames ahead of the transceiver's clock that downlink bursts are sent")
	lost := fs.Duration("lost", 3*time.Second, "declare the transceiver lost after this long without IND CLOCK")
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted)")
	pcapPath := fs.String("pcap", "", "capture every TRXC/TRXD datagram to this pcap file")
	tapAddr := fs.String("gsmtap", "", "mirror every downlink block as GSMTAP to HOST:PORT")
	verbose := fs.Bool("v", false, "log debug messages")
	trxdVersion := fs.Int("trxd-version", trxproto.MaxVersion, "highest TRXD PDU version to ask for (0 or 1)")
	dbPath := fs.String("db", "", "subscriber registry file (default: a temporary one, removed at exit)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	host, port, err := net.SplitHostPort(*trxAddr)
	if err != nil {
		return fmt.Errorf("--trx %q: %w", *trxAddr, err)
	}
	base, err := strconv.Atoi(port)
	if err != nil || base <= 0 || base > 65535-trxproto.ClientOffset-3 {
		return fmt.Errorf("--trx %q: bad port", *trxAddr)
	}
	if *trxdVersion < 0 || *trxdVersion > trxproto.MaxVersion {
		return fmt.Errorf("--trxd-version %d: want 0..%d", *trxdVersion, trxproto.MaxVersion)
	}
	if *advance < 1 || *advance > 100 {
		return fmt.Errorf("--advance %d: want 1..100 frames", *advance)
	}
	h, err := setupHost(hostOptions{name: "bts", config: *cfgPath, gsmtap: *tapAddr, db: *dbPath, tempDB: true, verbose: *verbose}, stdout, stderr)
	if err != nil {
		return err
	}
	defer h.Close()
	cfg, log, tap := h.cfg, h.log, h.tap
	// The same cell, core network and subscriber registry as "gsmbox sim"
	// and the board run; only the radio is elsewhere.
	runner, err := newCellRunner(cfg, log, tap)
	if err != nil {
		return err
	}
	defer runner.Close()
	cell := runner.cell
	pw, closePcap, err := createPcap(*pcapPath)
	if err != nil {
		return err
	}
	defer closePcap()
	link, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.BTSSide, Bind: *bind, Remote: host, Base: base, Tap: pcapTap(pw)})
	if err != nil {
		return err
	}
	defer link.Close()
	fmt.Fprintf(stdout, "gsmbox bts: transceiver at %s, ports %d..%d here; %s\n", *trxAddr, base+trxproto.ClientOffset, base+trxproto.ClientOffset+2, onAirLine(cfg))

	c := &trxClient{cfg: cfg, cell: corePHY{runner}, link: link, log: log, advance: *advance, lost: *lost, maxVersion: *trxdVersion,
		ul: make(chan tdma.RxBurst, 256)}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	err = c.serve(ctx)
	st := cell.Stats()
	fmt.Fprintf(stdout, "gsmbox bts: %d frames, %d bursts sent, %d initialisation attempts, %d clock indications; uplink %d bursts (%d dropped), %d channel requests; downlink %d blocks\n",
		st.Frames, c.sent, c.inits, c.clocks.Load(), c.received.Load(), c.dropped.Load(), st.AccessBursts, st.Downlink.Blocks)
	return err
}

// trxClient runs a cell against a transceiver over the TRX protocol: the
// layer-1 side of osmo-bts-trx's trx_if, for gsmbox's stack.
type trxClient struct {
	cfg     *config.Config
	cell    cellPHY
	link    *trxproto.Link
	log     *slog.Logger
	advance int
	lost    time.Duration
	version uint8
	// maxVersion is the TRXD version asked for first.
	maxVersion int

	clock    atomic.Pointer[clockInd] // the latest IND CLOCK
	ul       chan tdma.RxBurst        // data reader → frame loop
	received atomic.Uint64
	dropped  atomic.Uint64
	clocks   atomic.Uint64
	sent     uint64
	inits    int
	initAt   time.Time
}

// cellPHY is what the client needs of the cell (*bts.Cell).
type cellPHY interface {
	Frame(fn tdma.FN, out *[tdma.Slots]tdma.TxBurst)
	Receive(b *tdma.RxBurst)
	L1Config() l1.Config
}

type clockInd struct {
	fn tdma.FN
	at time.Time
}

func (c *trxClient) serve(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	defer c.link.Close()
	wg.Add(2)
	go func() { defer wg.Done(); c.readClock() }()
	go func() { defer wg.Done(); c.readData() }()

	l1cfg := c.cell.L1Config()
	var (
		bursts [tdma.Slots]tdma.TxBurst
		next   tdma.FN // the next frame to hand to the transceiver
		up     bool    // initialised and the clock is running
		anchor *clockInd
		pdu    = trxproto.DownlinkPDU{}
		buf    [trxproto.DownlinkLen]byte
	)
	tick := time.NewTicker(frameDuration)
	defer tick.Stop()
	for {
		if !up {
			if err := c.initialise(ctx, &l1cfg); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				c.log.Warn("transceiver not ready; retrying", "err", err)
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(time.Second):
				}
				continue
			}
			up, anchor = true, nil
			pdu.Version = c.version
		}
		select {
		case <-ctx.Done():
			// Leave the transmitter off, as osmo-bts-trx does on exit.
			if _, err := c.link.Command(trxproto.Command("POWEROFF"), 500*time.Millisecond, 1); err != nil {
				c.log.Warn("transceiver did not confirm POWEROFF", "err", err)
			}
			return nil
		case <-tick.C:
		}
		ci := c.clock.Load()
		now := time.Now()
		last := c.initAt
		if ci != nil {
			last = ci.at
		}
		if now.Sub(last) > c.lost {
			c.log.Warn("transceiver lost: no clock indication; re-initialising", "for", c.lost)
			up = false
			continue
		}
		if ci == nil {
			continue
		}
		if anchor == nil || ci != anchor && ci.at.After(anchor.at) {
			if anchor == nil {
				next = ci.fn.Add(c.advance)
				c.log.Info("transceiver clock running", "fn", uint32(ci.fn))
			}
			anchor = ci
		}
		cur := anchor.fn.Add(int(now.Sub(anchor.at) / frameDuration))
		target := cur.Add(c.advance)
		if d := target.Sub(next); d > 4*c.advance || d < -4*c.advance {
			c.log.Warn("clock jumped; resynchronising", "next", uint32(next), "target", uint32(target))
			next = target
		}
		for ; next.Sub(target) <= 0; next = next.Add(1) {
			c.cell.Frame(next, &bursts)
			for tn := range bursts {
				b := &bursts[tn]
				if b.Kind == tdma.KindNone {
					continue
				}
				pdu.TN, pdu.FN, pdu.Att, pdu.Bits = tdma.TN(tn), next, b.Att, b.Bits
				if b.Kind == tdma.KindFCCH {
					pdu.Bits = tdma.FCCH
				}
				n, err := pdu.MarshalTo(buf[:])
				if err != nil {
					return err
				}
				c.link.SendData(buf[:n])
				c.sent++
			}
		}
		for more := true; more; {
			select {
			case rb := <-c.ul:
				c.classify(&l1cfg, &rb)
				c.cell.Receive(&rb)
			default:
				more = false
			}
		}
	}
}

// initialise runs the start-up sequence osmo-bts-trx uses.
func (c *trxClient) initialise(ctx context.Context, l1cfg *l1.Config) error {
	c.inits++
	c.initAt = time.Now()
	c.clock.Store(nil)
	band, arfcn := c.cfg.Band(), c.cfg.ARFCN()
	dl, ok1 := band.DownlinkHz(arfcn)
	ul, ok2 := band.UplinkHz(arfcn)
	if !ok1 || !ok2 {
		return fmt.Errorf("ARFCN %d is not in %v", arfcn, band)
	}
	do := func(verb string, params ...string) (trxproto.Message, error) {
		if ctx.Err() != nil {
			return trxproto.Message{}, ctx.Err()
		}
		r, err := c.link.Command(trxproto.Command(verb, params...), time.Second, 3)
		c.log.Debug("trxc", "cmd", trxproto.Command(verb, params...).String(), "rsp", r.String(), "err", err)
		return r, err
	}
	if _, err := do("POWEROFF"); err != nil {
		return err
	}
	// SETFORMAT: ask for ours; a transceiver offering less is asked again
	// with its version; one that does not know the command speaks v0.
	c.version = 0
	want := c.maxVersion
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
		{"SETTSC", strconv.Itoa(int(l1cfg.TSC()))},
		{"NOMTXPOWER"},
		{"POWERON"},
	}
	for tn, comb := range l1cfg.Slots {
		steps = append(steps, []string{"SETSLOT", strconv.Itoa(tn), strconv.Itoa(int(slotType(comb)))})
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

// slotType is the SETSLOT code of a channel combination.
func slotType(c l1.Combination) trxproto.SlotType {
	switch c {
	case l1.CombIV:
		return trxproto.SlotBCCH
	case l1.CombV:
		return trxproto.SlotBCCHSD4
	case l1.CombVII:
		return trxproto.SlotSDCCH8
	case l1.CombI:
		return trxproto.SlotTCHF
	}
	return trxproto.SlotFill
}

func (c *trxClient) readClock() {
	for {
		m, err := c.link.ReadClock(time.Time{})
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

func (c *trxClient) readData() {
	buf := make([]byte, 1500)
	var p trxproto.UplinkPDU
	for {
		n, err := c.link.ReadData(buf, time.Time{})
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

// classify decides, on a RACH position, whether the soft bits hold an
// access burst: the transceiver sends them aligned on the burst's start,
// so the 41-bit synchronisation sequence (TS 45.002 §5.2.7) sits at bits
// 8..48. At least 36 of 41 agreeing bits make it one (a chance match on
// noise is below 1e-6).
func (c *trxClient) classify(l1cfg *l1.Config, b *tdma.RxBurst) {
	if b.Kind == tdma.KindNone {
		return
	}
	if l1cfg.Slots[b.TN&7].Uplink(b.TN&7, b.FN).Chan.Kind != l1.ChanRACH {
		return
	}
	agree := 0
	for i, want := range tdma.AccessSync {
		if s := b.Soft[tdma.AccessSyncStart+i]; (s < 0) == (want == 1) && s != 0 {
			agree++
		}
	}
	if agree >= 36 {
		b.Kind = tdma.KindAccess
	} else {
		b.Kind = tdma.KindNone
	}
}
