package lapdm

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// steady is a network and an MS entity on a FACCH/F exchanging 40-octet
// messages both ways without end: each step is one block each way.
type steady struct {
	net, ms *Entity
	fn      tdma.FN
	b       [BlockLen]byte
	msg     [40]byte
	got     int
}

func newSteady(tb testing.TB) *steady {
	s := &steady{}
	var err error
	if s.net, err = NewEntity(Config{Side: Network, SAPI: 0, Channel: FACCHF}); err != nil {
		tb.Fatal(err)
	}
	if s.ms, err = NewEntity(Config{Side: MS, SAPI: 0, Channel: FACCHF}); err != nil {
		tb.Fatal(err)
	}
	s.ms.Establish(luReq)
	for range 8 {
		s.step()
	}
	if s.net.State() != StateEstablished || s.ms.State() != StateEstablished {
		tb.Fatal("not established")
	}
	return s
}

func (s *steady) step() {
	if s.net.state == StateEstablished && s.net.txN == 0 {
		s.net.Send(s.msg[:])
	}
	if s.ms.state == StateEstablished && s.ms.txN == 0 {
		s.ms.Send(s.msg[:])
	}
	s.net.Tick(s.fn)
	s.ms.Tick(s.fn)
	if s.net.Next(s.fn, &s.b) {
		for _, i := range s.ms.Receive(s.fn, s.b[:]) {
			if i.Kind == DataInd {
				s.got++
			}
		}
	}
	if s.ms.Next(s.fn, &s.b) {
		for _, i := range s.net.Receive(s.fn, s.b[:]) {
			if i.Kind == DataInd {
				s.got++
			}
		}
	}
	s.fn = s.fn.Add(4)
}

// BenchmarkSteadyState measures one block each way (Tick, Next, Receive on
// both entities) with acknowledged traffic flowing in both directions.
func BenchmarkSteadyState(b *testing.B) {
	s := newSteady(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.step()
	}
	b.ReportMetric(float64(s.got)/float64(b.N), "msgs/op")
}

func BenchmarkNextIdle(b *testing.B) {
	e, _ := NewEntity(Config{Side: Network, SAPI: 0, Channel: SDCCH})
	var blk [BlockLen]byte
	b.ReportAllocs()
	for i := range b.N {
		e.Tick(tdma.FN(i))
		if e.Next(tdma.FN(i), &blk) {
			b.Fatal("idle entity sent a frame")
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	blk, _ := hexBlock(frameVectors[2].hex)
	var f Frame
	b.ReportAllocs()
	for range b.N {
		if err := f.Unmarshal(blk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalTo(b *testing.B) {
	f := frameVectors[2].f
	var blk [BlockLen]byte
	b.ReportAllocs()
	for range b.N {
		if _, err := f.MarshalTo(blk[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// TestZeroAlloc: the per-block path allocates nothing in steady state.
func TestZeroAlloc(t *testing.T) {
	s := newSteady(t)
	before := s.got
	if n := testing.AllocsPerRun(200, s.step); n != 0 {
		t.Errorf("allocations per block = %v, want 0", n)
	}
	if s.got == before {
		t.Error("no message delivered during the allocation test")
	}
	l := newLink(t, Network, SDCCH)
	var b [BlockLen]byte
	fill := [BlockLen]byte{0x01, 0x03, 0x01}
	if n := testing.AllocsPerRun(100, func() {
		l.Tick(0)
		l.NextMain(0, &b)
		l.NextSACCH(0, &b)
		l.ReceiveMain(0, fill[:])
		l.ReceiveSACCH(0, b[:])
	}); n != 0 {
		t.Errorf("Link allocations per block = %v, want 0", n)
	}
}

// BenchmarkLinkIdleBlock is the cost of a dedicated channel with nothing
// to send: Tick and the main-channel and SACCH Next calls.
func BenchmarkLinkIdleBlock(b *testing.B) {
	l, _ := NewLink(Network, SDCCH)
	var blk [BlockLen]byte
	b.ReportAllocs()
	for i := range b.N {
		fn := tdma.FN(i)
		l.Tick(fn)
		l.NextMain(fn, &blk)
		l.NextSACCH(fn, &blk)
	}
}
