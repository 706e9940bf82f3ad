package gsmtap

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
)

// MaxPayload is the largest payload a Sender or PcapWriter accepts. GSM
// signalling blocks are 23 octets and bursts at most 148 (or 4×148 soft
// values); this leaves ample room.
const MaxPayload = 1500 - 20 - 8 - HeaderLen

// Sender sends GSMTAP packets as UDP datagrams, typically to port 4729 on a
// host running Wireshark. It never blocks the caller on a failed write: a
// packet that cannot be sent is dropped and counted, and the first error is
// logged. Send does not allocate. A Sender is safe for concurrent use.
type Sender struct {
	mu   sync.Mutex
	w    io.Writer
	buf  [HeaderLen + MaxPayload]byte
	log  *slog.Logger
	sent atomic.Uint64
	drop atomic.Uint64
	warn atomic.Bool
}

// Dial returns a Sender that sends datagrams to addr ("host" or
// "host:port"; the port defaults to Port).
//
// The socket is not connected: each packet is sent with WriteTo. On a
// connected UDP socket Linux reports the ICMP port-unreachable that a
// packet to a port nobody listens on draws as ECONNREFUSED on the next
// send, which then fails and drops that next packet; with no Wireshark
// running the mirror would lose every other packet, and the first packets
// after one starts. An unconnected socket is never told, so mirroring
// does not depend on a listener.
func Dial(addr string) (*Sender, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, strconv.Itoa(Port))
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("gsmtap: dial %s: %w", addr, err)
	}
	to := ua.AddrPort()
	to = netip.AddrPortFrom(to.Addr().Unmap(), to.Port())
	network := "udp6"
	if to.Addr().Is4() {
		network = "udp4"
	}
	c, err := net.ListenUDP(network, nil)
	if err != nil {
		return nil, fmt.Errorf("gsmtap: dial %s: %w", addr, err)
	}
	return NewSender(&udpTo{c: c, to: to}, nil), nil
}

// udpTo writes each Write as one datagram to a fixed address from an
// unconnected socket (see Dial). WriteToUDPAddrPort does not allocate.
type udpTo struct {
	c  *net.UDPConn
	to netip.AddrPort
}

func (u *udpTo) Write(b []byte) (int, error) { return u.c.WriteToUDPAddrPort(b, u.to) }

func (u *udpTo) Close() error { return u.c.Close() }

// NewSender returns a Sender writing one datagram per Write to w (a
// net.Conn, or a fake in tests). log may be nil for slog.Default.
func NewSender(w io.Writer, log *slog.Logger) *Sender {
	if log == nil {
		log = slog.Default()
	}
	return &Sender{w: w, log: log}
}

// Send encodes h and payload into one datagram and writes it. It reports
// whether the packet was sent; a failed or oversized packet is counted in
// Dropped.
func (s *Sender) Send(h *Header, payload []byte) bool {
	if len(payload) > MaxPayload {
		s.drop.Add(1)
		return false
	}
	s.mu.Lock()
	h.Encode(s.buf[:])
	n := copy(s.buf[HeaderLen:], payload)
	_, err := s.w.Write(s.buf[:HeaderLen+n])
	s.mu.Unlock()
	if err != nil {
		s.drop.Add(1)
		if !s.warn.Swap(true) {
			s.log.Warn("gsmtap: send failed; dropping packets", "err", err)
		}
		return false
	}
	s.sent.Add(1)
	return true
}

// Sent returns the number of packets sent.
func (s *Sender) Sent() uint64 { return s.sent.Load() }

// Dropped returns the number of packets dropped.
func (s *Sender) Dropped() uint64 { return s.drop.Load() }

// Close closes the underlying writer if it is an io.Closer.
func (s *Sender) Close() error {
	if c, ok := s.w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
