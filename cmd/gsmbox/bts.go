package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/gsmbox/gsmbox/firmware/node"
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
	httpAddr := fs.String("http", "", "serve the operator's console (HTTPS) on ADDR, e.g. 127.0.0.1:8080")
	httpState := fs.String("http-state", "", "with --http: the console's state directory (default a temporary one)")
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
	// and the board run; only the radio is elsewhere, and its clock paces
	// the loop.
	n, err := node.New(node.Config{Config: cfg, Log: log, Tap: tap})
	if err != nil {
		return err
	}
	defer n.Close()
	if *httpAddr != "" {
		stop, err := startHostConsole(*httpAddr, *httpState, h, n, log, stdout)
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
	link, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.BTSSide, Bind: *bind, Remote: host, Base: base, Tap: pcapTap(pw)})
	if err != nil {
		return err
	}
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
	st, cs := n.Snapshot().Cell, c.Stats()
	fmt.Fprintf(stdout, "gsmbox bts: %d frames, %d bursts sent, %d initialisation attempts, %d clock indications; uplink %d bursts (%d dropped), %d channel requests; downlink %d blocks\n",
		st.Frames, cs.Sent, cs.Inits, cs.Clocks, cs.Received, cs.Dropped, st.AccessBursts, st.Downlink.Blocks)
	return err
}
