package sntp

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

func TestTimestampRoundTrip(t *testing.T) {
	for _, s := range []string{"1970-01-01T00:00:00Z", "2026-12-07T20:00:00.5Z", "2036-02-07T06:28:15Z", "2036-02-07T06:28:16Z", "2040-01-01T00:00:00.25Z"} {
		want, _ := time.Parse(time.RFC3339Nano, s)
		got := NewTimestamp(want).Time()
		if d := got.Sub(want); d > time.Microsecond || d < -time.Microsecond {
			t.Errorf("NewTimestamp(%s).Time() = %s", want, got)
		}
	}
	// RFC 4330 §3: 1900-01-01 is 0 in era 0 but reads as era 1.
	if got := NewTimestamp(time.Date(2036, 2, 7, 6, 28, 16, 0, time.UTC)); got>>32 != 0 {
		t.Errorf("era 1 starts at seconds %d, want 0", got>>32)
	}
}

func TestPacketRoundTrip(t *testing.T) {
	p := Packet{Leap: 1, Version: 4, Mode: ModeServer, Stratum: 2, Poll: 6, Precision: -20,
		RootDelay: 0x10, RootDispersion: 0x20, ReferenceID: 0x7f000001,
		Reference: 1, Originate: 2, Receive: 3, Transmit: 4}
	var b [Size]byte
	if n, err := p.MarshalTo(b[:]); n != Size || err != nil {
		t.Fatalf("MarshalTo = %d, %v", n, err)
	}
	if b[0] != 0x64 {
		t.Errorf("first byte = %#x, want 0x64 (LI 1, VN 4, mode 4)", b[0])
	}
	var q Packet
	if err := q.Unmarshal(b[:]); err != nil || q != p {
		t.Errorf("Unmarshal = %+v, %v; want %+v", q, err, p)
	}
	if err := q.Unmarshal(b[:47]); !errors.Is(err, ErrShort) {
		t.Errorf("Unmarshal(47 bytes) = %v, want ErrShort", err)
	}
}

func reply(mut func(*Packet)) (b []byte, sent Timestamp, t1, t4 time.Time) {
	t1 = time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	t4 = t1.Add(100 * time.Millisecond)
	sent = NewTimestamp(t1)
	// The server is 10 s ahead; 20 ms in the server between receive and send.
	p := Packet{Version: 4, Mode: ModeServer, Stratum: 1, Originate: sent,
		Receive:  NewTimestamp(t1.Add(10*time.Second + 40*time.Millisecond)),
		Transmit: NewTimestamp(t1.Add(10*time.Second + 60*time.Millisecond))}
	if mut != nil {
		mut(&p)
	}
	b = make([]byte, Size)
	p.MarshalTo(b)
	return
}

func TestCheck(t *testing.T) {
	b, sent, t1, t4 := reply(nil)
	r, err := Check(b, sent, t1, t4)
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Offset - 10*time.Second; d > time.Microsecond || d < -time.Microsecond {
		t.Errorf("Offset = %v, want 10s", r.Offset)
	}
	if d := r.Delay - 80*time.Millisecond; d > time.Microsecond || d < -time.Microsecond {
		t.Errorf("Delay = %v, want 80ms", r.Delay)
	}
	for name, tc := range map[string]struct {
		mut  func(*Packet)
		want error
	}{
		"client mode":      {func(p *Packet) { p.Mode = ModeClient }, ErrReply},
		"forged originate": {func(p *Packet) { p.Originate++ }, ErrReply},
		"kiss-o'-death":    {func(p *Packet) { p.Stratum = 0 }, ErrKissOfDeath},
		"stratum 16":       {func(p *Packet) { p.Stratum = 16 }, ErrReply},
		"unsynchronized":   {func(p *Packet) { p.Leap = LeapNotSynchronized }, ErrReply},
		"no transmit":      {func(p *Packet) { p.Transmit = 0 }, ErrReply},
		"version 2":        {func(p *Packet) { p.Version = 2 }, ErrReply},
	} {
		b, sent, t1, t4 := reply(tc.mut)
		if _, err := Check(b, sent, t1, t4); !errors.Is(err, tc.want) {
			t.Errorf("%s: Check = %v, want %v", name, err, tc.want)
		}
	}
}

// The client against the server over loopback UDP: the server's clock
// is an hour ahead.
func TestQueryServer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback UDP:", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&Server{Now: func() time.Time { return time.Now().Add(time.Hour) }, Stratum: 2}).Serve(ctx, pc)
	}()
	defer func() { cancel(); <-done }()
	r, err := (&Client{}).Query(ctx, pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Offset - time.Hour; d > time.Second || d < -time.Second || r.Stratum != 2 {
		t.Errorf("Query = %+v, want offset 1h, stratum 2", r)
	}

	kod, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go (&Server{Stratum: 0}).Serve(ctx, kod)
	if _, err := (&Client{Timeout: 300 * time.Millisecond}).Query(ctx, kod.LocalAddr().String()); err == nil {
		t.Error("Query of a kiss-o'-death server = nil error")
	}
}
