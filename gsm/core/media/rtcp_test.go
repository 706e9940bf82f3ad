package media

import (
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// Over 10 s of the clock both sides send RTCP sender reports, each takes
// the other's report on its own stream (no loss), and Close sends a BYE.
func TestRTCP(t *testing.T) {
	a, b, clk := fakePair(t, []uint8{rtp.PTPCMU})
	pa, pb := rsl.NewSpeechPort(), rsl.NewSpeechPort()
	a.SetPort(pa)
	b.SetPort(pb)
	var f rsl.SpeechFrame
	for i := 0; i < 500; i++ {
		pa.Up.Put(&f)
		pb.Up.Put(&f)
		clk.step(t, 2)
		if i%50 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	time.Sleep(20 * time.Millisecond)
	for _, s := range []*Session{a, b} {
		st := s.Stats()
		if st.RTCPSent == 0 || st.RTCPReceived == 0 || st.RTCPBad != 0 {
			t.Errorf("RTCP sent %d received %d bad %d, want some both ways", st.RTCPSent, st.RTCPReceived, st.RTCPBad)
		}
		if st.RemoteLost != 0 || st.RemoteFractionLost != 0 {
			t.Errorf("the peer reports %d lost (%d/256) on a clean link", st.RemoteLost, st.RemoteFractionLost)
		}
	}
	a.Close()
	deadline := time.Now().Add(2 * time.Second)
	for !b.Stats().Bye && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !b.Stats().Bye {
		t.Error("no RTCP BYE after Close")
	}
}

// With Latch, a peer whose RTP comes from another port than its SDP
// says (behind NAT) gets our RTP there; without it, its RTP is foreign.
func TestLatch(t *testing.T) {
	for _, latch := range []bool{true, false} {
		s, err := New(Config{Addr: loopback, PortMin: 36000, PortMax: 36999, Codecs: []uint8{rtp.PTPCMA}, Latch: latch})
		if err != nil {
			t.Fatal(err)
		}
		peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		// The SDP names a port nobody listens on.
		if _, err := s.Answer([]byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 8\r\n")); err != nil {
			t.Fatal(err)
		}
		port := rsl.NewSpeechPort()
		s.Start(port)
		pk, _ := rtp.NewPacketizer(rtp.PTPCMA, 3, 0, 0)
		buf := make([]byte, 400)
		for i := 0; i < 5; i++ {
			n, _ := pk.Packetize(buf, make([]byte, 160))
			peer.WriteToUDPAddrPort(buf[:n], s.LocalAddr())
		}
		var f rsl.SpeechFrame
		for i := 0; i < 10; i++ {
			port.Up.Put(&f)
			time.Sleep(20 * time.Millisecond)
		}
		peer.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, _, err := peer.ReadFromUDPAddrPort(buf)
		got := err == nil && n > rtp.HeaderSize
		st := s.Stats()
		if got != latch || (st.Foreign == 0) == !latch {
			t.Errorf("latch %v: RTP back to the source %v, foreign %d", latch, got, st.Foreign)
		}
		s.Close()
		peer.Close()
	}
}

// A started session's goroutines end with Close.
func TestCloseEndsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	a, b := pair(t, nil, nil)
	a.Start(rsl.NewSpeechPort())
	b.Start(rsl.NewSpeechPort())
	time.Sleep(50 * time.Millisecond)
	a.Close()
	b.Close()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
	if _, ok := <-a.DTMF(); ok {
		t.Error("DTMF channel open after Close")
	}
}
