package media

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// pair makes two sessions, a offering codecs ca and b answering with cb.
func pair(t testing.TB, ca, cb []uint8) (*Session, *Session) {
	t.Helper()
	a, err := New(Config{Addr: loopback, PortMin: 30000, PortMax: 30999, Codecs: ca})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{Addr: loopback, PortMin: 30000, PortMax: 30999, Codecs: cb})
	if err != nil {
		t.Fatal(err)
	}
	offer, err := a.Offer()
	if err != nil {
		t.Fatal(err)
	}
	answer, err := b.Answer(offer)
	if err != nil {
		t.Fatalf("Answer(%s): %v", offer, err)
	}
	if err := a.Accept(answer); err != nil {
		t.Fatalf("Accept(%s): %v", answer, err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// Offer/answer picks the answerer's preferred codec among the offered
// ones, and both sides agree on it and on telephone-event.
func TestNegotiate(t *testing.T) {
	for _, c := range []struct {
		name   string
		ca, cb []uint8
		want   uint8
	}{
		{"GSM passthrough", nil, nil, rtp.PTGSM},
		{"PCMA", nil, []uint8{rtp.PTPCMA, rtp.PTPCMU}, rtp.PTPCMA},
		{"PCMU", []uint8{rtp.PTPCMU, rtp.PTGSM}, []uint8{rtp.PTPCMA, rtp.PTPCMU}, rtp.PTPCMU},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := pair(t, c.ca, c.cb)
			pa, ea, oka := a.Codec()
			pb, eb, okb := b.Codec()
			if !oka || !okb || pa != c.want || pb != c.want || ea != DefaultEventPT || eb != DefaultEventPT {
				t.Errorf("codecs %d/%d (events %d/%d), want %d/%d", pa, pb, ea, eb, c.want, DefaultEventPT)
			}
		})
	}
	a, _ := New(Config{Addr: loopback, Codecs: []uint8{rtp.PTGSM}})
	b, _ := New(Config{Addr: loopback, Codecs: []uint8{rtp.PTPCMA}})
	defer a.Close()
	defer b.Close()
	offer, _ := a.Offer()
	if _, err := b.Answer(offer); err == nil {
		t.Error("Answer with no common codec succeeded")
	}
}

// Speech frames put on one session's port arrive on the other's.
func TestSmoke(t *testing.T) {
	a, b := pair(t, nil, []uint8{rtp.PTPCMA})
	pa, pb := rsl.NewSpeechPort(), rsl.NewSpeechPort()
	if err := a.Start(pa); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(pb); err != nil {
		t.Fatal(err)
	}
	var f rsl.SpeechFrame
	got := 0
	for i := 0; i < 50; i++ {
		pa.Up.Put(&f)
		time.Sleep(20 * time.Millisecond)
		for pb.Down.Get(&f) {
			got++
		}
	}
	if got < 30 {
		t.Errorf("got %d frames, want ≥ 30; stats a %+v\nb %+v", got, a.Stats(), b.Stats())
	}
}

// Close frees both ports: they can be bound again at once.
func TestCloseFreesPorts(t *testing.T) {
	s, err := New(Config{Addr: loopback, PortMin: 31000, PortMax: 31003})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(Config{Addr: loopback, PortMin: 31000, PortMax: 31003})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Addr: loopback, PortMin: 31000, PortMax: 31003}); err == nil {
		t.Error("a third session found a port in a range of two pairs")
	}
	addr := s.LocalAddr()
	s.Close()
	s2.Close()
	for _, p := range []uint16{addr.Port(), addr.Port() + 1} {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, p)))
		if err != nil {
			t.Errorf("port %d still bound after Close: %v", p, err)
			continue
		}
		c.Close()
	}
}

// A bad Config is refused with ErrConfig: no address, an unspecified
// address with no External for SDP, a codec we do not speak, a static
// telephone-event type, a port range without a pair.
func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{},
		{Addr: netip.IPv4Unspecified()},
		{Addr: loopback, Codecs: []uint8{18}},
		{Addr: loopback, EventPT: 8},
		{Addr: loopback, PortMin: 5001, PortMax: 5002},
	} {
		if s, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", c, err)
			if s != nil {
				s.Close()
			}
		}
	}
	s, err := New(Config{Addr: netip.IPv4Unspecified(), External: netip.MustParseAddr("192.0.2.7"), PortMin: 37000, PortMax: 37999})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	offer, _ := s.Offer()
	if !strings.Contains(string(offer), "c=IN IP4 192.0.2.7") {
		t.Errorf("offer does not carry the external address:\n%s", offer)
	}
}
