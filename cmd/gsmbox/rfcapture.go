package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/rfhost"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/iqfile"
	"github.com/gsmbox/gsmbox/firmware/chanscan"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// limeRX is a USB radio brought up for receiving only: the interlock
// armed with the PA off (it is never keyed here), the stream running.
type limeRX struct {
	fe    *rf.Frontend
	s     *lime.Stream
	pacer *limetest.Pacer
	plan  lms7002m.StreamPlan
	frame int
}

// rxFlags are the flags capture and scan share.
type rxFlags struct {
	board, band *string
	dry         *bool
	sps         *int
	verbose     *bool
}

func addRXFlags(fs *flag.FlagSet) rxFlags {
	return rxFlags{
		board: fs.String("board", "", "board with a USB radio (limenet-micro, rpi4-limesdr)"),
		band:  fs.String("band", "", "band (default: the board's first)"),
		dry:   fs.Bool("dry-run", false, "use a simulated LimeSDR instead of the hardware"),
		sps: intFlag(fs, "sps", 4, "samples per symbol of the stream (1, 2 or 4)", func(n int) error {
			if n != 1 && n != 2 && n != 4 {
				return fmt.Errorf("%d: want 1, 2 or 4", n)
			}
			return nil
		}),
		verbose: fs.Bool("v", false, "log debug messages"),
	}
}

// openLimeRX brings the board up on band/arfcn and starts its stream.
// carriers populate the simulated board's air in a dry run.
func openLimeRX(f rxFlags, arfcn tdma.ARFCN, carriers []limetest.Carrier, tx []limetest.Transmitter, stderr io.Writer) (*limeRX, tdma.Band, error) {
	chain, board, _, err := probeTarget(*f.board, "", io.Discard)
	if err != nil {
		return nil, 0, err
	}
	if !usbChain(chain) {
		return nil, 0, fmt.Errorf("board %s: its radio is not a USB LimeSDR; use gsmbox rf probe", board.Name)
	}
	band := board.RF.Bands[0]
	if *f.band != "" {
		if band, err = tdma.ParseBand(*f.band); err != nil {
			return nil, 0, err
		}
		if !board.RF.SupportsBand(band) {
			return nil, 0, fmt.Errorf("board %s does not support %v", board.Name, band)
		}
	}
	level := slog.LevelWarn
	if *f.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	o := rf.BringupOpts{Band: band, ARFCN: arfcn, BoardMaxDBm: board.RF.MaxPowerDBm, LockTimeout: 100 * time.Millisecond, Log: log}
	var op rf.Opener
	var dry *rftest.DryRun
	if *f.dry {
		dry = &rftest.DryRun{W: io.Discard, Chain: chain, LimeConfig: limetest.Config{Carriers: carriers, Transmitters: tx, SampleRate: lms7002m.GSMRate * float64(*f.sps)}}
		op = dry
		o.Sleep = func(time.Duration) {}
	} else {
		h, err := rfhost.New()
		if err != nil {
			return nil, 0, err
		}
		op = h
	}
	fe, err := rf.Open(chain, op, o, nil)
	if err != nil {
		return nil, 0, err
	}
	r := &limeRX{fe: fe}
	fail := func(err error) (*limeRX, tdma.Band, error) { r.Close(); return nil, 0, err }
	if r.plan, err = lms7002m.PlanStream(chain.RefClock, *f.sps, 0); err != nil {
		return fail(err)
	}
	if err := fe.LMS.ConfigureStream(r.plan); err != nil {
		return fail(err)
	}
	if dry != nil {
		r.pacer = limetest.NewPacer()
		r.pacer.Src = dry.Lime.Render
		dry.Lime.SetRX(r.pacer)
	}
	if r.s, err = lime.NewStream(fe.Lime, lime.StreamConfig{SampleRate: r.plan.RateHz, DeviceDelay: fe.Chain.DeviceDelaySamples(r.plan.RateHz), Log: log}); err != nil {
		return fail(err)
	}
	r.frame = int(math.Round(r.plan.RateHz * 120 / 26 / 1000))
	return r, band, nil
}

// read reads len(dst) samples at ts, pacing a simulated board.
func (r *limeRX) read(dst []complex64, ts radio.Timestamp) (radio.Flags, error) {
	if r.pacer != nil {
		c := r.s.Config()
		r.pacer.Allow(ts + radio.Timestamp(len(dst)+2*c.PacketsPerTransfer*c.Format.SamplesPerPacket()))
	}
	_, fl, err := r.s.Read(dst, ts)
	return fl, err
}

// Close stops the stream and puts the front end in its safe state.
func (r *limeRX) Close() error {
	var errs []error
	if r.pacer != nil {
		r.pacer.Close()
	}
	if r.s != nil {
		errs = append(errs, r.s.Close())
	}
	errs = append(errs, r.fe.Close())
	return errors.Join(errs...)
}

// tuneRX tunes the receive synthesiser to the downlink of arfcn (what a
// phone hears: the cells around).
func (r *limeRX) tuneRX(band tdma.Band, arfcn tdma.ARFCN) (float64, error) {
	hz, ok := band.DownlinkHz(arfcn)
	if !ok {
		return 0, fmt.Errorf("ARFCN %d is not in %v", arfcn, band)
	}
	if _, err := r.fe.LMS.Tune(lms7002m.RX, physic.Frequency(hz)*physic.Hertz); err != nil {
		return 0, err
	}
	return float64(hz), nil
}

const rfCaptureUsage = `Usage: gsmbox rf capture --board NAME --arfcn N [--band B] [--seconds S] [--out FILE]

Records the downlink of one ARFCN from a USB radio (LimeSDR Mini,
LimeNET Micro) to an IQ file of complex float32 samples, the cfile format
gr-gsm reads. The transmitter is never keyed. Decode it with
  grgsm_decode -c FILE -s RATE -a ARFCN -m BCCH -t 0 -v
using the rate the command prints.

Flags:
`

func runRFCapture(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rf capture", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, rfCaptureUsage); fs.PrintDefaults() }
	f := addRXFlags(fs)
	arfcn := fs.Uint("arfcn", 0, "channel whose downlink to record")
	secs := durationFlag(fs, "seconds", 5*time.Second, "how long to record",
		func(d time.Duration) error { return config.CheckPositiveDuration(d, time.Hour) })
	out := fs.String("out", "capture.cfile", "output file")
	fileRate := floatFlag(fs, "file-rate", 0, "sample rate of the file (default: the stream's, 1625/6 kHz × sps)", func(r float64) error {
		if r == 0 {
			return nil
		}
		return config.CheckSampleRate(r)
	})
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	r, band, err := openLimeRX(f, tdma.ARFCN(*arfcn), nil, nil, stderr)
	if err != nil {
		return fmt.Errorf("rf capture: %w", err)
	}
	defer r.Close()
	hz, err := r.tuneRX(band, tdma.ARFCN(*arfcn))
	if err != nil {
		return fmt.Errorf("rf capture: %w", err)
	}
	file, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("rf capture: %w", err)
	}
	defer file.Close()
	sink, err := iqfile.NewSink(file, iqfile.Config{SampleRate: r.plan.RateHz, FileRate: *fileRate})
	if err != nil {
		return fmt.Errorf("rf capture: %w", err)
	}
	rate := *fileRate
	if rate == 0 {
		rate = r.plan.RateHz
	}
	buf := make([]complex64, r.frame)
	total := int64(r.plan.RateHz * secs.Seconds())
	start := radio.Timestamp(r.s.Stats().Counter) + radio.Timestamp(r.frame) // after the retune settles
	var n int64
	var power float64
	var flagged int
	for ts := start; n < total; ts += radio.Timestamp(r.frame) {
		if err := ctx.Err(); err != nil {
			break
		}
		fl, err := r.read(buf, ts)
		if err != nil {
			return fmt.Errorf("rf capture: %w", err)
		}
		if fl != 0 {
			flagged++
		}
		for _, v := range buf {
			power += float64(real(v)*real(v) + imag(v)*imag(v))
		}
		if _, _, err := sink.Write(buf, ts-start); err != nil {
			return fmt.Errorf("rf capture: %w", err)
		}
		n += int64(r.frame)
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("rf capture: %w", err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("rf capture: %w", err)
	}
	st := r.s.Stats()
	fmt.Fprintf(stdout, "captured ARFCN %d %v downlink %.1f MHz: %d samples (%.2f s) at %.3f S/s to %s, mean power %.1f dBFS, %d flagged frames, %d RX packets lost\n",
		*arfcn, band, hz/1e6, n, float64(n)/r.plan.RateHz, rate, *out, dbfs(power/float64(max(n, 1))), flagged, st.RXLost)
	fmt.Fprintf(stdout, "decode: grgsm_decode -c %s -s %.3f -a %d -m BCCH -t 0 -v\n", *out, rate, *arfcn)
	return nil
}

const rfScanUsage = `Usage: gsmbox rf scan --board NAME [--band B] [--frames N] [--top N]

Measures the downlink power on every ARFCN of a band with a USB radio,
lists the strongest channels and decodes the GSM cells on them: the BSIC
and frame number from the SCH, the PLMN (MCC-MNC), LAC and cell identity
from SYSTEM INFORMATION TYPE 3 on the BCCH. For choosing a clean channel
on site ([cell] arfcn = "auto" makes the same choice at boot). The
transmitter is never keyed.

Flags:
`

func runRFScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rf scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, rfScanUsage); fs.PrintDefaults() }
	f := addRXFlags(fs)
	dwell := intFlag(fs, "frames", 4, "TDMA frames measured per channel", func(n int) error { return config.CheckRange(n, 1, 1000) })
	top := intFlag(fs, "top", 5, "how many of the strongest channels to list", func(n int) error { return config.CheckRange(n, 1, 1024) })
	simCarriers := fs.String("sim-carriers", "", "dry run: CW carriers on the simulated air, as ARFCN:dBFS,… (e.g. 10:-20,62:-40)")
	simCells := fs.String("sim-cells", "", "dry run: GSM cells on the simulated air, as ARFCN:dBFS:BSIC:MCC-MNC:LAC,… (e.g. 20:-30:29:262-01:4711)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	var band tdma.Band
	var err error
	if *f.band != "" {
		if band, err = tdma.ParseBand(*f.band); err != nil {
			return err
		}
	}
	if (*simCarriers != "" || *simCells != "") && band == tdma.BandUnknown {
		return fmt.Errorf("rf scan: --sim-carriers and --sim-cells need --band")
	}
	var carriers []limetest.Carrier
	for _, item := range splitComma(*simCarriers) {
		var a uint
		var db float64
		if _, err := fmt.Sscanf(item, "%d:%g", &a, &db); err != nil {
			return fmt.Errorf("rf scan: --sim-carriers %q: %w", item, err)
		}
		hz, ok := band.DownlinkHz(tdma.ARFCN(a))
		if !ok {
			return fmt.Errorf("rf scan: ARFCN %d not in %v", a, band)
		}
		carriers = append(carriers, limetest.Carrier{Hz: float64(hz), DBFS: db})
	}
	var cells []limetest.Transmitter
	for _, item := range splitComma(*simCells) {
		tx, err := simCell(item, band, *f.sps)
		if err != nil {
			return fmt.Errorf("rf scan: --sim-cells %q: %w", item, err)
		}
		cells = append(cells, tx)
	}
	r, band, err := openLimeRX(f, firstARFCN(band), carriers, cells, stderr)
	if err != nil {
		return fmt.Errorf("rf scan: %w", err)
	}
	defer r.Close()
	rx := &chanscan.Lime{LMS: r.fe.LMS, S: r.s}
	if r.pacer != nil {
		rx.Allow = r.pacer.Allow
	}
	res, err := chanscan.Scan(rx, band, nil, chanscan.Options{SPS: *f.sps, PowerFrames: *dwell})
	if err != nil {
		return fmt.Errorf("rf scan: %w", err)
	}
	fmt.Fprintf(stdout, "scan of %v downlink: %d channels, %d frames each, %.3f kS/s\n", band, len(res), *dwell, r.plan.RateHz/1e3)
	sorted := append([]chanscan.Channel(nil), res...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].DBFS > sorted[j].DBFS })
	fmt.Fprintln(stdout, "strongest:")
	for _, x := range sorted[:min(*top, len(sorted))] {
		hz, _ := band.DownlinkHz(x.ARFCN)
		line := fmt.Sprintf("  ARFCN %4d  %8.1f MHz  %6.1f dBFS", x.ARFCN, float64(hz)/1e6, x.DBFS)
		if x.Cell != nil {
			line += "  GSM cell: " + x.Cell.String()
		}
		fmt.Fprintln(stdout, line)
	}
	var found []string
	for _, x := range res {
		if x.Cell != nil {
			found = append(found, fmt.Sprintf("ARFCN %d: %v, FN %d", x.ARFCN, x.Cell, x.Cell.FN))
		}
	}
	fmt.Fprintf(stdout, "GSM cells decoded: %d\n", len(found))
	for _, l := range found {
		fmt.Fprintln(stdout, "  "+l)
	}
	q := sorted[len(sorted)-1]
	fmt.Fprintf(stdout, "quietest: ARFCN %d (%.1f dBFS)\n", q.ARFCN, q.DBFS)
	if ch, err := chanscan.Choose(band, res, chanscan.ChooseOptions{}); err == nil {
		fmt.Fprintf(stdout, "choice for arfcn = \"auto\": %s\n", ch.Summary())
	}
	return nil
}

// simCell parses ARFCN:dBFS:BSIC:MCC-MNC:LAC into a foreign cell on the
// dry run's air.
func simCell(item string, band tdma.Band, sps int) (limetest.Transmitter, error) {
	var a, bsic, lac uint
	var db float64
	var plmn string
	parts := strings.Split(item, ":")
	if len(parts) != 5 {
		return limetest.Transmitter{}, fmt.Errorf("want ARFCN:dBFS:BSIC:MCC-MNC:LAC")
	}
	if _, err := fmt.Sscanf(parts[0]+" "+parts[1]+" "+parts[2]+" "+parts[4], "%d %g %d %d", &a, &db, &bsic, &lac); err != nil {
		return limetest.Transmitter{}, err
	}
	plmn = parts[3]
	mcc, mnc, ok := strings.Cut(plmn, "-")
	if !ok || bsic > 63 {
		return limetest.Transmitter{}, fmt.Errorf("bad BSIC or PLMN")
	}
	hz, ok := band.DownlinkHz(tdma.ARFCN(a))
	if !ok {
		return limetest.Transmitter{}, fmt.Errorf("ARFCN %d not in %v", a, band)
	}
	c := config.Default()
	c.Cell.Band = band.String()
	c.Cell.ARFCN, c.Cell.NCC, c.Cell.BCC, c.Cell.LAC = int(a), int(bsic/8), int(bsic%8), int(lac)
	c.Network.MCC, c.Network.MNC = mcc, mnc
	fc, err := node.NewForeignCell(c, sps, tdma.FN(1000*a))
	if err != nil {
		return limetest.Transmitter{}, err
	}
	return limetest.Transmitter{Hz: float64(hz), DBFS: db, Src: fc}, nil
}

func firstARFCN(b tdma.Band) tdma.ARFCN {
	for n := tdma.ARFCN(0); n < 1024; n++ {
		if _, ok := b.DownlinkHz(n); ok {
			return n
		}
	}
	return 0
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
