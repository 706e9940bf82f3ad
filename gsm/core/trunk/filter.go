package trunk

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Hostile SIP. Only the configured provider's addresses (the registrar's
// and the proxy's, resolved at start and at every registration) are heard
// at all: a datagram or a TCP connection from anywhere else is dropped
// before the SIP parser sees it, and counted; so is a datagram over
// MaxMessage. An INVITE flood from an unknown address therefore costs a
// read and a map lookup each, and never a transaction, a goroutine or a
// log line (the drops are logged at most once per 10 s with their count).

type filter struct {
	t       *Trunk
	allowed atomic.Pointer[map[netip.Addr]bool]
	dropped atomic.Uint64
}

func newFilter(t *Trunk) *filter {
	f := &filter{t: t}
	m := map[netip.Addr]bool{}
	f.allowed.Store(&m)
	return f
}

// resolve sets the allowed addresses from the provider's host names.
func (f *filter) resolve(hostports ...string) error {
	m := map[netip.Addr]bool{}
	for _, hp := range hostports {
		if hp == "" {
			continue
		}
		host, _, err := net.SplitHostPort(hp)
		if err != nil {
			host = hp
		}
		if ip, err := netip.ParseAddr(host); err == nil {
			m[ip.Unmap()] = true
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		cancel()
		if err != nil {
			if len(*f.allowed.Load()) > 0 {
				return nil // keep the addresses we had
			}
			return fmt.Errorf("resolving %s: %w", host, err)
		}
		for _, ip := range ips {
			m[ip.Unmap()] = true
		}
	}
	f.allowed.Store(&m)
	return nil
}

func (f *filter) allow(a net.Addr) bool {
	var ip netip.Addr
	switch a := a.(type) {
	case *net.UDPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	}
	if (*f.allowed.Load())[ip.Unmap()] {
		return true
	}
	f.dropped.Add(1)
	f.t.lim.warn(f.t.log, "SIP from an address that is not the provider's dropped", "from", ip.String())
	return false
}

// filterConn is the UDP socket seen through the filter.
type filterConn struct {
	net.PacketConn
	f *filter
}

func (c *filterConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, a, err := c.PacketConn.ReadFrom(b)
		if err != nil {
			return n, a, err
		}
		if !c.f.allow(a) {
			continue
		}
		if n > MaxMessage {
			c.f.dropped.Add(1)
			c.f.t.lim.warn(c.f.t.log, "oversized SIP datagram dropped", "bytes", n)
			continue
		}
		return n, a, nil
	}
}

// filterListener is the TCP listener seen through the filter.
type filterListener struct {
	net.Listener
	f *filter
}

func (l *filterListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return c, err
		}
		if !l.f.allow(c.RemoteAddr()) {
			c.Close()
			continue
		}
		return c, nil
	}
}

// limiter rate-limits log lines whose number the network controls: one
// line per message per period, with the count of those suppressed.
type limiter struct {
	period time.Duration
	mu     sync.Mutex
	last   map[string]time.Time
	quiet  map[string]int
}

func newLimiter(period time.Duration) *limiter {
	return &limiter{period: period, last: map[string]time.Time{}, quiet: map[string]int{}}
}

func (l *limiter) allow(msg string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if t, ok := l.last[msg]; ok && now.Sub(t) < l.period {
		l.quiet[msg]++
		return false, 0
	}
	n := l.quiet[msg]
	l.last[msg], l.quiet[msg] = now, 0
	if len(l.last) > 64 {
		clear(l.last) // bounded: messages are constants, but be safe
	}
	return true, n
}

func (l *limiter) warn(log *slog.Logger, msg string, args ...any) {
	if ok, n := l.allow(msg); ok {
		if n > 0 {
			args = append(args, "suppressed", n)
		}
		log.Warn(msg, args...)
	}
}

// limitHandler is a slog.Handler that passes at most one record per
// message per period (for sipgo's own logs, whose count the network
// controls: a parse error logs the datagram).
type limitHandler struct {
	h   slog.Handler
	lim *limiter
}

func (l limitHandler) Enabled(ctx context.Context, lv slog.Level) bool { return l.h.Enabled(ctx, lv) }

func (l limitHandler) Handle(ctx context.Context, r slog.Record) error {
	ok, n := l.lim.allow("sipgo: " + r.Message)
	if !ok {
		return nil
	}
	if n > 0 {
		r.AddAttrs(slog.Int("suppressed", n))
	}
	// Never the raw message: it may be large, and it is the sender's.
	var keep []slog.Attr
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "data" && a.Key != "msg" {
			keep = append(keep, a)
		}
		return true
	})
	nr := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	nr.AddAttrs(keep...)
	return l.h.Handle(ctx, nr)
}

func (l limitHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return limitHandler{h: l.h.WithAttrs(as), lim: l.lim}
}

func (l limitHandler) WithGroup(name string) slog.Handler {
	return limitHandler{h: l.h.WithGroup(name), lim: l.lim}
}
