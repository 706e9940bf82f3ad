package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
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
	trxAddr := stringFlag(fs, "trx", "127.0.0.1:5700", "the transceiver's address and base port", checkTRXAddr)
	bind := stringFlag(fs, "bind", "127.0.0.1", "local address (ports: the transceiver's + 100; beyond loopback only with --allow-remote)", config.CheckIP)
	allowRemote := fs.Bool("allow-remote", false, "allow --bind beyond loopback: the TRX protocol has no authentication, and anyone who reaches the ports can feed the cell a clock or uplink bursts")
	advance := intFlag(fs, "advance", 20, "frames ahead of the transceiver's clock that downlink bursts are sent",
		func(n int) error { return config.CheckRange(n, 1, 100) })
	lost := durationFlag(fs, "lost", 3*time.Second, "declare the transceiver lost after this long without IND CLOCK",
		func(d time.Duration) error { return config.CheckPositiveDuration(d, time.Hour) })
	duration := durationFlag(fs, "duration", 0, "stop after this long (0: until interrupted)", func(d time.Duration) error { return config.CheckDuration(d, 0) })
	pcapPath := fs.String("pcap", "", "capture every TRXC/TRXD datagram to this pcap file")
	tapAddr := stringFlag(fs, "gsmtap", "", "mirror every downlink block as GSMTAP to HOST:PORT", optional(config.CheckHostPort))
	verbose := fs.Bool("v", false, "log debug messages")
	trxdVersion := intFlag(fs, "trxd-version", trxproto.MaxVersion, "highest TRXD PDU version to ask for (0 or 1)",
		func(n int) error { return config.CheckRange(n, 0, trxproto.MaxVersion) })
	dbPath := fs.String("db", "", "subscriber registry file (default: a temporary one, removed at exit)")
	httpAddr := stringFlag(fs, "http", "", "serve the operator's console (HTTPS) on ADDR, e.g. 127.0.0.1:8080", optional(checkListen))
	httpState := fs.String("http-state", "", "with --http: the console's state directory (default a temporary one)")
	httpSocket := fs.String("http-socket", "", "with --http: also serve the console's API on this Unix socket (mode 0600, every scope), for gsmbox status and gsmbox sms")
	provision := intFlag(fs, "provision-phones", 0, "add the N virtual phones that \"gsmbox trx --phones N\" runs (same --phone-seed) to the registry, with their keys and numbers (2000 on), so they are authenticated and can text",
		func(n int) error { return config.CheckRange(n, 0, config.MaxSimPhones) })
	phoneSeed := fs.Uint64("phone-seed", 0, "with --provision-phones: the transceiver's --phone-seed (0: the config's sim.seed)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(*trxAddr) // checked by checkTRXAddr
	base, _ := strconv.Atoi(port)
	h, err := setupHost(hostOptions{name: "bts", config: *cfgPath, gsmtap: *tapAddr, db: *dbPath, tempDB: true, verbose: *verbose}, stdout, stderr)
	if err != nil {
		return err
	}
	defer h.Close()
	cfg, log, tap := h.cfg, h.log, h.tap
	// The same cell, core network and subscriber registry as "gsmbox sim"
	// and the board run; only the radio is elsewhere, and its clock paces
	// the loop.
	n, err := node.New(node.Config{Config: cfg, Log: log, Tap: tap})
	if err != nil {
		return err
	}
	defer n.Close()
	if *provision > 0 {
		seed := *phoneSeed
		if seed == 0 {
			seed = uint64(cfg.Sim.Seed)
		}
		added := 0
		for _, s := range simphones.Subscribers(*provision, seed, cfg.Network.MCC, cfg.Network.MNC, simphones.SPS) {
			if _, err := n.Registry().Add(s); err == nil {
				added++
			} else if !errors.Is(err, registry.ErrExists) {
				return fmt.Errorf("provisioning virtual phone %s: %w", s.IMSI, err)
			}
		}
		fmt.Fprintf(stdout, "gsmbox bts: %d virtual phones provisioned (seed %d; %d new)\n", *provision, seed, added)
	}
	if *httpAddr != "" {
		stop, err := startHostConsole(*httpAddr, *httpState, *httpSocket, h, n, log, stdout)
		if err != nil {
			return err
		}
		defer stop()
	}
	pw, closePcap, err := createPcap(*pcapPath)
	if err != nil {
		return err
	}
	defer closePcap()
	link, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.BTSSide, Bind: *bind, Remote: host, Base: base, Tap: pcapTap(pw), AllowRemote: *allowRemote})
	if err != nil {
		if errors.Is(err, trxproto.ErrRemoteBind) {
			return fmt.Errorf("--bind %s is not a loopback address: the TRX protocol has no authentication, and anyone who reaches its ports could feed the cell a clock or bursts; give --allow-remote to bind it anyway (%w)", *bind, err)
		}
		return err
	}
	warnRemote(stderr, log, "bts", *bind)
	c, err := n.TRXCarrier(link, node.TRXOptions{Advance: *advance, Lost: *lost, MaxVersion: *trxdVersion, Log: log})
	if err != nil {
		link.Close()
		return err
	}
	defer c.Close()
	fmt.Fprintf(stdout, "gsmbox bts: transceiver at %s, ports %d..%d here; %s\n", *trxAddr, base+trxproto.ClientOffset, base+trxproto.ClientOffset+2, node.OnAirLine(cfg))
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	err = n.Serve(ctx, c)
	c.Close() // flushes the bad-input summaries
	st, cs := n.Snapshot().Cell, c.Stats()
	fmt.Fprintf(stdout, "gsmbox bts: %d frames, %d bursts sent, %d initialisation attempts, %d clock indications (%d not followed, %d clock moves, %d unreadable; clock %d frames ahead of the air); uplink %d bursts (%d dropped, %d unreadable), %d channel requests; downlink %d blocks; TRXC %d stale replies, %d unreadable\n",
		st.Frames, cs.Sent, cs.Inits, cs.Clocks, cs.ClockOutliers, cs.ClockJumps, cs.BadClock, cs.ClockLead, cs.Received, cs.Dropped, cs.BadData, st.AccessBursts, st.Downlink.Blocks, cs.Stale, cs.BadControl)
	return err
}

// checkTRXAddr checks --trx: an IP address and the transceiver's base
// port, whose ports and the layer 1's (100 higher) must all be valid.
func checkTRXAddr(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q: want IP:PORT, e.g. 127.0.0.1:5700", s)
	}
	if err := config.CheckIP(host); err != nil {
		return err
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("port %q is not a number", port)
	}
	return config.CheckPort(p, trxproto.ClientOffset+2)
}
