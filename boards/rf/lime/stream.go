package lime

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/boards/usbfs"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

// Clock is what the stall watchdog needs of a clock (firmware/clock's
// Real and Fake satisfy it).
type Clock interface {
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// StreamConfig configures a Stream. Zero fields take defaults.
type StreamConfig struct {
	// SampleRate is the stream's rate (default radio.SampleRate4,
	// 1625/6 kHz × 4).
	SampleRate float64
	// Format is the wire sample width (default Format16).
	Format Format
	// TXLead is the least time, in samples, between the newest RX sample
	// and the timestamp of a TX sample the host still sends; samples
	// closer than that would reach the FPGA late, so Write drops them
	// with Underrun. Default: one TDMA frame at the stream's rate. On a
	// CM3 behind the LAN9514 it is settled with `gsmbox rf probe`.
	TXLead int
	// DeviceDelay is the board's calibration value in samples: TX is
	// sent stamped DeviceDelay samples early, so a TX sample written at
	// ts leaves the antenna with the RX sample read at ts.
	DeviceDelay int
	// PacketsPerTransfer is how many 4096-byte packets one URB carries
	// (default 4).
	PacketsPerTransfer int
	// RXURBs and TXURBs size the URB pools (defaults 8 and 8).
	RXURBs, TXURBs int
	// RingSamples is the RX ring's size in samples, rounded up to a
	// power of two (default 2^17, about 120 ms at 4 samples a symbol).
	RingSamples int
	// RecoverSamples is how many consecutive clean RX samples make an
	// unhealthy stream healthy again (default 0.1 s worth).
	RecoverSamples int
	// TXWhileUnhealthy keeps sending TX samples while the stream is
	// unhealthy, where it would otherwise drop them (Stats.Suppressed).
	// Only for the TX calibration's internal loopback (CalibrateTX): the
	// TX pad is powered down there, nothing reaches the antenna, and
	// the samples that keep flowing are what lets the stream (and a
	// board clocked by them, like the fake) recover.
	TXWhileUnhealthy bool
	// OnHealth, when set, is called (from the stream's reaper goroutine,
	// without locks held) each time the stream turns unhealthy (false)
	// or healthy again (true). The board wiring keys the transmitter off
	// through the RF interlock on false.
	OnHealth func(healthy bool)
	// Log receives fault messages, rate-limited (default slog.Default).
	Log *slog.Logger
	// Clock times the stall watchdog (default the system clock).
	Clock Clock
	// Arrivals, when set, is told (from the reaper goroutine, without
	// locks held) the sample counter just past each completed RX
	// transfer, as it arrives: the software PPS latch (gpspps.Fit)
	// relates the board's counter to the host clock with it.
	Arrivals interface {
		StreamArrival(counter uint64, rate float64)
	}
	// StallTimeout: when no RX packet arrives for this long while the
	// stream runs, the board has stalled: the stream turns unhealthy and
	// a Read waiting for samples returns ErrStalled, so its caller can
	// restart the board instead of hanging (default 2 s).
	StallTimeout time.Duration
}

// Stats are the stream's counters. Every field counts since Open.
type Stats struct {
	RXPackets, TXPackets uint64
	// RXLost counts RX packets missing from the counter sequence.
	RXLost uint64
	// Overruns counts Read calls that asked for samples the ring no
	// longer held (the reader fell behind).
	Overruns uint64
	// Underruns counts Write calls whose samples (some or all) were
	// already too late for TXLead and were dropped on the host.
	Underruns uint64
	// Late counts RX packets flagging a late TX packet the FPGA dropped.
	Late uint64
	// Suppressed counts TX samples not sent because the stream was
	// unhealthy.
	Suppressed uint64
	// Unplugs counts the device going away.
	Unplugs uint64
	// Stalls counts stall-watchdog expiries.
	Stalls uint64
	// Faults counts healthy → unhealthy transitions.
	Faults uint64
	// Healthy is the current state; Counter the next expected RX
	// sample counter.
	Healthy bool
	Counter uint64
}

// Stream is a radio.Stream on a LimeSDR Mini or LimeNET Micro.
type Stream struct {
	b   *Board
	dev usbfs.Device
	cfg StreamConfig
	log *slog.Logger

	rx, tx []*usbfs.URB
	txFree chan *usbfs.URB
	done   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	cond     *sync.Cond
	ring     []complex64
	mask     uint64
	head     uint64 // next expected device counter
	lostLo   uint64 // last lost range [lostLo, lostHi)
	lostHi   uint64
	clean    int // clean samples since the last fault
	healthy  bool
	closed   bool
	gone     error
	inFlight int

	stalled bool

	rxPackets, txPackets, rxLost, overruns, underruns, late, suppressed, unplugs, faults, stalls atomic.Uint64
}

var _ radio.Stream = (*Stream)(nil)

func (c *StreamConfig) defaults() error {
	if c.SampleRate == 0 {
		c.SampleRate = radio.SampleRate4
	}
	if c.Format == 0 {
		c.Format = Format16
	}
	if c.TXLead == 0 {
		c.TXLead = int(math.Round(c.SampleRate * 120 / 26 / 1000)) // one TDMA frame (120/26 ms)
	}
	if c.PacketsPerTransfer == 0 {
		c.PacketsPerTransfer = 4
	}
	if c.RXURBs == 0 {
		c.RXURBs = 8
	}
	if c.TXURBs == 0 {
		c.TXURBs = 8
	}
	if c.RingSamples == 0 {
		c.RingSamples = 1 << 17
	}
	c.RingSamples = 1 << bits.Len(uint(c.RingSamples-1))
	if c.RecoverSamples == 0 {
		c.RecoverSamples = int(c.SampleRate / 10)
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.StallTimeout == 0 {
		c.StallTimeout = 2 * time.Second
	}
	if !(c.SampleRate > 0) || !c.Format.valid() || c.TXLead < 0 || c.DeviceDelay < 0 || c.PacketsPerTransfer < 1 ||
		c.RXURBs < 2 || c.TXURBs < 1 || c.RingSamples < 4*c.PacketsPerTransfer*c.Format.SamplesPerPacket() {
		return fmt.Errorf("%w: stream %+v", ErrConfig, *c)
	}
	return nil
}

// NewStream allocates the URB pools, starts the board's stream (counter 0
// is the first RX sample) and the stream's reaper goroutine.
func NewStream(b *Board, cfg StreamConfig) (*Stream, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Stream{b: b, dev: b.Device(), cfg: cfg, log: cfg.Log, done: make(chan struct{}), healthy: true,
		ring: make([]complex64, cfg.RingSamples), mask: uint64(cfg.RingSamples - 1)}
	s.cond = sync.NewCond(&s.mu)
	size := cfg.PacketsPerTransfer * PacketSize
	var err error
	if s.rx, err = s.dev.AllocURBs(EPStreamRX, cfg.RXURBs, size); err != nil {
		return nil, fmt.Errorf("lime: RX URBs: %w", err)
	}
	if s.tx, err = s.dev.AllocURBs(EPStreamTX, cfg.TXURBs, size); err != nil {
		return nil, fmt.Errorf("lime: TX URBs: %w", err)
	}
	s.txFree = make(chan *usbfs.URB, len(s.tx))
	for i, u := range s.tx {
		u.Tag = int64(i)
		s.txFree <- u
	}
	if err := b.StartStream(StreamSetup{Format: cfg.Format, Rate: cfg.SampleRate, Transfer: size}); err != nil {
		return nil, err
	}
	for _, u := range s.rx {
		u.Len = size
		if err := s.dev.Submit(u); err != nil {
			s.inFlightAbort()
			_ = b.StopStream()
			return nil, fmt.Errorf("lime: submit RX: %w", err)
		}
		s.inFlight++
	}
	s.wg.Add(2)
	go s.reap()
	go s.watch()
	return s, nil
}

func (s *Stream) inFlightAbort() {
	for _, u := range s.rx {
		_ = s.dev.Discard(u)
	}
}

// SampleRate implements radio.Stream.
func (s *Stream) SampleRate() float64 { return s.cfg.SampleRate }

// Config returns the configuration with defaults filled in.
func (s *Stream) Config() StreamConfig { return s.cfg }

// Stats returns the counters.
func (s *Stream) Stats() Stats {
	s.mu.Lock()
	h, head := s.healthy && s.gone == nil, s.head
	s.mu.Unlock()
	return Stats{
		RXPackets: s.rxPackets.Load(), TXPackets: s.txPackets.Load(), RXLost: s.rxLost.Load(),
		Overruns: s.overruns.Load(), Underruns: s.underruns.Load(), Late: s.late.Load(),
		Suppressed: s.suppressed.Load(), Unplugs: s.unplugs.Load(), Faults: s.faults.Load(), Stalls: s.stalls.Load(),
		Healthy: h, Counter: head,
	}
}

// Healthy reports whether RX is continuous and the board present: the
// only state in which TX samples are sent.
func (s *Stream) Healthy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.healthy && s.gone == nil
}

// logFault logs the n-th fault of a kind when n is a power of two (the
// count is driven by the air and the bus, so the log is rate-limited).
func (s *Stream) logFault(n uint64, msg string, args ...any) {
	if n&(n-1) == 0 {
		s.log.Warn(msg, append(args, "count", n)...)
	}
}

// fault marks the stream unhealthy; the caller holds mu and calls the
// returned function (the OnHealth notification) after unlocking.
func (s *Stream) fault() func() {
	s.clean = 0
	if !s.healthy {
		return nil
	}
	s.healthy = false
	s.faults.Add(1)
	return s.notify(false)
}

func (s *Stream) notify(h bool) func() {
	if s.cfg.OnHealth == nil {
		return nil
	}
	f := s.cfg.OnHealth
	return func() { f(h) }
}

// reap is the stream's one background loop: it reaps every completed
// URB, decodes RX packets into the ring and resubmits, and returns TX
// URBs to the free list.
func (s *Stream) reap() {
	defer s.wg.Done()
	for {
		u, err := s.dev.Reap(true)
		if err != nil {
			if s.lost(err) {
				return
			}
			continue
		}
		if u.Endpoint == EPStreamTX {
			if u.Err != nil && s.lost(u.Err) {
				return
			}
			s.txFree <- u
			continue
		}
		s.mu.Lock()
		s.inFlight--
		closing := s.closed
		s.mu.Unlock()
		if u.Err != nil {
			if closing && errors.Is(u.Err, usbfs.ErrClosed) {
				if s.drained() {
					return
				}
				continue
			}
			if s.lost(u.Err) {
				return
			}
		} else {
			s.rxDecode(u.Buf[:u.N])
			if a := s.cfg.Arrivals; a != nil && u.N > 0 {
				s.mu.Lock()
				head := s.head
				s.mu.Unlock()
				a.StreamArrival(head, s.cfg.SampleRate)
			}
		}
		if closing {
			if s.drained() {
				return
			}
			continue
		}
		u.Len = len(u.Buf)
		s.mu.Lock()
		s.inFlight++
		s.mu.Unlock()
		if err := s.dev.Submit(u); err != nil {
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
			if s.lost(err) {
				return
			}
			continue
		}
		// Close may have run its discards between the check above and
		// this submit: then this URB is ours to cancel.
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if closed {
			_ = s.dev.Discard(u)
		}
	}
}

func (s *Stream) drained() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight <= 0
}

// lost handles a reap or submit error: an unplugged or closed device ends
// the loop (true); anything else is counted as a fault.
func (s *Stream) lost(err error) bool {
	s.mu.Lock()
	gone := errors.Is(err, usbfs.ErrUnplugged) || errors.Is(err, usbfs.ErrNotFound)
	closed := s.closed && errors.Is(err, usbfs.ErrClosed)
	var note func()
	if gone && s.gone == nil {
		s.gone = fmt.Errorf("lime: board unplugged at counter %d: %w", s.head, err)
		n := s.unplugs.Add(1)
		note = s.fault()
		s.log.Error("lime: board unplugged; transmitter off", "counter", s.head, "err", err, "count", n)
	} else if !gone && !closed {
		note = s.fault()
		s.logFault(s.faults.Load(), "lime: stream transfer failed", "err", err)
	}
	s.cond.Broadcast()
	s.mu.Unlock()
	if note != nil {
		note()
	}
	return gone || closed
}

// watch is the stall watchdog: every half StallTimeout it checks that the
// RX counter moved; two checks without progress are a stall.
func (s *Stream) watch() {
	defer s.wg.Done()
	var last uint64
	idle := 0
	for {
		select {
		case <-s.done:
			return
		case <-s.cfg.Clock.After(s.cfg.StallTimeout / 2):
		}
		s.mu.Lock()
		if s.gone != nil {
			s.mu.Unlock()
			return
		}
		if s.head != last {
			last, idle = s.head, 0
			s.mu.Unlock()
			continue
		}
		idle++
		var note func()
		if idle%2 == 0 {
			// Stalled for another StallTimeout: declared (and counted)
			// again, which fails the Reads waiting since the last one.
			s.stalled = true
			n := s.stalls.Add(1)
			note = s.fault()
			s.logFault(n, "lime: board stalled: no RX packet", "for", s.cfg.StallTimeout, "counter", s.head)
			s.cond.Broadcast()
		}
		s.mu.Unlock()
		if note != nil {
			note()
		}
	}
}

// rxDecode copies the packets of one transfer into the ring.
func (s *Stream) rxDecode(buf []byte) {
	spp := uint64(s.cfg.Format.SamplesPerPacket())
	var notes [2]func() // the last fault and recovery notifications
	s.mu.Lock()
	for len(buf) >= PacketSize {
		pkt := buf[:PacketSize]
		buf = buf[PacketSize:]
		faulted := false
		fault := func() {
			faulted = true
			if f := s.fault(); f != nil {
				notes[0] = f
			}
		}
		var h Header
		if err := h.Unmarshal(pkt); err != nil {
			fault()
			s.logFault(s.faults.Load(), "lime: bad RX packet", "err", err)
			continue
		}
		s.rxPackets.Add(1)
		if h.TXDropped() {
			n := s.late.Add(1)
			fault()
			s.logFault(n, "lime: FPGA dropped a late TX packet", "counter", h.Counter)
		}
		switch {
		case h.Counter > s.head:
			gap := h.Counter - s.head
			n := s.rxLost.Add((gap + spp - 1) / spp)
			s.logFault(n, "lime: RX packets lost", "from", s.head, "to", h.Counter)
			s.zero(s.head, h.Counter)
			s.lostLo, s.lostHi = s.head, h.Counter
			s.head = h.Counter
			fault()
		case h.Counter < s.head:
			// A repeated or reordered packet: its samples are
			// already in the ring (or lost); skip it.
			fault()
			s.logFault(s.faults.Load(), "lime: RX counter went back", "want", s.head, "got", h.Counter)
			continue
		}
		s.rxCopy(pkt[PacketHeader:], int(spp))
		s.head += spp
		s.stalled = false
		if !s.healthy && !faulted {
			s.clean += int(spp)
			if s.clean >= s.cfg.RecoverSamples && s.gone == nil {
				s.healthy = true
				if f := s.notify(true); f != nil {
					notes[1] = f
				}
				s.log.Info("lime: stream healthy again", "counter", s.head)
			}
		}
	}
	s.cond.Broadcast()
	s.mu.Unlock()
	for _, f := range notes {
		if f != nil {
			f()
		}
	}
}

// rxCopy decodes n samples at s.head into the ring, split at the wrap.
func (s *Stream) rxCopy(payload []byte, n int) {
	i := int(s.head & s.mask)
	first := min(n, len(s.ring)-i)
	bps := s.cfg.Format.BytesPerSample()
	DecodeSamples(s.ring[i:i+first], payload[:first*bps], s.cfg.Format)
	if first < n {
		DecodeSamples(s.ring[:n-first], payload[first*bps:n*bps], s.cfg.Format)
	}
}

func (s *Stream) zero(lo, hi uint64) {
	if hi-lo >= uint64(len(s.ring)) {
		clear(s.ring)
		return
	}
	for t := lo; t < hi; {
		i := t & s.mask
		n := min(hi-t, uint64(len(s.ring))-i)
		clear(s.ring[i : i+n])
		t += n
	}
}

// Read implements radio.Stream. It blocks until the board has delivered
// samples up to ts+len(dst)−1. Samples lost on the bus or already
// overwritten read as zeros with Overrun.
func (s *Stream) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	if ts < 0 {
		return 0, 0, fmt.Errorf("%w: read at %d", ErrConfig, ts)
	}
	if len(dst) > len(s.ring)/2 {
		return 0, 0, fmt.Errorf("%w: read of %d samples, ring holds %d", ErrConfig, len(dst), len(s.ring))
	}
	lo, hi := uint64(ts), uint64(ts)+uint64(len(dst))
	s.mu.Lock()
	defer s.mu.Unlock()
	stalls := s.stalls.Load() // fail only on a stall declared while waiting
	for s.head < hi {
		if s.closed {
			return 0, 0, radio.ErrClosed
		}
		if s.gone != nil {
			return 0, 0, s.gone
		}
		if s.stalled && s.stalls.Load() != stalls {
			return 0, 0, fmt.Errorf("%w: no RX packet for %v at counter %d", ErrStalled, s.cfg.StallTimeout, s.head)
		}
		s.cond.Wait()
	}
	var f radio.Flags
	if s.head-lo > uint64(len(s.ring)) {
		f |= radio.Overrun
		n := s.overruns.Add(1)
		s.logFault(n, "lime: RX reader fell behind the ring", "ts", ts, "head", s.head)
		keep := s.head - uint64(len(s.ring)) // oldest held sample
		k := min(keep-lo, uint64(len(dst)))
		clear(dst[:k])
		s.copyOut(dst[k:], lo+k)
	} else {
		s.copyOut(dst, lo)
	}
	if lo < s.lostHi && hi > s.lostLo {
		f |= radio.Overrun
	}
	return len(dst), f, nil
}

func (s *Stream) copyOut(dst []complex64, t uint64) {
	for len(dst) > 0 {
		i := t & s.mask
		n := copy(dst, s.ring[i:])
		dst = dst[n:]
		t += uint64(n)
	}
}

// Write implements radio.Stream. It sends src stamped ts − DeviceDelay,
// in packets of 1020 (16-bit) or 1360 (12-bit) samples, at most
// PacketsPerTransfer a URB; it blocks while every TX URB is in flight.
// Samples closer than TXLead to the newest RX sample are dropped with
// Underrun; while the stream is unhealthy nothing is sent (the samples
// are counted as suppressed, and Underrun is set).
func (s *Stream) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	s.mu.Lock()
	closed, gone, healthy, head := s.closed, s.gone, s.healthy, s.head
	s.mu.Unlock()
	if closed {
		return 0, 0, radio.ErrClosed
	}
	if gone != nil {
		return 0, 0, gone
	}
	n := len(src)
	if !healthy && !s.cfg.TXWhileUnhealthy {
		s.suppressed.Add(uint64(n))
		return n, radio.Underrun, nil
	}
	c := int64(ts) - int64(s.cfg.DeviceDelay)
	earliest := int64(head) + int64(s.cfg.TXLead)
	var f radio.Flags
	if c < earliest {
		f |= radio.Underrun
		k := s.underruns.Add(1)
		s.logFault(k, "lime: TX write too late for the lead", "ts", ts, "late_by", earliest-c)
		skip := min(earliest-c, int64(n))
		src = src[skip:]
		c += skip
	}
	spp := s.cfg.Format.SamplesPerPacket()
	for len(src) > 0 {
		var u *usbfs.URB
		select {
		case u = <-s.txFree:
		case <-s.done:
			return n - len(src), f, radio.ErrClosed
		}
		off := 0
		for p := 0; p < s.cfg.PacketsPerTransfer && len(src) > 0; p++ {
			k, err := EncodeTX(u.Buf[off:off+PacketSize], src[:min(len(src), spp)], uint64(c), false, s.cfg.Format)
			if err != nil {
				s.txFree <- u
				return n - len(src), f, err
			}
			src, c, off = src[k:], c+int64(k), off+PacketSize
		}
		u.Len = off
		if err := s.dev.Submit(u); err != nil {
			s.txFree <- u
			if s.lost(err) {
				return n - len(src), f, s.goneErr(err)
			}
			return n - len(src), f, fmt.Errorf("lime: submit TX: %w", err)
		}
		s.txPackets.Add(uint64(off / PacketSize))
	}
	return n, f, nil
}

func (s *Stream) goneErr(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone != nil {
		return s.gone
	}
	if s.closed {
		return radio.ErrClosed
	}
	return err
}

// Close stops the board's stream, cancels the URBs in flight and waits
// for the reaper. It implements radio.Stream.
func (s *Stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return radio.ErrClosed
	}
	s.closed = true
	gone := s.gone != nil
	s.cond.Broadcast()
	s.mu.Unlock()
	close(s.done)
	var err error
	if !gone {
		err = s.b.StopStream()
		for _, u := range s.rx {
			_ = s.dev.Discard(u)
		}
	}
	s.wg.Wait()
	if gone || IsGone(err) {
		return nil
	}
	return err
}
