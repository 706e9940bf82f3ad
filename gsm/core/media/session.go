package media

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/bits"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// Ptime is the packet duration gsmbox sends: one 20 ms speech frame per
// RTP packet, the TCH/F block period.
const Ptime = 20 * time.Millisecond

// MaxDatagram is the largest RTP or RTCP datagram accepted; anything
// longer is dropped and counted. 1500 octets is an Ethernet MTU: a 120 ms
// G.711 packet is 972.
const MaxDatagram = 1500

// DefaultEventPT is the telephone-event payload type offered (RFC 4733
// §7.1.1: dynamic; 101 is what most peers use).
const DefaultEventPT = 101

// Clock is the session's time; firmware/clock.Clock (real or fake)
// satisfies it. The 20 ms loop waits on After.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Config configures a Session. The zero value of every field but Addr
// has a default.
type Config struct {
	// Addr is the local address the RTP and RTCP sockets bind to (an
	// unspecified address binds all interfaces).
	Addr netip.Addr
	// External is the address written into SDP, for a gsmbox behind NAT
	// with a forwarded port range; default Addr. With Addr unspecified
	// it must be set (it is not guessed).
	External netip.Addr
	// PortMin and PortMax bound the RTP ports (even; RTCP takes the odd
	// port above). Default 16384–32767.
	PortMin, PortMax uint16
	// Codecs are the payload types offered, most preferred first, from
	// rtp.PTGSM, rtp.PTPCMA and rtp.PTPCMU. Default GSM (passed through
	// untranscoded), PCMA, PCMU. Answering, the first of these the
	// offer has wins.
	Codecs []uint8
	// EventPT is the telephone-event payload type offered; default
	// DefaultEventPT.
	EventPT uint8
	// JitterMin and JitterMax bound the jitter buffer's playout delay;
	// default 40 ms and 300 ms. JitterMin of 20 ms is the least.
	JitterMin, JitterMax time.Duration
	// Latch sends to the address the peer's RTP comes from rather than
	// the one in its SDP, once its first valid packet arrives (symmetric
	// RTP, RFC 4961, for peers behind NAT).
	Latch bool
	// Clock paces the 20 ms loop; nil is the real clock (with a reused
	// timer, so pacing allocates nothing).
	Clock Clock
	// Log, default slog.Default().
	Log *slog.Logger
}

// DTMF is one RFC 4733 telephone-event received, or to send.
type DTMF struct {
	Digit byte // '0'-'9', '*', '#', 'A'-'D'
	// End is false at the first packet of the event (CC START DTMF, TS
	// 24.008 §5.5.7.1) and true at its end (STOP DTMF, §5.5.7.3).
	End bool
	// Duration of the event so far (at the end: all of it).
	Duration time.Duration
}

// Session is the media of one call leg. New binds its ports; the SDP
// calls negotiate; Start runs it; Close ends it and frees the ports. The
// methods may be called from any goroutine.
type Session struct {
	cfg  Config
	log  *slog.Logger
	rtp  *net.UDPConn
	rtcp *net.UDPConn
	addr netip.AddrPort // local RTP address as bound
	ext  netip.AddrPort // RTP address for SDP

	sessID  uint64
	sdpVer  atomic.Uint64
	offered bool

	mu                  sync.Mutex // guards the negotiated state, the receiver and the jitter buffer
	neg                 negotiated
	remote              netip.AddrPort // RTP destination (RTCP: port+1 or a=rtcp)
	rtcpTo              netip.AddrPort
	latched, haveRemote bool
	recv                receiver
	jb                  jitterBuffer
	dtmfTx              dtmfSender
	pk                  *rtp.Packetizer // our stream; used by the loop only (created under mu)
	ssrc                uint32

	port    *rsl.SpeechPort
	codec   codecState // the 20 ms loop's (no lock)
	started bool
	closed  bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	dtmf chan DTMF

	st counters
}

// New binds an RTP port and its RTCP port from cfg's range.
func New(cfg Config) (*Session, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, log: cfg.Log, dtmf: make(chan DTMF, 16)}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	s.sessID = binary.BigEndian.Uint64(b[:]) >> 2
	if err := s.bind(binary.BigEndian.Uint32(b[4:])); err != nil {
		return nil, err
	}
	s.log = s.log.With("rtp", s.addr)
	return s, nil
}

func (c *Config) defaults() error {
	if !c.Addr.IsValid() {
		return fmt.Errorf("%w: no local address", ErrConfig)
	}
	if !c.External.IsValid() {
		c.External = c.Addr
	}
	if c.External.IsUnspecified() {
		// c=0.0.0.0 in SDP means hold (RFC 3264 §8.4).
		return fmt.Errorf("%w: binding %s needs an External address for SDP", ErrConfig, c.Addr)
	}
	if c.PortMin == 0 && c.PortMax == 0 {
		c.PortMin, c.PortMax = 16384, 32767
	}
	c.PortMin += c.PortMin & 1
	if c.PortMax < c.PortMin+1 {
		return fmt.Errorf("%w: RTP ports %d-%d hold no even/odd pair", ErrConfig, c.PortMin, c.PortMax)
	}
	if len(c.Codecs) == 0 {
		c.Codecs = []uint8{rtp.PTGSM, rtp.PTPCMA, rtp.PTPCMU}
	}
	for _, pt := range c.Codecs {
		if _, err := rtp.FormatOf(pt); err != nil {
			return fmt.Errorf("%w: codec: %w", ErrConfig, err)
		}
	}
	if c.EventPT == 0 {
		c.EventPT = DefaultEventPT
	}
	if c.EventPT < 96 || c.EventPT > 127 {
		return fmt.Errorf("%w: telephone-event payload type %d is not dynamic (96-127)", ErrConfig, c.EventPT)
	}
	if c.JitterMin == 0 {
		c.JitterMin = 40 * time.Millisecond
	}
	if c.JitterMax == 0 {
		c.JitterMax = 300 * time.Millisecond
	}
	c.JitterMin = max(c.JitterMin, Ptime)
	c.JitterMax = min(max(c.JitterMax, c.JitterMin), (jbSlots-8)*Ptime)
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return nil
}

// bind takes the first free even/odd pair from a random place in the
// range.
func (s *Session) bind(seed uint32) error {
	pairs := (int(s.cfg.PortMax) - int(s.cfg.PortMin) + 1) / 2
	start := int(seed % uint32(pairs))
	for i := range pairs {
		p := int(s.cfg.PortMin) + 2*((start+i)%pairs)
		a, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(s.cfg.Addr, uint16(p))))
		if err != nil {
			continue
		}
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(s.cfg.Addr, uint16(p+1))))
		if err != nil {
			a.Close()
			continue
		}
		s.rtp, s.rtcp = a, c
		s.addr = netip.AddrPortFrom(s.cfg.Addr, uint16(p))
		s.ext = netip.AddrPortFrom(s.cfg.External, uint16(p))
		return nil
	}
	return fmt.Errorf("%w: %d pairs in %d-%d on %s", ErrNoPort, pairs, s.cfg.PortMin, s.cfg.PortMax, s.cfg.Addr)
}

// LocalAddr returns the local RTP address (RTCP is on the next port).
func (s *Session) LocalAddr() netip.AddrPort { return s.addr }

// DTMF returns the digits the peer sends as RFC 4733 events: one DTMF
// with End false when an event starts, one with End true when it ends.
// The channel holds 16; when the reader falls behind, further events
// are dropped and counted (Stats.DTMFDropped). It is closed by Close.
func (s *Session) DTMF() <-chan DTMF { return s.dtmf }

// Start joins the session to a TCH/F's speech port and starts the media:
// the reader and the 20 ms loop. The codec must be negotiated (Answer or
// Accept) first. port may be nil for a leg not yet on a TCH (early
// media before assignment): SetPort joins it later.
func (s *Session) Start(port *rsl.SpeechPort) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.started {
		return fmt.Errorf("%w: Start on a session already started or closed", ErrState)
	}
	if !s.neg.ok {
		return fmt.Errorf("%w: Start before the codec is negotiated", ErrState)
	}
	s.started = true
	s.port = port
	s.codec.reset(s.neg.pt)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(3)
	go s.readRTP()
	go s.readRTCP()
	go s.loop(ctx)
	return nil
}

// SetPort (re)joins a running session to a speech port, or detaches it
// with nil.
func (s *Session) SetPort(port *rsl.SpeechPort) {
	s.mu.Lock()
	s.port = port
	s.mu.Unlock()
}

// Close stops the session, waits for its goroutines and frees its ports.
// It is safe to call more than once.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	started := s.started
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	if started {
		s.sendBye()
	}
	err := s.rtp.Close()
	if e := s.rtcp.Close(); err == nil {
		err = e
	}
	s.wg.Wait()
	close(s.dtmf)
	return err
}

// loop is the 20 ms loop: paced by the clock, it never catches up more
// than 200 ms of lag (a stalled host slips rather than bursts).
func (s *Session) loop(ctx context.Context) {
	defer s.wg.Done()
	clk := s.cfg.Clock
	var timer *time.Timer
	if clk == nil {
		timer = time.NewTimer(time.Hour)
		defer timer.Stop()
	}
	now := func() time.Time {
		if clk == nil {
			return time.Now()
		}
		return clk.Now()
	}
	next := now()
	var rtcpAt time.Time = next.Add(rtcpInterval(s.sessID))
	for {
		next = next.Add(Ptime)
		t := now()
		if lag := t.Sub(next); lag > 10*Ptime {
			next = t
		}
		if d := next.Sub(t); d > 0 {
			var c <-chan time.Time
			if timer != nil {
				timer.Reset(d)
				c = timer.C
			} else {
				c = clk.After(d)
			}
			select {
			case <-ctx.Done():
				return
			case <-c:
			}
		} else if ctx.Err() != nil {
			return
		}
		s.tick()
		if t := now(); !t.Before(rtcpAt) {
			s.sendReport(t)
			rtcpAt = t.Add(rtcpInterval(uint64(t.UnixNano())))
		}
	}
}

// rtcpInterval is RFC 3550 §6.2's 5 s minimum, randomised over
// [0.5, 1.5] of it (§6.3.1) so that legs do not synchronise.
func rtcpInterval(seed uint64) time.Duration {
	r := bits.RotateLeft64(seed*0x9E3779B97F4A7C15, 17)
	return 2500*time.Millisecond + time.Duration(r%5000)*time.Millisecond
}
