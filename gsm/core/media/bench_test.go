package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// benchSession is a session on a PCMA or GSM call whose peer is a plain
// UDP socket, driven by hand (no loop goroutine).
func benchSession(b *testing.B, pt uint8) (*Session, *rsl.SpeechPort, netip.AddrPort) {
	s, err := New(Config{Addr: loopback, PortMin: 33000, PortMax: 33999, Codecs: []uint8{pt}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	peer := netip.MustParseAddrPort("127.0.0.1:9") // discard
	if err := s.apply(negotiated{ok: true, pt: pt, eventPT: DefaultEventPT, send: true, remote: peer}); err != nil {
		b.Fatal(err)
	}
	port := rsl.NewSpeechPort()
	s.port = port
	s.codec.reset(pt)
	return s, port, peer
}

// One transcoded call for 20 ms, both directions: an uplink frame FR →
// G.711 → RTP out (a real UDP send), and an RTP packet in → jitter
// buffer → G.711 → FR → the port. The cost per op is the CPU one call
// needs every 20 ms.
func BenchmarkCallFrame(b *testing.B) {
	for _, c := range []struct {
		name string
		pt   uint8
	}{{"PCMA", rtp.PTPCMA}, {"GSM", rtp.PTGSM}} {
		b.Run(c.name, func(b *testing.B) {
			s, port, peer := benchSession(b, c.pt)
			pk, _ := rtp.NewPacketizer(c.pt, 77, 1, 1)
			payload := make([]byte, frameBytesOf(c.pt))
			if c.pt == rtp.PTGSM {
				payload[0] = 0xD0
			}
			for i := range payload[1:] {
				payload[i+1] = byte(i * 37)
			}
			pkt := make([]byte, 400)
			var f rsl.SpeechFrame
			for i := range f.Bits {
				f.Bits[i] = byte(i*7>>2) & 1
			}
			now := time.Unix(0, 0)
			b.ReportAllocs()
			for b.Loop() {
				port.Up.Put(&f)
				n, _ := pk.Packetize(pkt, payload)
				s.receive(pkt[:n], peer, now)
				now = now.Add(Ptime)
				s.tick()
				port.Down.Get(&f)
			}
			st := s.Stats()
			if st.UplinkFrames == 0 || st.PacketsReceived == 0 {
				b.Fatalf("nothing moved: %+v", st)
			}
		})
	}
}
