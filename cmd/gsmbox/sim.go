package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/iqfile"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
)

func init() {
	register(command{
		name:    "sim",
		summary: "run the network on the simulated air, in virtual time",
		run:     runSim,
	})
}

const simUsage = `Usage: gsmbox sim [flags]

Runs the cell on the simulated air: the same cell a board runs, with the
radio replaced by a simulated medium, in virtual time (as fast as the host
can compute) unless --realtime is given. With --http it serves the
operator's console and runs in real time, as a board does, until
interrupted. With no --config it runs the
built-in test network (MCC 001, MNC 01, GSM900 ARFCN 62).

--iq-out writes the downlink as a listener on the simulated air receives
it (with the config's [sim] noise, Eb/N0 = sim.snr_db) as complex float32,
little-endian, the format gr-gsm's grgsm_decode -c reads, at 4 samples per
symbol (1083333.333 samples/s) unless --rate says otherwise.

Flags:
`

func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sim", simUsage, stderr)
	cfgPath := fs.String("config", "", "gsmbox.toml to run (default: the built-in test network 001/01)")
	iqOut := fs.String("iq-out", "", "write the received downlink IQ to this file (complex float32)")
	rate := floatFlag(fs, "rate", radio.SampleRate4, "sample rate of --iq-out, samples/s (e.g. 1e6, 2e6)", config.CheckSampleRate)
	duration := durationFlag(fs, "duration", 10*time.Second, "air time to simulate; 0 runs until interrupted (with --phones: 5m, or until every phone has its result)", func(d time.Duration) error { return config.CheckDuration(d, 0) })
	tapAddr := stringFlag(fs, "gsmtap", "", "mirror every downlink block as GSMTAP to HOST:PORT (e.g. 127.0.0.1:4729)", optional(config.CheckHostPort))
	snr := floatFlag(fs, "snr", 0, "override sim.snr_db: the listener's Eb/N0 in dB (0 keeps the config's)", config.CheckSNR)
	realtime := fs.Bool("realtime", false, "pace the simulation to real time")
	verbose := fs.Bool("v", false, "log debug messages")
	dbPath := fs.String("db", "", "subscriber registry file (default: a temporary one, removed at exit)")
	phones := addPhoneFlags(fs)
	httpAddr := stringFlag(fs, "http", "", "serve the operator's console (HTTPS) on ADDR, e.g. 127.0.0.1:8080; the network then runs in real time until interrupted (or --duration)", optional(checkListen))
	httpState := fs.String("http-state", "", "with --http: the console's state directory (certificate, password hash, audit log); default a temporary one")
	httpSocket := fs.String("http-socket", "", "with --http: also serve the console's API on this Unix socket (mode 0600, every scope), as the box does for gsmbox status and gsmbox sms")
	soakFlags := addSoakFlags(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := phones.check(); err != nil {
		return err
	}
	h, err := setupHost(hostOptions{name: "sim", config: *cfgPath, gsmtap: *tapAddr, snr: *snr, db: *dbPath, tempDB: true, verbose: *verbose}, stdout, stderr)
	if err != nil {
		return err
	}
	defer h.Close()
	cfg, log, tap := h.cfg, h.log, h.tap
	if *httpAddr != "" {
		o := simConsole{addr: *httpAddr, state: *httpState, socket: *httpSocket, phones: phones.n}
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "duration" {
				o.until = *duration
			}
		})
		return runSimConsole(ctx, o, h, *verbose, stdout, stderr)
	}
	if phones.n > 0 && !flagSet(fs, "duration") {
		// With phones the run ends when every phone has its result; the
		// default duration only bounds a storm that does not settle.
		*duration = phoneDuration
	}
	if soakFlags.tier2 || soakFlags.soak {
		return runTier2(ctx, cfg, *cfgPath != "", phones, soakFlags, *duration, stdout, stderr)
	}
	frames := int64(*duration / frameDuration)
	if *duration > 0 {
		frames = max(frames, 1) // less than a frame is still a bound
	}
	air, err := node.NewSimAir(cfg)
	if err != nil {
		return err
	}
	defer air.Close()
	bts := air.BTS
	tx := air.Transmitter()
	if *iqOut != "" {
		if err := checkIQRate(tx.SampleRate(), *rate); err != nil {
			return err
		}
	}
	var ps *simphones.Phones
	placed := false
	smsQueued := func() int { return 0 }
	nc := node.Config{Config: cfg, Log: log, Tap: tap, Frames: frames, VirtualTime: !*realtime}
	if *realtime {
		nc.Clock = clock.Real{}
	}
	nc.OnFrame = func(k int64) error {
		if ps == nil {
			return nil
		}
		if every := int64(phones.live / frameDuration); every > 0 && k%every == 0 {
			phoneTable(stdout, fmt.Sprintf("after %.1f s of air", float64(k)*frameDuration.Seconds()), phoneRows(ps, nil))
			smsLive(stdout, phones, ps, smsQueued())
		}
		if k%26 != 0 {
			return nil
		}
		if phones.calls > 0 {
			switch {
			case !placed && ps.Done():
				talk := int(phones.talk / frameDuration)
				if _, err := ps.PlaceCalls(phones.calls, phones.seed+1, talk); err != nil {
					return err
				}
				placed = true
				fmt.Fprintf(stdout, "after %.1f s of air: %d calls placed\n", float64(k)*frameDuration.Seconds(), phones.calls)
			case placed && ps.CallsDone() && smsFinished(phones, ps, smsQueued()):
				return node.ErrStop
			}
			return nil
		}
		if ps.Done() && smsFinished(phones, ps, smsQueued()) {
			return node.ErrStop
		}
		return nil
	}
	n, err := node.New(nc)
	if err != nil {
		return err
	}
	defer n.Close()
	smsQueued = func() int { return n.SMSStats().Queued }
	if phones.n > 0 {
		po := node.PhoneOptions{N: phones.n, Seed: phones.seed, Log: log, SMS: phones.smsPlan(cfg)}
		if phones.provision {
			po.Registry = n.Registry()
		}
		if ps, err = air.StartPhones(ctx, po); err != nil {
			return err
		}
		seed := phones.seed
		if seed == 0 {
			seed = uint64(cfg.Sim.Seed)
		}
		fmt.Fprintf(stdout, "%d virtual phones on the air (seed %d): delays 0..31 symbols, path loss 0..20 dB, ±3 kHz\n", phones.n, seed)
	}

	var (
		sink *iqfile.Sink
		rec  *sim.Recorder
	)
	link := channel.Config{AWGN: true, EbN0: cfg.Sim.SNRdB, Seed: uint64(cfg.Sim.Seed)}
	if *iqOut != "" {
		if sink, err = iqfile.Create(*iqOut, iqfile.Config{SampleRate: tx.SampleRate(), FileRate: *rate}); err != nil {
			return err
		}
		if rec, err = air.Air.Record(bts, link, sink, 0); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "writing downlink IQ to %s at %.3f samples/s, complex float32 little-endian, Eb/N0 %g dB\n", *iqOut, *rate, cfg.Sim.SNRdB)
	}

	fmt.Fprintln(stdout, node.OnAirLine(cfg))
	start := time.Now()
	if err := n.Serve(ctx, air.Carrier); err != nil {
		return err
	}
	nf := int64(n.Frames())
	// Closing the transmitter lets the listener drain what is on the air.
	bts.Close()
	if ps != nil {
		ps.Stop()
	}
	if rec != nil {
		if err := rec.StopAt(radio.Timestamp(nf * int64(tx.FrameLen()))); err != nil {
			return err
		}
		if err := sink.Close(); err != nil {
			return err
		}
	}
	wall := time.Since(start)
	airTime := time.Duration(nf) * frameDuration
	snap := n.Snapshot()
	st := snap.Cell
	fmt.Fprintf(stdout, "simulated %v of air (%d TDMA frames) in %v: %.1f× real time\n",
		airTime.Round(time.Millisecond), nf, wall.Round(time.Millisecond), airTime.Seconds()/wall.Seconds())
	fmt.Fprintf(stdout, "downlink: %d blocks (%d fill), %d paging messages sent\n", st.Downlink.Blocks, st.Downlink.Fill, st.Downlink.PagingSent)
	if sink != nil {
		fmt.Fprintf(stdout, "wrote %d samples to %s\n", sink.Samples(), *iqOut)
	}
	if tap != nil {
		fmt.Fprintf(stdout, "GSMTAP: %d sent, %d dropped\n", tap.Sent(), tap.Dropped())
	}
	if ps != nil {
		if phones.sms > 0 {
			r := ps.SMS(n.SMSStats().Queued)
			phones.smsReport = &r
		}
		return phoneSummary(stdout, phones, ps, n.Registry(), st, airTime)
	}
	return nil
}
