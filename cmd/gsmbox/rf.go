package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/rfhost"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func init() {
	register(command{
		name:    "rf",
		summary: "RF front-end tools: probe (bring the chain up step by step), capture, scan, chains",
		run:     runRF,
	})
}

const rfUsage = `Usage: gsmbox rf <subcommand> [flags]

Subcommands:
  probe    bring the board's RF chain up step by step and report each step
  capture  record one ARFCN's downlink from a USB radio to a cfile gr-gsm reads
  scan     measure the downlink power on every ARFCN of a band (USB radios)
  chains   list the RF chains this binary knows

Run "gsmbox rf probe -h" for its flags.
`

func runRF(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, rfUsage)
		return errUsage
	}
	switch args[0] {
	case "probe":
		return runRFProbe(ctx, args[1:], stdout, stderr)
	case "capture":
		return runRFCapture(ctx, args[1:], stdout, stderr)
	case "scan":
		return runRFScan(ctx, args[1:], stdout, stderr)
	case "chains":
		for _, n := range rf.ChainNames() {
			c, _ := rf.LookupChain(n)
			fmt.Fprintf(stdout, "%-15s %s\n", n, c.Description)
		}
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, rfUsage)
		return nil
	}
	fmt.Fprint(stderr, rfUsage)
	return fmt.Errorf("rf: unknown subcommand %q", args[0])
}

const rfProbeUsage = `Usage: gsmbox rf probe [--board NAME | --chain NAME] [flags]

Brings the RF front end up the way the cell does, one step at a time, and
reports each: safe pin levels, attenuator, synthesisers (chip ID, register
values, PLL lock time), PA current and supply, temperature, the interlock,
the reference trim DAC and the GPS PPS. The transmitter is never keyed; at
the end everything is put back in its safe state.

For a USB radio (LimeSDR Mini, LimeNET Micro) the probe first enumerates
the FT601 (0403:601f), claims it and resets its control pipe, reads
GET_INFO and the gateware version, then brings the LMS7002M up over
LMS64C, configures its digital side for 1625/6 kHz × sps, starts the
stream and checks timestamp continuity for --stream of samples, and stops.

--dry-run runs the same bring-up against simulated chips (for USB radios,
a simulated LimeSDR) and prints every SPI, I2C, GPIO and USB control
packet it would send instead of touching hardware.

Flags:
`

func runRFProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rf probe", rfProbeUsage, stderr)
	boardName := fs.String("board", "", "board descriptor to probe (see ./build.sh boards), e.g. rpi4, limenet-micro")
	chainName := fs.String("chain", "", "RF chain to probe directly (gsmbox rf chains), e.g. rpi4-hat")
	bandName := fs.String("band", "", "band to tune for the check (default: the first the chain supports)")
	arfcn := intFlag(fs, "arfcn", 0, "channel to tune (default: the band's first)", func(n int) error { return config.CheckRange(n, 0, 1023) })
	dryRun := fs.Bool("dry-run", false, "simulate the chips and print every register write instead of touching hardware")
	ppsWait := durationFlag(fs, "pps-wait", 2*time.Second, "how long to wait for a GPS PPS edge (0 skips)",
		func(d time.Duration) error { return config.CheckDuration(d, time.Minute) })
	lockTimeout := durationFlag(fs, "lock-timeout", 100*time.Millisecond, "PLL lock timeout",
		func(d time.Duration) error { return config.CheckPositiveDuration(d, 10*time.Second) })
	verbose := fs.Bool("v", false, "log debug messages")
	streamFor := durationFlag(fs, "stream", 2*time.Second, "USB radios: how many seconds of samples to check for timestamp continuity (0 skips the stream steps)",
		func(d time.Duration) error { return config.CheckDuration(d, time.Hour) })
	sps := intFlag(fs, "sps", 4, "USB radios: samples per symbol of the stream check (1, 2 or 4)", func(n int) error {
		if n != 1 && n != 2 && n != 4 {
			return fmt.Errorf("%d: want 1, 2 or 4", n)
		}
		return nil
	})
	twelve := fs.Bool("12bit", false, "USB radios: stream packed 12-bit samples instead of 16-bit")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	chain, board, where, err := probeTarget(*boardName, *chainName, stdout)
	if err != nil {
		return err
	}
	o := rf.BringupOpts{BoardMaxDBm: chain.Limits.MaxPowerDBm, LockTimeout: *lockTimeout, PPSWait: *ppsWait}
	if board != nil {
		o.BoardMaxDBm = board.RF.MaxPowerDBm
		if len(board.RF.Bands) > 0 {
			o.Band = board.RF.Bands[0]
		}
	}
	if *bandName != "" {
		if o.Band, err = tdma.ParseBand(*bandName); err != nil {
			return err
		}
		if board != nil && !board.RF.SupportsBand(o.Band) {
			return fmt.Errorf("rf probe: board %s does not support %v (bands %v)", board.Name, o.Band, board.RF.Bands)
		}
	}
	if o.Band != tdma.BandUnknown {
		if _, ok := chain.Filter(o.Band); !ok {
			return fmt.Errorf("rf probe: chain %s has no path for %v", chain.Name, o.Band)
		}
	}
	o.ARFCN = tdma.ARFCN(*arfcn)
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	o.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var op rf.Opener
	mode := "hardware"
	if *dryRun {
		mode = "dry run (simulated chips; nothing is written to hardware)"
		// The simulated board's TX chain has a modest LO leakage and IQ
		// imbalance, so the calibration step has something to show.
		op = &rftest.DryRun{W: stdout, Chain: chain, LimeConfig: limetest.Config{
			Impairment:   limetest.Impairment{LOLeak: complex(0.04, -0.03), GainQ: 0.95, PhaseRad: 0.05},
			RXImpairment: limetest.RXImpairment{DC: complex(0.02, 0.01), NoiseDBFS: -75}}}
		o.Sleep = func(time.Duration) {}
	} else {
		h, err := rfhost.New()
		if err != nil {
			return err
		}
		op = h
	}
	fmt.Fprintf(stdout, "gsmbox rf probe: chain %s (%s)%s\n  mode: %s\n", chain.Name, chain.Description, where, mode)
	failed, steps := 0, 0
	report := func(s rf.Step) {
		steps++
		mark := "ok  "
		if s.Err != nil {
			mark = "FAIL"
			failed++
		}
		detail := s.Detail
		if s.Err != nil {
			detail = s.Err.Error()
		}
		fmt.Fprintf(stdout, "[%s] %-34s %s (%v)\n", mark, s.Name, detail, s.Took.Round(time.Microsecond))
	}
	if usbChain(chain) {
		op = &limeProbeOpener{Opener: op, dry: *dryRun, report: report}
	}
	fe, err := rf.Open(chain, op, o, report)
	if err != nil {
		return fmt.Errorf("rf probe: %w", err)
	}
	if fe.Lime != nil && fe.LMS != nil && *streamFor > 0 {
		f := lime.Format16
		if *twelve {
			f = lime.Format12
		}
		var allow func(radio.Timestamp)
		var pacer *limetest.Pacer
		if dr, ok := op.(*limeProbeOpener).Opener.(*rftest.DryRun); ok && dr.Lime != nil {
			pacer = limetest.NewPacer()
			dr.Lime.SetRX(pacer)
			allow = pacer.Allow
		}
		err := probeStream(fe, *sps, *streamFor, f, allow, report, o.Log)
		if pacer != nil {
			pacer.Close()
		}
		if err != nil {
			fmt.Fprintf(stdout, "stream check failed: %v\n", err)
		} else {
			probeTXCal(fe, *sps, report, o.Log)
		}
	}
	s := fe.Guard.Status()
	fmt.Fprintf(stdout, "interlock: PA %v, %v carrier %.1f MHz, max %.1f dBm, PLL locked %v, clock disciplined %v, trips %d, refused %d\n",
		s.State, s.Band, float64(s.FreqHz)/1e6, s.MaxPowerDBm, s.PLLLocked, s.ClockOK, s.TotalTrips, s.Refused)
	fmt.Fprintf(stdout, "reference clock: %s: %s\n", s.ClockSource, s.ClockDetail)
	if fe.ClockSvc == nil {
		fmt.Fprintln(stdout, "clock discipline: no PPS on this chain or no sample-counter driver; the cell keys after a calibration from GSM cells (at its start) or with the operator override")
	}
	fmt.Fprintln(stdout, "safe state:")
	if err := fe.Close(); err != nil {
		return fmt.Errorf("rf probe: safe state: %w", err)
	}
	fmt.Fprintf(stdout, "probe finished: %d steps, %d failed; transmitter never keyed, front end left in its safe state\n", steps, failed)
	return ctx.Err()
}

// probeTarget resolves --board/--chain to a chain, the board (nil for
// --chain) and a description of where it came from.
func probeTarget(boardName, chainName string, stdout io.Writer) (*rf.Chain, *boards.Descriptor, string, error) {
	switch {
	case boardName != "" && chainName != "":
		return nil, nil, "", fmt.Errorf("rf probe: give --board or --chain, not both")
	case chainName != "":
		c, err := rf.LookupChain(chainName)
		if err != nil {
			return nil, nil, "", err
		}
		return c, nil, "", nil
	case boardName != "":
		d, err := boards.Lookup(boardName)
		if err != nil {
			return nil, nil, "", err
		}
		c := d.RF.Chain
		if c == nil && d.RF.Frontend == "hat" {
			// The descriptor does not point at its chain yet; the HAT
			// front end is this one.
			c = rf.RPi4HAT
			fmt.Fprintf(stdout, "note: board %s names front end %q without a chain; using %s\n", d.Name, d.RF.Frontend, c.Name)
		}
		if c == nil {
			return nil, nil, "", fmt.Errorf("rf probe: board %s has front end %q, no RF chain to probe (known chains: %s)",
				d.Name, d.RF.Frontend, strings.Join(rf.ChainNames(), ", "))
		}
		return c, d, fmt.Sprintf(" on board %s (max %.1f dBm)", d.Name, d.RF.MaxPowerDBm), nil
	}
	return nil, nil, "", fmt.Errorf("rf probe: give --board NAME or --chain NAME (boards: %s; chains: %s)",
		strings.Join(boards.Names(), ", "), strings.Join(rf.ChainNames(), ", "))
}
