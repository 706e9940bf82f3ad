package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/iqfile"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/coding"
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
	base := fs.Int("base-port", trxproto.DefaultBasePort, "base UDP port: clock; control and data follow")
	bind := fs.String("bind", "127.0.0.1", "local address to bind")
	remote := fs.String("remote", "127.0.0.1", "address of the layer 1")
	iqOut := fs.String("iq-out", "", "write the downlink IQ a listener receives to this file (complex float32)")
	rate := fs.Float64("rate", radio.SampleRate4, "sample rate of --iq-out, samples/s")
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted)")
	pcapPath := fs.String("pcap", "", "capture every TRXC/TRXD datagram to this pcap file")
	snr := fs.Float64("snr", 0, "override sim.snr_db for --iq-out (0 keeps the config's)")
	verbose := fs.Bool("v", false, "log debug messages (every TRXC exchange)")
	popts := addPhoneFlags(fs)
	rachEvery := fs.Duration("test-rach", 0, "put a test phone on the simulated air that sends a channel request (RACH on TN0) this often (0: none)")
	lead := fs.Int("clock-lead", 40, "frames by which IND CLOCK runs ahead of the frame being written: the layer 1's margin for jitter")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	h, err := setupHost(hostOptions{name: "trx", config: *cfgPath, snr: *snr, verbose: *verbose}, stdout, stderr)
	if err != nil {
		return err
	}
	defer h.Close()
	board, cfg, log := h.board, h.cfg, h.log

	t, err := trx.NewTransceiver(trx.TransceiverConfig{
		Tx:     trx.TxConfig{Modulator: gmsk.Config{SPS: 4}},
		FillC0: true,
		Queue:  256, // 1.2 s: the L1's advance plus the clock lead plus a host that falls behind
	})
	if err != nil {
		return err
	}
	band := cfg.Band()
	ctrl := trxproto.NewControlServer(trxproto.Hooks{
		NominalPowerDBm: int(math.Round(cfg.Cell.TxPowerDBm)),
		CheckTune:       func(up bool, hz int64) error { return checkTune(board, band, up, hz) },
		PowerOn: func(s trxproto.State) error {
			if s.TxHz-s.RxHz != band.DuplexHz() {
				return fmt.Errorf("rx %d Hz and tx %d Hz are not a duplex pair of %v", s.RxHz, s.TxHz, band)
			}
			return nil
		},
	})

	pw, closePcap, err := createPcap(*pcapPath)
	if err != nil {
		return err
	}
	defer closePcap()
	link, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.TRXSide, Bind: *bind, Remote: *remote, Base: *base, Tap: pcapTap(pw)})
	if err != nil {
		return err
	}
	defer link.Close()

	air, err := sim.New(sim.Config{SampleRate: t.Transmitter().SampleRate(), Block: t.Transmitter().FrameLen(), Seed: uint64(cfg.Sim.Seed)})
	if err != nil {
		return err
	}
	defer air.Close()
	stream := air.Endpoint("bts")
	frames := int64(*duration / frameDuration)
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
	var phone *testPhone
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
		phone = &testPhone{tx: ptx, ep: ep, bsic: cfg.BSIC(), every: max(1, int64(*rachEvery/frameDuration)), log: log}
		defer ep.Close()
		fmt.Fprintf(stdout, "test phone on the air: a channel request every %v, %v, timing advance %d\n", *rachEvery, cfg.BSIC(), delay)
	}
	var phones *phoneSim
	if popts.n > 0 {
		// Virtual phones on this air; the cell and the core network they
		// register with run in the layer 1's process ("gsmbox bts"). The
		// cell built here only gives startPhones the carrier's layout.
		layout, err := bts.New(cellSettings(cfg, nil))
		if err != nil {
			return err
		}
		if phones, err = startPhones(ctx, popts, cfg, &cellRunner{cell: layout, tx: t.Transmitter()}, air, stream, stdout, log); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "gsmbox trx: transceiver on %s ports %d (clock), %d (control), %d (data); layer 1 at %s:%d; band %v\n",
		*bind, *base, *base+1, *base+2, *remote, *base+trxproto.ClientOffset, band)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var commands atomic.Uint64
	wg.Add(2)
	go func() { // control: one command, one response
		defer wg.Done()
		for {
			m, err := link.ReadControl(time.Time{})
			if err != nil {
				if errors.Is(err, trxproto.ErrSyntax) {
					log.Warn("trxc: unreadable message", "err", err)
					continue
				}
				return
			}
			r, ok := ctrl.Handle(m)
			if !ok {
				continue
			}
			commands.Add(1)
			log.Debug("trxc", "cmd", m.String(), "rsp", r.String())
			if r.Status != 0 && m.Verb != "SETFORMAT" {
				log.Warn("trxc: command refused", "cmd", m.String(), "rsp", r.String())
			}
			if err := link.SendControl(r); err != nil {
				log.Warn("trxc: send", "err", err)
			}
		}
	}()
	var badData atomic.Uint64
	go func() { // data: bursts to send
		defer wg.Done()
		buf := make([]byte, 1500)
		var p trxproto.DownlinkPDU
		var b tdma.TxBurst
		for {
			n, err := link.ReadData(buf, time.Time{})
			if err != nil {
				return
			}
			if err := p.Unmarshal(buf[:n]); err != nil {
				if badData.Add(1) <= 3 {
					log.Warn("trxd: unreadable PDU", "err", err)
				}
				continue
			}
			b = tdma.TxBurst{FN: p.FN, TN: p.TN, Kind: tdma.KindNormal, Att: p.Att, Bits: p.Bits}
			t.Submit(&b)
		}
	}()

	n, err := serveTransceiver(ctx, t, ctrl, link, stream, phone, frames, *lead, log)
	written.Store(n + txAhead + 1)
	cancel()
	link.Close()
	wg.Wait()
	stream.Close()
	if phones != nil {
		phones.cancel()
		phones.wg.Wait()
		phones.table(stdout, "final")
		reg := 0
		for _, r := range phones.rows() {
			if r.Result == "registered" {
				reg++
			}
		}
		fmt.Fprintf(stdout, "%d of %d phones registered through the layer 1\n", reg, len(phones.phones))
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
	st := t.Stats()
	fmt.Fprintf(stdout, "gsmbox trx: %d frames, %d TRXC commands, %d bursts received from L1 (%d late, %d early, %d unreadable), %d dummy fills; uplink %d bursts (%d access), %d empty\n",
		st.Frames, commands.Load(), st.Submitted, st.Late, st.Early, badData.Load(), st.Filled, st.Received, st.Access, st.Nope)
	return err
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

// clockEvery is how often IND CLOCK goes out, in frames (about 0.5 s;
// osmo-bts-trx declares the transceiver lost after a few seconds without).
const clockEvery = 102

// txAhead is how many frames before its receive time a downlink frame is
// written to the radio.
const txAhead = 2

// serveTransceiver is the frame loop, paced to real time: it writes
// downlink frame fn+txAhead, reads uplink frame fn, sends the uplink
// bursts of the frame before, and the clock. IND CLOCK reports the frame
// being written plus lead: osmo-bts-trx sends each burst only a few frames
// (fn-advance + rts-advance) after the clock it believes, so the lead is
// the margin that keeps bursts from arriving late when the host is busy
// (osmo-trx has its radio's transmit latency in the same place).
func serveTransceiver(ctx context.Context, t *trx.Transceiver, ctrl *trxproto.ControlServer, link *trxproto.Link, stream radio.Stream, phone *testPhone, frames int64, lead int, log *slog.Logger) (int64, error) {
	p := pacer{clock: clock.Real{}, start: time.Now()}
	var (
		fn      tdma.FN
		powered bool
		modes   [2][tdma.Slots]trx.RxMode // for frame fn−1 and fn
		tscs    [2]uint8
		version uint8
		pdu     trxproto.UplinkPDU
		buf     [trxproto.MaxUplinkLen + 2]byte
	)
	emit := func(b *tdma.RxBurst) {
		if !powered || (b.Kind == tdma.KindNone && version == 0) {
			return
		}
		fillUplinkPDU(&pdu, b, version)
		n, err := pdu.MarshalTo(buf[:])
		if err != nil {
			log.Warn("trxd: encoding uplink", "err", err)
			return
		}
		link.SendData(buf[:n])
	}
	var k int64
	for ; frames == 0 || k < frames; k++ {
		if ctx.Err() != nil {
			return k, nil
		}
		st := ctrl.State()
		if st.Powered && !powered {
			log.Info("transceiver powered on", "state", st.String())
			link.SendClock(uint32(fn.Add(txAhead + lead)))
		} else if !st.Powered && powered {
			log.Info("transceiver powered off")
		}
		powered, version = st.Powered, st.Version
		if powered && k%clockEvery == 0 {
			link.SendClock(uint32(fn.Add(txAhead + lead)))
		}
		if _, err := t.WriteFrame(stream, fn.Add(txAhead), st.AttDB, !powered || st.RFMuted); err != nil {
			if errors.Is(err, radio.ErrClosed) {
				return k, nil
			}
			return k, err
		}
		if phone != nil {
			if err := phone.frame(fn.Add(txAhead), k, st); err != nil {
				return k, err
			}
		}
		modes[0], tscs[0] = modes[1], tscs[1]
		for tn := range modes[1] {
			modes[1][tn] = rxMode(st, tdma.TN(tn), fn)
		}
		tscs[1] = st.TSC
		if _, err := t.ReadFrame(stream, fn, &modes[0], tscs[0], emit); err != nil {
			if errors.Is(err, radio.ErrClosed) {
				return k, nil
			}
			return k, err
		}
		fn = fn.Add(1)
		if p.wait(ctx, k+1) != nil {
			return k, nil
		}
	}
	return k, nil
}

// rxMode is what timeslot tn's receiver looks for in uplink frame fn.
func rxMode(st trxproto.State, tn tdma.TN, fn tdma.FN) trx.RxMode {
	if !st.Powered {
		return trx.RxOff
	}
	s := st.Slots[tn]
	switch {
	case !s.Receives():
		return trx.RxOff
	case s.RACH(fn) || st.Handover[tn] != 0:
		return trx.RxAccess
	}
	return trx.RxNormal
}

// fillUplinkPDU turns a received burst into a TRXD uplink PDU.
func fillUplinkPDU(p *trxproto.UplinkPDU, b *tdma.RxBurst, version uint8) {
	*p = trxproto.UplinkPDU{
		Version: version, TN: b.TN, FN: b.FN,
		RSSI:   int16(max(-255, min(0, math.Round(float64(b.RSSI))))),
		ToA256: int16(max(-32768, min(32767, math.Round(float64(b.ToA)*256)))),
		TSC:    b.TSC & 7,
		CI:     int16(max(-32768, min(32767, math.Round(float64(b.CI)*10)))),
		NOPE:   b.Kind == tdma.KindNone,
	}
	if !p.NOPE {
		p.Soft = b.Soft
	}
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

// testPhone is a transmitter on the simulated air that sends channel
// requests (TS 44.018 §9.1.8, access bursts TS 45.002 §5.2.7, coded per
// TS 45.003 §4.6) on TN0's RACH positions, so that the uplink path can be
// checked end to end without a full virtual phone.
type testPhone struct {
	tx     *trx.Transmitter
	ep     radio.Stream
	bsic   tdma.BSIC
	every  int64 // frames between requests
	next   int64
	sent   int
	bursts [tdma.Slots]tdma.TxBurst
	log    *slog.Logger
}

// frame writes uplink frame fn (tick k): an access burst on TN0 when one
// is due and fn is a RACH position, silence otherwise. The phone writes
// every frame, since the transceiver's receiver waits for it on the air.
func (p *testPhone) frame(fn tdma.FN, k int64, st trxproto.State) error {
	b := &p.bursts[0]
	b.Kind = tdma.KindNone
	if st.Powered && k >= p.next && st.Slots[0].RACH(fn) {
		// Establishment cause "originating call" (TS 44.018 Table 9.1.8.1),
		// 5 random-reference bits.
		ra := uint8(0xe0 | p.sent&0x1f)
		var d [tdma.AccessDataBits]byte
		coding.EncodeRACH(&d, ra, p.bsic)
		tdma.Access(&b.Bits, &d)
		b.Kind = tdma.KindAccess
		p.next = k + p.every
		p.sent++
		p.log.Info("test phone: channel request", "ra", fmt.Sprintf("%#02x", ra), "fn", uint32(fn))
	}
	_, err := p.tx.WriteFrame(p.ep, fn, &p.bursts)
	return err
}
