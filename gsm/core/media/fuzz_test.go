package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
)

const offerExample = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
	"m=audio 4000 RTP/AVP 0 8 3 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"

// parseSDP never panics, and what it accepts is usable: a unicast
// address, a port, at least one codec we speak.
func FuzzParseSDP(f *testing.F) {
	f.Add([]byte(offerExample))
	f.Add([]byte("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 3\r\nc=IN IP6 ::1\r\na=recvonly\r\na=rtcp:9\r\n"))
	f.Add([]byte("v=0\r\ns=-\r\nm=audio 0 RTP/AVP 8\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseSDP(b)
		if err != nil {
			return
		}
		if !r.addr.IsValid() || r.addr.Port() == 0 || len(r.pts) == 0 || r.addr.Addr().IsMulticast() {
			t.Errorf("accepted %q as %+v", b, r)
		}
		for _, pt := range r.pts {
			if _, err := rtp.FormatOf(pt); err != nil {
				t.Errorf("accepted codec %d", pt)
			}
		}
	})
}

// Whatever arrives on the RTP port, from the peer's address, is checked
// and filed without a panic, and the jitter buffer stays within bounds.
func FuzzReceive(f *testing.F) {
	var pk rtp.Packetizer
	p, _ := rtp.NewPacketizer(rtp.PTPCMA, 1, 2, 3)
	pk = *p
	buf := make([]byte, 400)
	n, _ := pk.Packetize(buf, make([]byte, 160))
	f.Add(buf[:n], uint16(0))
	n, _ = pk.PacketizeEvent(buf, DefaultEventPT, 3, true, &rtp.TelephoneEvent{Event: 5, Duration: 160})
	f.Add(buf[:n], uint16(5))
	f.Add([]byte{0x80, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, pops uint16) {
		s := &Session{cfg: Config{Codecs: []uint8{rtp.PTPCMA}, JitterMin: 40 * time.Millisecond, JitterMax: 300 * time.Millisecond},
			dtmf: make(chan DTMF, 16)}
		s.cfg.defaults()
		remote := netip.MustParseAddrPort("10.0.0.1:4000")
		s.apply(negotiated{ok: true, pt: rtp.PTPCMA, eventPT: DefaultEventPT, send: true, remote: remote})
		now := time.Unix(0, 0)
		var dst [slotBytes]byte
		for i := 0; i < 3; i++ {
			s.receive(b, remote, now)
			now = now.Add(Ptime)
			for range pops % 8 {
				s.jb.pop(dst[:s.jb.frameBytes])
			}
			if d := s.jb.depth(); d > jbSlots {
				t.Fatalf("buffer depth %d beyond its %d slots", d, jbSlots)
			}
		}
		s.Stats()
	})
}

// Whatever RTCP arrives is decoded (pion/rtcp) and taken without a
// panic, and the report fields we compute stay sane.
func FuzzRTCP(f *testing.F) {
	f.Add([]byte{0x81, 200, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x81, 203, 0, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &Session{dtmf: make(chan DTMF, 1)}
		s.ssrc = 2
		s.recv.locked, s.recv.ssrc = true, 1
		s.handleRTCP(b, time.Unix(5000, 0))
		if st := s.Stats(); st.RTCPReceived+st.RTCPBad != 1 || st.RTT < 0 {
			t.Errorf("stats %+v", st)
		}
	})
}
