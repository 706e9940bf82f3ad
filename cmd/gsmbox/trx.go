package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/iqfile"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/firmware/node/trxserver"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
)

func init() {
	register(command{
		name:    "trx",
		summary: "be a transceiver for an external layer 1 (osmo-bts-trx) over the TRX protocol",
		run:     runTRX,
	})
}

const trxUsage = `Usage: gsmbox trx [flags]

Runs gsmbox's DSP as a transceiver that a layer 1 drives over the osmo-trx
TRX protocol (TRXC commands, TRXD bursts, IND CLOCK), as osmo-trx does:
osmo-bts-trx (or "gsmbox bts") connects to it. It binds the clock,
control and data ports --base-port, +1 and +2 on --bind and sends to the
same ports +100 on --remote. It modulates the bursts it is sent at their
frame numbers, fills the carrier's empty timeslots with dummy bursts,
and demodulates the uplink (normal and access bursts) with RSSI, ToA and
C/I. Time is real time.

Its radio is the simulated air; --iq-out writes what a listener on that
air receives (complex float32, 4 samples per symbol unless --rate), which
gr-gsm's grgsm_decode reads. Frequencies (RXTUNE/TXTUNE) outside the
configured band, or off its channel raster, are refused.

Flags:
`

func runTRX(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("trx", trxUsage, stderr)
	cfgPath := fs.String("config", "", "gsmbox.toml: band (RF safety), nominal power, sim noise (default: built-in)")
	base := intFlag(fs, "base-port", trxproto.DefaultBasePort, "base UDP port: clock; control and data follow (the layer 1's are 100 higher)",
		func(p int) error { return config.CheckPort(p, trxproto.ClientOffset+2) })
	bind := stringFlag(fs, "bind", "127.0.0.1", "local address to bind (beyond loopback only with --allow-remote)", config.CheckIP)
	allowRemote := fs.Bool("allow-remote", false, "allow --bind beyond loopback: the TRX protocol has no authentication, and anyone who reaches the ports can switch the transmitter off or retune it")
	remote := stringFlag(fs, "remote", "127.0.0.1", "address of the layer 1", config.CheckIP)
	iqOut := fs.String("iq-out", "", "write the downlink IQ a listener receives to this file (complex float32)")
	rate := floatFlag(fs, "rate", radio.SampleRate4, "sample rate of --iq-out, samples/s", config.CheckSampleRate)
	duration := durationFlag(fs, "duration", 0, "stop after this long (0: until interrupted)", func(d time.Duration) error { return config.CheckDuration(d, 0) })
	pcapPath := fs.String("pcap", "", "capture every TRXC/TRXD datagram to this pcap file")
	snr := floatFlag(fs, "snr", 0, "override sim.snr_db for --iq-out (0 keeps the config's)", config.CheckSNR)
	verbose := fs.Bool("v", false, "log debug messages (every TRXC exchange)")
	popts := addPhoneFlags(fs)
	rachEvery := durationFlag(fs, "test-rach", 0, "put a test phone on the simulated air that sends a channel request (RACH on TN0) this often (0: none)", func(d time.Duration) error { return config.CheckDuration(d, 0) })
	lead := intFlag(fs, "clock-lead", 40, "frames by which IND CLOCK runs ahead of the frame being written: the layer 1's margin for jitter",
		func(n int) error { return config.CheckRange(n, 0, maxClockLead) })
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	h, err := setupHost(hostOptions{name: "trx", config: *cfgPath, snr: *snr, verbose: *verbose}, stdout, stderr)
	if err != nil {
		return err
	}
	defer h.Close()
	board, cfg, log := h.board, h.cfg, h.log

	t, err := trx.NewTransceiver(trx.TransceiverConfig{
		Tx:     trx.TxConfig{Modulator: gmsk.Config{SPS: 4}},
		Rx:     node.SimRx(cfg), // RSSI in dBm, as the layer 1 expects
		FillC0: true,
		Queue:  256, // 1.2 s: the L1's advance plus the clock lead plus a host that falls behind
	})
	if err != nil {
		return err
	}
	if *iqOut != "" {
		if err := checkIQRate(t.Transmitter().SampleRate(), *rate); err != nil {
			return err
		}
	}
	band := cfg.Band()
	ctrl := trxproto.NewControlServer(trxproto.Hooks{
		NominalPowerDBm: int(math.Round(cfg.Cell.TxPowerDBm)),
		CheckTune:       func(up bool, hz int64) error { return checkTune(board, band, up, hz) },
		CheckPair: func(rxHz, txHz int64) error {
			if txHz-rxHz != band.DuplexHz() {
				return fmt.Errorf("rx %d Hz and tx %d Hz are not a duplex pair of %v", rxHz, txHz, band)
			}
			return nil
		},
	})

	pw, closePcap, err := createPcap(*pcapPath)
	if err != nil {
		return err
	}
	defer closePcap()
	link, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.TRXSide, Bind: *bind, Remote: *remote, Base: *base, Tap: pcapTap(pw), AllowRemote: *allowRemote})
	if err != nil {
		if errors.Is(err, trxproto.ErrRemoteBind) {
			return fmt.Errorf("--bind %s is not a loopback address: the TRX protocol has no authentication, and anyone who reaches its ports could switch the transmitter off or retune it; give --allow-remote to bind it anyway (%w)", *bind, err)
		}
		return err
	}
	warnRemote(stderr, log, "trx", *bind)
	defer link.Close()

	air, err := sim.New(sim.Config{SampleRate: t.Transmitter().SampleRate(), Block: t.Transmitter().FrameLen(), Seed: uint64(cfg.Sim.Seed)})
	if err != nil {
		return err
	}
	defer air.Close()
	stream := air.Endpoint("bts")
	frames := int64(*duration / frameDuration)
	if *duration > 0 {
		frames = max(frames, 1) // less than a frame is still a bound
	}
	var written atomic.Int64 // frames on the air, once the loop has stopped
	written.Store(math.MaxInt64)
	var (
		sink     *iqfile.Sink
		pumpDone = make(chan error, 1)
	)
	if *iqOut != "" {
		listener, err := air.Listener("iq-out", stream, channel.Config{AWGN: true, EbN0: cfg.Sim.SNRdB, Seed: uint64(cfg.Sim.Seed)})
		if err != nil {
			return err
		}
		if sink, err = iqfile.Create(*iqOut, iqfile.Config{SampleRate: t.Transmitter().SampleRate(), FileRate: *rate}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "writing downlink IQ to %s at %.3f samples/s, complex float32 little-endian, Eb/N0 %g dB\n", *iqOut, *rate, cfg.Sim.SNRdB)
		go func() { pumpDone <- recordUntil(sink, listener, t.Transmitter().FrameLen(), &written) }()
	} else {
		close(pumpDone)
	}
	var phone *trxserver.RACHPhone
	if *rachEvery > 0 {
		ep := air.Endpoint("test-phone")
		const delay = 2 // symbols: timing advance 2
		if err := air.Connect(ep, stream, channel.Config{Delay: 4 * delay, AWGN: true, EbN0: 30, Seed: uint64(cfg.Sim.Seed) + 1}); err != nil {
			return err
		}
		ptx, err := trx.NewTransmitter(trx.TxConfig{Modulator: gmsk.Config{SPS: 4}, Offset: 3 * t.Transmitter().SlotLen()})
		if err != nil {
			return err
		}
		phone = trxserver.NewRACHPhone(ptx, ep, cfg.BSIC(), int64(*rachEvery/frameDuration), log)
		defer ep.Close()
		fmt.Fprintf(stdout, "test phone on the air: a channel request every %v, %v, timing advance %d\n", *rachEvery, cfg.BSIC(), delay)
	}
	var phones *simphones.Phones
	if popts.n > 0 {
		// Virtual phones on this air; the cell and the core network they
		// register with run in the layer 1's process ("gsmbox bts").
		seed := popts.seed
		if seed == 0 {
			seed = uint64(cfg.Sim.Seed)
		}
		tx := t.Transmitter()
		if phones, err = simphones.Start(ctx, simphones.Config{N: popts.n, Seed: seed, MCC: cfg.Network.MCC, MNC: cfg.Network.MNC,
			SNRdB: cfg.Sim.SNRdB, Air: air, BTS: stream, SPS: tx.Modulator().SPS(), SampleRate: tx.SampleRate(), Log: log,
			SMS: popts.smsPlan(cfg)}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d virtual phones on the air (seed %d): delays 0..31 symbols, path loss 0..20 dB, ±3 kHz\n", popts.n, seed)
		if popts.sms > 0 || popts.calls > 0 {
			// The network process knows the phones only if it was told:
			// their keys and numbers go into its registry.
			fmt.Fprintf(stdout, "each phone sends %d text messages, %d calls once all are registered; the network needs the phones provisioned: gsmbox bts --provision-phones %d --phone-seed %d\n", popts.sms, popts.calls, popts.n, seed)
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			defer cancel()
			if popts.calls > 0 {
				go callsUntilDone(ctx, phones, popts, stdout, cancel)
			} else {
				go smsUntilDone(ctx, phones, cancel)
			}
		}
	}
	fmt.Fprintf(stdout, "gsmbox trx: transceiver on %s ports %d (clock), %d (control), %d (data); layer 1 at %s:%d; band %v\n",
		*bind, *base, *base+1, *base+2, *remote, *base+trxproto.ClientOffset, band)

	srv := trxserver.New(trxserver.Config{Transceiver: t, Control: ctrl, Link: link, Stream: stream,
		Frames: frames, ClockLead: *lead, Phone: phone, Log: log})
	n, err := srv.Serve(ctx)
	written.Store(n + trxserver.TxAhead + 1)
	stream.Close()
	if phones != nil {
		phones.Stop()
		rows := phoneRows(phones, nil)
		phoneTable(stdout, "final", rows)
		reg := 0
		for _, r := range rows {
			if r.Registered() {
				reg++
			}
		}
		fmt.Fprintf(stdout, "%d of %d phones registered through the layer 1\n", reg, len(rows))
		if popts.calls > 0 {
			callTable(stdout, phones.CallRows())
		}
		if popts.sms > 0 {
			// The network's queue is in the other process: "lost" here
			// is accepted and not (yet) in an inbox.
			r := phones.SMS(0)
			smsSummary(stdout, &r)
			popts.smsReport = &r
		}
		if popts.report != "" {
			if err := writeTRXReport(popts, rows); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s\n", popts.report)
		}
	}
	if perr := <-pumpDone; perr != nil && !errors.Is(perr, context.Canceled) && err == nil {
		err = perr
	}
	if sink != nil {
		if cerr := sink.Close(); cerr != nil && err == nil {
			err = cerr
		}
		fmt.Fprintf(stdout, "wrote %d samples to %s\n", sink.Samples(), *iqOut)
	}
	st, ss := t.Stats(), srv.Stats()
	fmt.Fprintf(stdout, "gsmbox trx: %d frames, %d TRXC commands (%d refused, %d unreadable datagrams), %d bursts received from L1 (%d late, %d early, %d unreadable), %d dummy fills; uplink %d bursts (%d access), %d empty, mean RSSI %.1f dBm\n",
		st.Frames, ss.Commands, ss.Refused, ss.BadControl, st.Submitted, st.Late, st.Early, ss.BadData, st.Filled, st.Received, st.Access, st.Nope, ss.UplinkRSSI)
	return err
}

// maxClockLead bounds --clock-lead: with the layer 1's advance it must
// stay well inside the transceiver's queue of 256 frames.
const maxClockLead = 200

// warnRemote warns, on the console and in the log, that a TRX-protocol
// endpoint listens beyond loopback.
func warnRemote(stderr io.Writer, log *slog.Logger, name, bind string) {
	a, err := netip.ParseAddr(bind)
	if err != nil || a.Unmap().IsLoopback() {
		return
	}
	fmt.Fprintf(stderr, "WARNING: gsmbox %s listens on %s: the TRX protocol has no authentication; anyone who can reach these ports can switch the transmitter off, retune it or feed it a clock. Firewall them.\n", name, bind)
	log.Warn("TRX protocol bound beyond loopback (--allow-remote)", "bind", bind)
}

// checkTune accepts a frequency only when it is a channel of the
// configured band that the board's RF chain covers (RF safety: never
// transmit where the filters and the licence do not allow).
func checkTune(board *boards.Descriptor, band tdma.Band, uplink bool, hz int64) error {
	if !board.RF.SupportsBand(band) {
		return fmt.Errorf("board %s does not support %v", board.Name, band)
	}
	for _, n := range band.Channels() {
		f, ok := band.DownlinkHz(n)
		if uplink {
			f, ok = band.UplinkHz(n)
		}
		if ok && f == hz {
			return nil
		}
	}
	return fmt.Errorf("%d Hz is not a channel of %v", hz, band)
}

// pcapTap returns a tap writing datagrams to pw, or nil.
func pcapTap(pw *gsmtap.PcapWriter) trxproto.Tap {
	if pw == nil {
		return nil
	}
	return func(src, dst netip.AddrPort, p []byte) { pw.WriteUDP(time.Now(), src, dst, p) }
}

// recordUntil copies what listener receives into sink, frame by frame from
// timestamp 0, until *limit frames are written or the listener closes.
func recordUntil(sink, listener radio.Stream, frameLen int, limit *atomic.Int64) error {
	buf := make([]complex64, frameLen)
	for k := int64(0); k < limit.Load(); k++ {
		ts := radio.Timestamp(k * int64(frameLen))
		if _, _, err := listener.Read(buf, ts); err != nil {
			if errors.Is(err, radio.ErrClosed) {
				return nil
			}
			return fmt.Errorf("recording at sample %d: %w", ts, err)
		}
		if _, _, err := sink.Write(buf, ts); err != nil {
			return fmt.Errorf("recording at sample %d: %w", ts, err)
		}
	}
	return nil
}

// smsUntilDone ends a transceiver run with SMS traffic (cancel) once the
// phones have sent every message and each is in its recipient's inbox or
// refused, and stayed so for a few seconds (the network's records of the
// last RP-ACKs).
func smsUntilDone(ctx context.Context, ps *simphones.Phones, cancel context.CancelFunc) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	quiet := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !ps.SMSDone() {
			quiet = 0
			continue
		}
		if quiet++; quiet >= 6 {
			cancel()
			return
		}
	}
}

// callsUntilDone places --calls calls once every phone is registered (as
// "gsmbox sim --calls" does), and ends the run once they are over and the
// text messages, if any, are done. Safe beside the frame loop: the
// phones' methods used are safe from any goroutine.
func callsUntilDone(ctx context.Context, ps *simphones.Phones, o *phoneOpts, stdout io.Writer, cancel context.CancelFunc) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	placed := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		switch {
		case !placed && ps.Done():
			seed := o.seed
			if _, err := ps.PlaceCalls(o.calls, seed+1, int(o.talk/frameDuration)); err != nil {
				fmt.Fprintf(stdout, "calls not placed: %v\n", err)
				cancel()
				return
			}
			placed = true
			fmt.Fprintf(stdout, "%d calls placed\n", o.calls)
		case placed && ps.CallsDone() && (o.sms == 0 || ps.SMSDone()):
			cancel()
			return
		}
	}
}

// writeTRXReport writes the transceiver's phones and their SMS figures as
// JSON (--report).
func writeTRXReport(o *phoneOpts, rows []simphones.Row) error {
	b, err := json.MarshalIndent(struct {
		Phones []simphones.Row      `json:"phones"`
		SMS    *simphones.SMSReport `json:"sms,omitempty"`
	}{rows, o.smsReport}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(o.report, append(b, '\n'), 0o644)
}
