package sntp

import (
	"context"
	"fmt"
	"net"
	"time"
)

// DefaultPort is NTP's UDP port.
const DefaultPort = "123"

// Result is one query's answer.
type Result struct {
	// Server is the address answered from.
	Server string
	// Offset is how far the local clock is behind the server's: the
	// correct time is local time + Offset (RFC 4330 §5).
	Offset time.Duration
	// Delay is the round-trip delay.
	Delay   time.Duration
	Stratum uint8
}

// Client queries SNTP servers. The zero value uses the system clock and
// the standard dialer.
type Client struct {
	// Now is the local clock read for the originate and destination
	// timestamps; nil means time.Now.
	Now func() time.Time
	// Dial opens the UDP socket to the server; nil means net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds one query; 0 means 5 s.
	Timeout time.Duration
}

// Query asks server (HOST or HOST:PORT) for the time once.
func (c *Client) Query(ctx context.Context, server string) (Result, error) {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	dial := c.Dial
	if dial == nil {
		dial = new(net.Dialer).DialContext
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, DefaultPort)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := dial(ctx, "udp", server)
	if err != nil {
		return Result{}, fmt.Errorf("sntp %s: %w", server, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var req Packet
	req.Version, req.Mode = 4, ModeClient
	t1 := now()
	req.Transmit = NewTimestamp(t1)
	var buf [512]byte
	req.MarshalTo(buf[:])
	if _, err := conn.Write(buf[:Size]); err != nil {
		return Result{}, fmt.Errorf("sntp %s: %w", server, err)
	}
	for {
		n, err := conn.Read(buf[:])
		if err != nil {
			return Result{}, fmt.Errorf("sntp %s: %w", server, err)
		}
		t4 := now()
		r, err := Check(buf[:n], req.Transmit, t1, t4)
		if err != nil {
			// A stray or forged datagram: keep waiting for the
			// answer until the deadline (RFC 4330 §5 discards it).
			if ctx.Err() != nil {
				return Result{}, fmt.Errorf("sntp %s: %w", server, err)
			}
			continue
		}
		r.Server = conn.RemoteAddr().String()
		return r, nil
	}
}

// Check decodes a reply to the request sent at t1 with transmit
// timestamp sent, received at t4, and computes the offset and delay (RFC
// 4330 §5). It is the whole of the reply's handling, for the fuzz target.
func Check(b []byte, sent Timestamp, t1, t4 time.Time) (Result, error) {
	var p Packet
	if err := p.Unmarshal(b); err != nil {
		return Result{}, err
	}
	switch {
	case p.Mode != ModeServer:
		return Result{}, fmt.Errorf("%w: mode %d, want %d", ErrReply, p.Mode, ModeServer)
	case p.Version < 3 || p.Version > 4:
		return Result{}, fmt.Errorf("%w: version %d", ErrReply, p.Version)
	case p.Originate != sent:
		return Result{}, fmt.Errorf("%w: originate timestamp is not the request's", ErrReply)
	case p.Stratum == 0:
		return Result{}, fmt.Errorf("%w: code %q", ErrKissOfDeath, refID(p.ReferenceID))
	case p.Stratum > 15:
		return Result{}, fmt.Errorf("%w: stratum %d", ErrReply, p.Stratum)
	case p.Leap == LeapNotSynchronized:
		return Result{}, fmt.Errorf("%w: the server's clock is not synchronized", ErrReply)
	case p.Transmit == 0:
		return Result{}, fmt.Errorf("%w: no transmit timestamp", ErrReply)
	}
	t2, t3 := p.Receive.Time(), p.Transmit.Time()
	offset := (t2.Sub(t1) + t3.Sub(t4)) / 2
	delay := t4.Sub(t1) - t3.Sub(t2)
	if delay < 0 {
		delay = 0
	}
	return Result{Offset: offset, Delay: delay, Stratum: p.Stratum}, nil
}

func refID(id uint32) string {
	b := []byte{byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '.'
		}
	}
	return string(b)
}
