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
// The socket is not connected: a connected UDP socket turns the ICMP port
// unreachable of a port nobody listens on into ECONNREFUSED on the next
// write, which would lose every other packet. Unconnected, mirroring does
// not depend on a listener.
func Dial(addr string) (*Sender, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, strconv.Itoa(Port))
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("gsmtap: dial %s: %w", addr, err)
	}
	network := "udp4"
	if ua.IP.To4() == nil {
		network = "udp6"
	}
	pc, err := net.ListenUDP(network, nil)
	if err != nil {
		return nil, fmt.Errorf("gsmtap: dial %s: %w", addr, err)
	}
	return NewSender(&packetWriter{pc: pc, to: ua.AddrPort()}, nil), nil
}

// packetWriter writes each datagram to one address on an unconnected
// socket, without allocating.
type packetWriter struct {
	pc *net.UDPConn
	to netip.AddrPort
}

func (w *packetWriter) Write(b []byte) (int, error) { return w.pc.WriteToUDPAddrPort(b, w.to) }
func (w *packetWriter) Close() error                { return w.pc.Close() }

// NewSender returns a Sender writing one datagram per Write to w (a
// connected net.Conn, or a fake in tests). log may be nil for slog.Default.
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
