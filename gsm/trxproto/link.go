package trxproto

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Side says which end of the protocol a Link is.
type Side uint8

// The two ends.
const (
	// TRXSide is the transceiver (osmo-trx, gsmbox trx): it binds the base
	// ports and sends the clock.
	TRXSide Side = iota
	// BTSSide is the layer 1 (osmo-bts-trx, gsmbox's stack): it binds the
	// base ports + ClientOffset.
	BTSSide
)

// Tap sees every datagram a Link sends or receives, for captures. It must
// not keep payload.
type Tap func(src, dst netip.AddrPort, payload []byte)

// LinkConfig configures one channel's sockets.
type LinkConfig struct {
	Side Side
	// Bind is the local address (default 127.0.0.1); Remote the peer's
	// (default 127.0.0.1).
	Bind, Remote string
	// Base is the transceiver's base port (default 5700) whichever side
	// this is; the BTS side binds Base+ClientOffset.
	Base int
	// Channel is the transceiver channel n (default 0). Only channel 0 has
	// a clock socket.
	Channel int
	Tap     Tap
	// AllowRemote allows a Bind address other than a loopback one. The
	// protocol has no authentication: whoever reaches the control port
	// can power the transmitter off or retune it, and whoever reaches
	// the clock port can feed the layer 1 a clock. Without it Listen
	// refuses such a bind (ErrRemoteBind); the caller that sets it warns.
	AllowRemote bool
}

// Link owns the clock, control and data sockets of one channel. Its
// read methods are for one goroutine each; the send methods are safe for
// concurrent use. Close unblocks the readers.
type Link struct {
	side              Side
	clock, ctrl, data *net.UDPConn
	rclock, rctrl     netip.AddrPort
	rdata             netip.AddrPort
	tap               Tap
	mu                sync.Mutex
	buf               [maxControlLen]byte

	stale, unreadable atomic.Uint64
	unanswered        atomic.Bool // a command timed out: its answer may come late
}

// Listen binds the sockets of one side.
func Listen(cfg LinkConfig) (*Link, error) {
	if cfg.Bind == "" {
		cfg.Bind = "127.0.0.1"
	}
	if cfg.Remote == "" {
		cfg.Remote = "127.0.0.1"
	}
	if cfg.Base == 0 {
		cfg.Base = DefaultBasePort
	}
	bind, err := netip.ParseAddr(cfg.Bind)
	if err != nil {
		return nil, fmt.Errorf("trxproto: bind address: %w", err)
	}
	if !bind.Unmap().IsLoopback() && !cfg.AllowRemote {
		return nil, fmt.Errorf("%w: %s", ErrRemoteBind, bind)
	}
	remote, err := netip.ParseAddr(cfg.Remote)
	if err != nil {
		return nil, fmt.Errorf("trxproto: remote address: %w", err)
	}
	local, peer := Ports{cfg.Base}, Ports{cfg.Base + ClientOffset}
	if cfg.Side == BTSSide {
		local, peer = peer, local
	}
	l := &Link{side: cfg.Side, tap: cfg.Tap,
		rclock: netip.AddrPortFrom(remote, uint16(peer.Clock())),
		rctrl:  netip.AddrPortFrom(remote, uint16(peer.Control(cfg.Channel))),
		rdata:  netip.AddrPortFrom(remote, uint16(peer.Data(cfg.Channel))),
	}
	listen := func(port int) (*net.UDPConn, error) {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(bind, uint16(port))))
		if err != nil {
			return nil, fmt.Errorf("trxproto: %w", err)
		}
		return c, nil
	}
	if cfg.Channel == 0 {
		if l.clock, err = listen(local.Clock()); err != nil {
			return nil, err
		}
	}
	if l.ctrl, err = listen(local.Control(cfg.Channel)); err != nil {
		l.Close()
		return nil, err
	}
	if l.data, err = listen(local.Data(cfg.Channel)); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Close closes the sockets.
func (l *Link) Close() error {
	var errs []error
	for _, c := range []*net.UDPConn{l.clock, l.ctrl, l.data} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

func (l *Link) send(c *net.UDPConn, to netip.AddrPort, b []byte) error {
	if c == nil {
		return fmt.Errorf("trxproto: no clock socket on this channel")
	}
	if l.tap != nil {
		l.tap(c.LocalAddr().(*net.UDPAddr).AddrPort(), to, b)
	}
	_, err := c.WriteToUDPAddrPort(b, to)
	if err != nil && errors.Is(err, syscall.ECONNREFUSED) {
		return nil // the peer is not up (yet): datagrams are fire and forget
	}
	return err
}

// read reads one datagram, skipping ICMP-reported refusals of earlier
// sends, until the deadline (zero for none).
func (l *Link) read(c *net.UDPConn, b []byte, deadline time.Time) (int, error) {
	if c == nil {
		return 0, fmt.Errorf("trxproto: no clock socket on this channel")
	}
	if err := c.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	for {
		n, from, err := c.ReadFromUDPAddrPort(b)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				continue
			}
			return 0, err
		}
		if l.tap != nil {
			l.tap(from, c.LocalAddr().(*net.UDPAddr).AddrPort(), b[:n])
		}
		return n, nil
	}
}

// SendControl sends a TRXC message on the control socket.
func (l *Link) SendControl(m Message) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.send(l.ctrl, l.rctrl, m.AppendTo(l.buf[:0]))
}

// SendClock sends "IND CLOCK fn" (transceiver side).
func (l *Link) SendClock(fn uint32) error {
	m := ClockIndication(fn)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.send(l.clock, l.rclock, m.AppendTo(l.buf[:0]))
}

// SendData sends one TRXD PDU.
func (l *Link) SendData(b []byte) error { return l.send(l.data, l.rdata, b) }

// ReadControl reads the next TRXC message from the control socket. Bytes
// that do not parse are returned as an error wrapping ErrSyntax; the
// caller goes on reading.
func (l *Link) ReadControl(deadline time.Time) (Message, error) {
	var b [maxControlLen]byte
	n, err := l.read(l.ctrl, b[:], deadline)
	if err != nil {
		return Message{}, err
	}
	return ParseMessage(b[:n])
}

// ReadClock reads the next clock indication (BTS side).
func (l *Link) ReadClock(deadline time.Time) (Message, error) {
	var b [maxControlLen]byte
	n, err := l.read(l.clock, b[:], deadline)
	if err != nil {
		return Message{}, err
	}
	return ParseMessage(b[:n])
}

// ReadData reads one TRXD PDU into b.
func (l *Link) ReadData(b []byte, deadline time.Time) (int, error) {
	return l.read(l.data, b, deadline)
}

// CommandStats counts what Command skipped while waiting for answers.
type CommandStats struct {
	// Stale counts responses that did not answer the command waited for:
	// drained before it was sent, or naming another command.
	Stale uint64
	// Unreadable counts control datagrams that did not parse.
	Unreadable uint64
}

// CommandStats returns the counters of Command.
func (l *Link) CommandStats() CommandStats {
	return CommandStats{Stale: l.stale.Load(), Unreadable: l.unreadable.Load()}
}

// drainControl discards the responses already waiting on the control
// socket: answers to commands given up on, or datagrams nobody asked for.
// They must not be taken for the answer to the next command.
func (l *Link) drainControl() {
	var b [maxControlLen]byte
	for range 4096 { // a bound: a flood cannot keep the caller here
		// A deadline already past would not even look; a millisecond does.
		if _, err := l.read(l.ctrl, b[:], time.Now().Add(time.Millisecond)); err != nil {
			return
		}
		l.stale.Add(1)
	}
}

// Command sends cmd on the control socket and waits for the response
// that answers it, resending it every timeout, up to tries times, as
// osmo-bts-trx does. Responses already waiting are drained first.
// A response answers cmd when it names the same command (Matches); any
// other is stale, counted and skipped, so a late answer to an earlier
// command is never taken for this one's. "RSP ERR" (a transceiver that
// does not know a command, osmo-trx's "RSP ERR 1") names no command: it
// answers cmd when its first parameter, if any, is cmd's verb, and,
// without one, only when every earlier command was answered, so that it
// cannot be an earlier command's late answer. A response with a non-zero
// status is returned with an error wrapping ErrRejected, except for
// SETFORMAT, whose status is a version. BTS side; the caller is the
// control socket's only reader.
func (l *Link) Command(cmd Message, timeout time.Duration, tries int) (Message, error) {
	l.drainControl()
	for try := 0; try < max(tries, 1); try++ {
		if err := l.SendControl(cmd); err != nil {
			return Message{}, err
		}
		deadline := time.Now().Add(timeout)
		for {
			r, err := l.ReadControl(deadline)
			if err != nil {
				if errors.Is(err, ErrSyntax) {
					l.unreadable.Add(1)
					continue
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					break
				}
				return Message{}, err
			}
			if r.Type != RSP {
				l.stale.Add(1)
				continue
			}
			if r.Verb == "ERR" {
				if len(r.Params) > 0 && r.Params[0] != cmd.Verb || len(r.Params) == 0 && l.unanswered.Load() {
					l.stale.Add(1)
					continue
				}
				l.unanswered.Store(false)
				return r, fmt.Errorf("%w: %v answered %v", ErrRejected, cmd, r)
			}
			if !Matches(cmd, r) {
				l.stale.Add(1)
				continue
			}
			l.unanswered.Store(false)
			if r.Status != 0 && cmd.Verb != "SETFORMAT" {
				return r, fmt.Errorf("%w: %v answered %v", ErrRejected, cmd, r)
			}
			return r, nil
		}
	}
	l.unanswered.Store(true)
	return Message{}, fmt.Errorf("%w: %v, %d tries", ErrTimeout, cmd, max(tries, 1))
}
