package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
)

// Hostile or foreign RTP is dropped and counted, and never reaches the
// jitter buffer: a huge datagram, another source address, a payload type
// not negotiated, a foreign SSRC, a malformed header.
func TestHostileRTP(t *testing.T) {
	s := &Session{cfg: Config{Codecs: []uint8{rtp.PTPCMA}}, dtmf: make(chan DTMF, 16)}
	s.cfg.defaults()
	remote := netip.MustParseAddrPort("10.0.0.1:4000")
	s.apply(negotiated{ok: true, pt: rtp.PTPCMA, eventPT: DefaultEventPT, send: true, remote: remote})
	pk, _ := rtp.NewPacketizer(rtp.PTPCMA, 1, 100, 0)
	buf := make([]byte, 2000)
	now := time.Unix(0, 0)
	good := func() []byte {
		n, _ := pk.Packetize(buf, make([]byte, 160))
		return buf[:n]
	}
	s.receive(good(), remote, now) // locks SSRC 1
	s.receive(make([]byte, MaxDatagram+1), remote, now)
	s.receive(good(), netip.MustParseAddrPort("10.0.0.9:4000"), now)
	p := good()
	p[1] = 18 // PT 18 (G.729), not negotiated
	s.receive(p, remote, now)
	p = good()
	p[8] = 0xEE // another SSRC
	s.receive(p, remote, now)
	s.receive([]byte{0x40, 8, 0}, remote, now)
	st := s.Stats()
	if st.Oversize != 1 || st.Foreign != 1 || st.WrongPT != 1 || st.WrongSSRC != 1 || st.Malformed != 1 || st.PacketsReceived != 1 {
		t.Errorf("stats %+v: want one of each dropped and one received", st)
	}
	if d := s.jb.depth(); d != 1 {
		t.Errorf("jitter buffer depth %d, want 1 (only the good packet)", d)
	}
}
