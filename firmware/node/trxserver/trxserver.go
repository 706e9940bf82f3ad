// Package trxserver is gsmbox's DSP as a transceiver that a layer 1
// drives over the osmo-trx TRX protocol (gsm/trxproto): TRXC commands
// answered by a trxproto.ControlServer, TRXD downlink bursts queued into
// a dsp/trx.Transceiver at their frame numbers, the uplink demodulated
// (normal and access bursts, RSSI, ToA, C/I) and sent back as TRXD, and
// IND CLOCK. `gsmbox trx` runs it on the simulated air, for osmo-bts-trx
// or `gsmbox bts`.
//
// Its receive plan is the TRXC state's (trxproto.State.Plan).
//
// Place in the dependency order: beside firmware/node, above dsp/trx,
// gsm/trxproto and gsm/phy (dsp/ may not import gsm/trxproto, so the
// server that joins them lives here).
package trxserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
)

// Config configures a Server.
type Config struct {
	// Transceiver modulates and demodulates (FillC0 set, as osmo-trx).
	Transceiver *trx.Transceiver
	// Control answers TRXC and holds the state the layer 1 set.
	Control *trxproto.ControlServer
	// Link is the TRX side of the three UDP sockets.
	Link *trxproto.Link
	// Stream is the radio.
	Stream radio.Stream
	// Clock paces the frame loop to real time (nil: the system clock).
	Clock phy.Clock
	// Frames stops the server after that many frames (0: until ctx ends).
	Frames int64
	// ClockLead is how many frames IND CLOCK runs ahead of the frame
	// being written: the layer 1's margin for jitter.
	ClockLead int
	// Phone, when not nil, is a test transmitter of channel requests on
	// the same air, written every frame from the loop.
	Phone *RACHPhone
	// Log receives TRXC exchanges (debug) and problems.
	Log *slog.Logger
}

// clockEvery is how often IND CLOCK goes out, in frames (about 0.5 s;
// osmo-bts-trx declares the transceiver lost after a few seconds without).
const clockEvery = 102

// TxAhead is how many frames before its receive time a downlink frame is
// written to the radio.
const TxAhead = 2

// Server is one TRX-protocol transceiver.
type Server struct {
	cfg        Config
	log        *slog.Logger
	commands   atomic.Uint64
	badControl *trxproto.BadInput // unreadable TRXC datagrams
	refused    *trxproto.BadInput // commands answered with a failure
	badData    *trxproto.BadInput // unreadable TRXD PDUs
	pdu        trxproto.DownlinkPDU
	burst      tdma.TxBurst
	upBursts   atomic.Uint64 // uplink PDUs sent with a burst (not NOPE)
	upRSSI     atomic.Int64  // the sum of their RSSI fields, dBm
}

// Stats counts what the server was sent. The counts of bad input are the
// whole count; the log has at most a line a second of each.
type Stats struct {
	Commands   uint64 // TRXC commands answered
	Refused    uint64 // of which refused (a non-zero status)
	BadControl uint64 // control datagrams that were not a TRXC message
	BadData    uint64 // data datagrams that were not a downlink PDU
	// Uplink counts the uplink PDUs sent with a burst (not NOPE), and
	// UplinkRSSI is the mean of their RSSI fields in dBm (0 with none):
	// the level the layer 1 steers MS power control by.
	Uplink     uint64
	UplinkRSSI float64
}

// New returns a server; Serve runs it.
func New(cfg Config) *Server {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	return &Server{cfg: cfg, log: log,
		badControl: trxproto.NewBadInput("trxc: unreadable datagram", log, 0, nil),
		refused:    trxproto.NewBadInput("trxc: command refused", log, 0, nil),
		badData:    trxproto.NewBadInput("trxd: unreadable downlink PDU", log, 0, nil),
	}
}

// Commands returns how many TRXC commands were answered.
func (s *Server) Commands() uint64 { return s.commands.Load() }

// BadData returns how many TRXD PDUs could not be read.
func (s *Server) BadData() uint64 { return s.badData.Count() }

// Stats returns the counters.
func (s *Server) Stats() Stats {
	st := Stats{Commands: s.commands.Load(), Refused: s.refused.Count(),
		BadControl: s.badControl.Count(), BadData: s.badData.Count(), Uplink: s.upBursts.Load()}
	if st.Uplink > 0 {
		st.UplinkRSSI = float64(s.upRSSI.Load()) / float64(st.Uplink)
	}
	return st
}

// Serve runs the control and data readers and the frame loop until ctx
// ends, the stream closes or Frames are done; it then closes the link
// and waits for the readers. It returns the frames run.
func (s *Server) Serve(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.control() }()
	go func() { defer wg.Done(); s.data() }()
	n, err := s.loop(ctx)
	cancel()
	s.cfg.Link.Close()
	wg.Wait()
	s.badControl.Flush()
	s.refused.Flush()
	s.badData.Flush()
	return n, err
}

// control answers TRXC: one command, one response.
func (s *Server) control() {
	link, ctrl := s.cfg.Link, s.cfg.Control
	for {
		m, err := link.ReadControl(time.Time{})
		if err != nil {
			if errors.Is(err, trxproto.ErrSyntax) {
				s.badControl.Note(err)
				continue
			}
			return
		}
		r, ok, why := ctrl.HandleWhy(m)
		if !ok {
			continue
		}
		s.commands.Add(1)
		s.log.Debug("trxc", "cmd", m.String(), "rsp", r.String())
		if r.Status != 0 && m.Verb != "SETFORMAT" {
			s.refused.Note(why, "cmd", m.String(), "rsp", r.String())
		}
		if err := link.SendControl(r); err != nil {
			s.log.Warn("trxc: send", "err", err)
		}
	}
}

// data queues the layer 1's downlink bursts.
func (s *Server) data() {
	buf := make([]byte, 1500)
	for {
		n, err := s.cfg.Link.ReadData(buf, time.Time{})
		if err != nil {
			return
		}
		s.queue(buf[:n])
	}
}

// queue hands one downlink PDU to the transceiver, which queues it at its
// frame number or drops and counts it (late, or further ahead than its
// queue). A datagram that is not a PDU is counted and logged (at most a
// line a second). Called from the data reader only.
func (s *Server) queue(b []byte) {
	p := &s.pdu
	if err := p.Unmarshal(b); err != nil {
		s.badData.Note(err)
		return
	}
	s.burst = tdma.TxBurst{FN: p.FN, TN: p.TN, Kind: tdma.KindNormal, Att: p.Att, Bits: p.Bits}
	s.cfg.Transceiver.Submit(&s.burst)
}

// loop is the frame loop, paced to real time: it writes downlink frame
// fn+TxAhead, reads uplink frame fn, sends the uplink bursts of the frame
// before, and the clock. IND CLOCK reports the frame being written plus
// the lead: osmo-bts-trx sends each burst only a few frames (fn-advance +
// rts-advance) after the clock it believes, so the lead is the margin
// that keeps bursts from arriving late when the host is busy (osmo-trx
// has its radio's transmit latency in the same place).
func (s *Server) loop(ctx context.Context) (int64, error) {
	t, ctrl, link, stream := s.cfg.Transceiver, s.cfg.Control, s.cfg.Link, s.cfg.Stream
	p := phy.NewPacer(s.cfg.Clock)
	lead := s.cfg.ClockLead
	var (
		fn      tdma.FN
		powered bool
		st      trxproto.State
		version uint8
		pdu     trxproto.UplinkPDU
		buf     [trxproto.MaxUplinkLen + 2]byte
	)
	emit := func(b *tdma.RxBurst) {
		if !powered || (b.Kind == tdma.KindNone && version == 0) {
			return
		}
		FillUplinkPDU(&pdu, b, version)
		n, err := pdu.MarshalTo(buf[:])
		if err != nil {
			s.log.Warn("trxd: encoding uplink", "err", err)
			return
		}
		link.SendData(buf[:n])
		if !pdu.NOPE {
			s.upBursts.Add(1)
			s.upRSSI.Add(int64(pdu.RSSI))
		}
	}
	var k int64
	for ; s.cfg.Frames == 0 || k < s.cfg.Frames; k++ {
		if ctx.Err() != nil {
			return k, nil
		}
		st = ctrl.State()
		if st.Powered && !powered {
			s.log.Info("transceiver powered on", "state", st.String())
			link.SendClock(uint32(fn.Add(TxAhead + lead)))
		} else if !st.Powered && powered {
			s.log.Info("transceiver powered off")
		}
		powered, version = st.Powered, st.Version
		if powered && k%clockEvery == 0 {
			link.SendClock(uint32(fn.Add(TxAhead + lead)))
		}
		if _, err := t.WriteFrame(stream, fn.Add(TxAhead), st.AttDB, !powered || st.RFMuted); err != nil {
			if errors.Is(err, radio.ErrClosed) {
				return k, nil
			}
			return k, err
		}
		if s.cfg.Phone != nil {
			if err := s.cfg.Phone.frame(fn.Add(TxAhead), k, &st); err != nil {
				return k, err
			}
		}
		// The plan is the TRXC state's (st.Plan), for the frame before fn.
		if _, err := t.ReadFrame(stream, fn, &st, emit); err != nil {
			if errors.Is(err, radio.ErrClosed) {
				return k, nil
			}
			return k, err
		}
		fn = fn.Add(1)
		if p.Wait(ctx, k+1) != nil {
			return k, nil
		}
	}
	return k, nil
}

// FillUplinkPDU turns a received burst into a TRXD uplink PDU.
func FillUplinkPDU(p *trxproto.UplinkPDU, b *tdma.RxBurst, version uint8) {
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

// RACHPhone is a transmitter on the simulated air that sends channel
// requests (TS 44.018 §9.1.8, access bursts TS 45.002 §5.2.7, coded per
// TS 45.003 §4.6) on TN0's RACH positions, so that the uplink path can be
// checked end to end without a full virtual phone.
type RACHPhone struct {
	tx     *trx.Transmitter
	ep     radio.Stream
	bsic   tdma.BSIC
	every  int64 // frames between requests
	next   int64
	sent   int
	bursts [tdma.Slots]tdma.TxBurst
	log    *slog.Logger
}

// NewRACHPhone returns a test phone writing through tx to ep, sending a
// request every this many frames with bsic's colour code.
func NewRACHPhone(tx *trx.Transmitter, ep radio.Stream, bsic tdma.BSIC, every int64, log *slog.Logger) *RACHPhone {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &RACHPhone{tx: tx, ep: ep, bsic: bsic, every: max(1, every), log: log}
}

// frame writes uplink frame fn (tick k): an access burst on TN0 when one
// is due and fn is a RACH position, silence otherwise. The phone writes
// every frame, since the transceiver's receiver waits for it on the air.
func (p *RACHPhone) frame(fn tdma.FN, k int64, st *trxproto.State) error {
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

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
