package l1_test

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// uplinkBursts encodes msg the way a phone does (coding.EncodeXCCH, normal
// bursts with the cell's TSC) and places the four bursts on the uplink
// positions of ch, found by scanning the uplink table from frame from.
func uplinkBursts(t testing.TB, cfg *l1.Config, ch l1.Chan, from tdma.FN, msg *[23]byte) [4]tdma.RxBurst {
	t.Helper()
	var enc [4][116]byte
	coding.EncodeXCCH(&enc, msg)
	var out [4]tdma.RxBurst
	n := 0
	for fn := from; n < 4 && fn.Sub(from) < 2*104; fn = fn.Add(1) {
		s := cfg.Slots[ch.TN].Uplink(ch.TN, fn)
		if s.Chan != ch || int(s.Burst) != n {
			continue
		}
		var b tdma.Burst
		tdma.Normal(&b, &enc[n], cfg.TSC())
		rx := tdma.RxBurst{FN: fn, TN: ch.TN, Kind: tdma.KindNormal, TSC: cfg.TSC(), RSSI: -60 - float32(n), ToA: 1.5, CI: 20}
		for i, v := range b {
			rx.Soft[i] = 90
			if v != 0 {
				rx.Soft[i] = -90
			}
		}
		out[n] = rx
		n++
	}
	if n != 4 {
		t.Fatalf("no uplink block of %v from FN %d", ch, from)
	}
	return out
}

func testMsg(tag byte) [23]byte {
	m := l1.FillFrame
	m[0], m[3] = tag, tag
	return m
}

// Round trip: a block encoded onto the uplink positions of each dedicated
// channel type comes out of the Uplink on the right channel with its FN and
// measurements.
func TestUplinkRoundTrip(t *testing.T) {
	tests := []struct {
		ch    l1.Chan
		from  tdma.FN
		start tdma.FN
	}{
		{l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 2}, 0, 47},
		{l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 3}, 0, 0},
		{l1.Chan{Kind: l1.ChanSACCHC4, TN: 0, Sub: 0}, 0, 51 + 6},
		{l1.Chan{Kind: l1.ChanSACCHC4, TN: 0, Sub: 3}, 0, 10},
		{l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 5}, 0, 35},
		{l1.Chan{Kind: l1.ChanSACCHC8, TN: 1, Sub: 1}, 0, 51},
		{l1.Chan{Kind: l1.ChanSACCHC8, TN: 1, Sub: 0}, 0, 47},
		{l1.Chan{Kind: l1.ChanSACCHTF, TN: 2}, 0, 38},
		{l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 1}, tdma.HyperFrame - 51, tdma.HyperFrame - 51 + 41},
	}
	for _, tt := range tests {
		t.Run(tt.ch.String(), func(t *testing.T) {
			cfg := cfgV()
			var tap l1test.Tap
			cfg.Tap = tap.Func()
			sink := &l1test.Sink{}
			ul, err := l1.NewUplink(cfg, sink)
			if err != nil {
				t.Fatal(err)
			}
			msg := testMsg(byte(tt.ch.Kind)<<4 | tt.ch.Sub)
			bursts := uplinkBursts(t, &cfg, tt.ch, tt.from, &msg)
			for i := range bursts {
				ul.Burst(&bursts[i])
			}
			if len(sink.Blocks) != 1 {
				t.Fatalf("%d blocks delivered, want 1", len(sink.Blocks))
			}
			b := sink.Blocks[0]
			if !b.Good || b.Msg != msg || b.Chan != tt.ch || b.FN != tt.start || b.Bursts != 4 {
				t.Errorf("UplinkBlock = %v good=%v FN %d bursts %d msg % x, want %v FN %d msg % x",
					b.Chan, b.Good, b.FN, b.Bursts, b.Msg[:4], tt.ch, tt.start, msg[:4])
			}
			if b.Quality.BitErrors != 0 || b.Quality.Bits != 456 {
				t.Errorf("Quality = %+v, want 0 of 456", b.Quality)
			}
			if b.RSSI != -61.5 || b.ToA != 1.5 || b.CI != 20 {
				t.Errorf("RSSI, ToA, CI = %v, %v, %v, want -61.5, 1.5, 20", b.RSSI, b.ToA, b.CI)
			}
			if len(tap.Events) != 1 || !tap.Events[0].Uplink || tap.Events[0].Chan != tt.ch || string(tap.Events[0].Data) != string(msg[:]) {
				t.Errorf("tap = %+v", tap.Events)
			}
		})
	}
}

// Lost bursts: reported as KindNone (erasures), or not reported at all.
func TestUplinkLostBursts(t *testing.T) {
	ch := l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 3}
	tests := []struct {
		name   string
		drop   [4]bool // replaced by KindNone
		skip3  bool    // burst 3 never reported; the next block flushes
		good   bool
		bursts int
	}{
		{"all", [4]bool{}, false, true, 4},
		{"one erased", [4]bool{false, true, false, false}, false, true, 3},
		{"three erased", [4]bool{true, true, false, true}, false, false, 1},
		{"all erased", [4]bool{true, true, true, true}, false, false, 0},
		{"last never reported", [4]bool{}, true, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := cfgV()
			sink := &l1test.Sink{}
			ul, _ := l1.NewUplink(cfg, sink)
			msg := testMsg(0x42)
			bursts := uplinkBursts(t, &cfg, ch, 0, &msg)
			for i := range bursts {
				if tt.skip3 && i == 3 {
					continue
				}
				if tt.drop[i] {
					bursts[i].Kind = tdma.KindNone
					clear(bursts[i].Soft[:])
				}
				ul.Burst(&bursts[i])
			}
			if tt.skip3 {
				if len(sink.Blocks) != 0 {
					t.Fatalf("block delivered before it was complete")
				}
				next := uplinkBursts(t, &cfg, ch, 51, &msg)
				ul.Burst(&next[0])
			}
			if len(sink.Blocks) != 1 {
				t.Fatalf("%d blocks delivered, want 1", len(sink.Blocks))
			}
			b := sink.Blocks[0]
			if b.Good != tt.good || b.Bursts != tt.bursts || (tt.good && b.Msg != msg) {
				t.Errorf("UplinkBlock good=%v bursts=%d, want %v, %d", b.Good, b.Bursts, tt.good, tt.bursts)
			}
			if tt.good && b.Quality.BitErrors == 0 && tt.bursts < 4 {
				t.Errorf("Quality = %+v with erased bursts, want errors counted", b.Quality)
			}
		})
	}
}

// Noise decodes as a bad block and is not tapped.
func TestUplinkNoise(t *testing.T) {
	cfg := cfgV()
	var tap l1test.Tap
	cfg.Tap = tap.Func()
	sink := &l1test.Sink{}
	ul, _ := l1.NewUplink(cfg, sink)
	r := rand.New(rand.NewPCG(1, 2))
	for fn := tdma.FN(0); fn < 102; fn++ {
		rx := tdma.RxBurst{FN: fn, TN: 1, Kind: tdma.KindNormal}
		for i := range rx.Soft {
			rx.Soft[i] = int8(r.IntN(255) - 127)
		}
		ul.Burst(&rx)
	}
	if len(sink.Blocks) != 24 {
		t.Errorf("%d blocks from 102 frames of SDCCH/8, want 24 (16 SDCCH + 8 SACCH, less the 3 idle frames)", len(sink.Blocks))
	}
	for _, b := range sink.Blocks {
		if b.Good {
			t.Errorf("noise decoded as good block on %v", b.Chan)
		}
	}
	if len(tap.Events) != 0 {
		t.Errorf("bad blocks tapped: %d", len(tap.Events))
	}
}

func accessBurst(fn tdma.FN, ra uint8, bsic tdma.BSIC) tdma.RxBurst {
	var d [tdma.AccessDataBits]byte
	coding.EncodeRACH(&d, ra, bsic)
	var b tdma.Burst
	tdma.Access(&b, &d)
	rx := tdma.RxBurst{FN: fn, TN: 0, Kind: tdma.KindAccess, RSSI: -70, ToA: 3.25, CI: 15}
	for i, v := range b {
		rx.Soft[i] = 100
		if v != 0 {
			rx.Soft[i] = -100
		}
	}
	return rx
}

// Access bursts decode on RACH positions only (TS 45.002 clause 7 Table 3)
// and only with the cell's BSIC.
func TestUplinkRACH(t *testing.T) {
	tests := []struct {
		name string
		comb l1.Combination
		fn   tdma.FN
		bsic tdma.BSIC
		want bool
	}{
		{"V rach 4", l1.CombV, 4, testBSIC, true},
		{"V rach 36", l1.CombV, 51 + 36, testBSIC, true},
		{"V rach 46", l1.CombV, 46, testBSIC, true},
		{"V sdcch 0", l1.CombV, 0, testBSIC, false},
		{"V sacch 7", l1.CombV, 7, testBSIC, false},
		{"V sdcch 37", l1.CombV, 37, testBSIC, false},
		{"IV any", l1.CombIV, 37, testBSIC, true},
		{"V other BSIC", l1.CombV, 20, tdma.BSIC{NCC: 3, BCC: 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := cfgV()
			cfg.Slots[0] = tt.comb
			var tap l1test.Tap
			cfg.Tap = tap.Func()
			sink := &l1test.Sink{}
			ul, err := l1.NewUplink(cfg, sink)
			if err != nil {
				t.Fatal(err)
			}
			rx := accessBurst(tt.fn, 0x8a, tt.bsic)
			ul.Burst(&rx)
			if !tt.want {
				if len(sink.Access) != 0 {
					t.Errorf("access burst delivered: %+v", sink.Access)
				}
				return
			}
			if len(sink.Access) != 1 {
				t.Fatalf("%d access bursts delivered, want 1", len(sink.Access))
			}
			a := sink.Access[0]
			if a.RA != 0x8a || a.FN != tt.fn || a.ToA != 3.25 || a.RSSI != -70 || a.Chan.Kind != l1.ChanRACH {
				t.Errorf("AccessBurst = %+v", a)
			}
			if len(tap.Events) != 1 || tap.Events[0].Data[0] != 0x8a {
				t.Errorf("tap = %+v", tap.Events)
			}
		})
	}
}

// BenchmarkBurst routes and decodes one received burst per op, cycling
// through 102 frames of TN0 (combination V, access bursts on the RACH),
// TN1 (SDCCH/8) and TN2 (TCH/F): a block decode every fourth burst.
func BenchmarkBurst(b *testing.B) {
	cfg := cfgV()
	ul, err := l1.NewUplink(cfg, nullSink{})
	if err != nil {
		b.Fatal(err)
	}
	var rx [3 * 102]tdma.RxBurst
	msg := testMsg(1)
	var enc [4][116]byte
	coding.EncodeXCCH(&enc, &msg)
	for fn := 0; fn < 102; fn++ {
		for tn := 0; tn < 3; tn++ {
			r := &rx[3*fn+tn]
			s := cfg.Slots[tn].Uplink(tdma.TN(tn), tdma.FN(fn))
			r.FN, r.TN, r.Kind = tdma.FN(fn), tdma.TN(tn), tdma.KindNormal
			if s.Chan.Kind == l1.ChanRACH {
				*r = accessBurst(tdma.FN(fn), 0x23, testBSIC)
				continue
			}
			var bb tdma.Burst
			tdma.Normal(&bb, &enc[s.Burst&3], cfg.TSC())
			for i, v := range bb {
				r.Soft[i] = 80
				if v != 0 {
					r.Soft[i] = -80
				}
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ul.Burst(&rx[i%len(rx)])
	}
}

type nullSink struct{}

func (nullSink) UplinkBlock(*l1.UplinkBlock)     {}
func (nullSink) AccessBurst(*l1.AccessBurst)     {}
func (nullSink) UplinkTraffic(*l1.UplinkTraffic) {}

// FuzzUplinkBurst feeds arbitrary bursts (FN, TN, kind, soft bits from the
// input) to an Uplink: it must never panic, and every block it counts is
// delivered.
func FuzzUplinkBurst(f *testing.F) {
	f.Add([]byte{0, 0, 0, 47, 0, 1, 0x7f, 0x80, 0})
	f.Add([]byte{0, 0, 0, 20, 0, 5, 0x11, 0x22, 0x33})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 9, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := cfgV()
		sink := &l1test.Sink{}
		ul, err := l1.NewUplink(cfg, sink)
		if err != nil {
			t.Fatal(err)
		}
		for len(data) >= 6 {
			var rx tdma.RxBurst
			rx.FN = tdma.FN(binary.BigEndian.Uint32(data) % tdma.HyperFrame)
			rx.TN = tdma.TN(data[4])
			rx.Kind = tdma.BurstKind(data[5])
			data = data[6:]
			n := copy(rx.Soft[:], asInt8(data))
			data = data[min(n, len(data)):]
			ul.Burst(&rx)
		}
		ul.Burst(nil)
		if st := ul.Stats(); int(st.Blocks) != len(sink.Blocks) || int(st.Access) != len(sink.Access) {
			t.Errorf("Stats() = %+v, delivered %d blocks %d access", st, len(sink.Blocks), len(sink.Access))
		}
	})
}

func asInt8(b []byte) []int8 {
	out := make([]int8, min(len(b), tdma.BurstBits))
	for i := range out {
		out[i] = int8(b[i])
	}
	return out
}

// TCH/F (combination I) round trip: speech and FACCH/F blocks queued on the
// downlink of TN2 and TN3, carried by the Downlink's bursts into the Uplink
// (same frame mapping both ways), come out as the same speech frames and
// FACCH blocks; an inactive TCH sends dummy bursts.
func TestTCHFRoundTrip(t *testing.T) {
	cfg := cfgV()
	cfg.Slots[2], cfg.Slots[3] = l1.CombI, l1.CombI
	src := &l1test.Source{}
	r := rand.New(rand.NewPCG(3, 4))
	var sent []l1test.TrafficFrame
	for i := 0; i < 12; i++ {
		f := l1test.TrafficFrame{Kind: l1.TrafficSpeech}
		for j := range f.Speech {
			f.Speech[j] = byte(r.IntN(2))
		}
		if i == 5 {
			f = l1test.TrafficFrame{Kind: l1.TrafficFACCH, FACCH: testMsg(0x77)}
		}
		sent = append(sent, f)
		src.QueueTraffic(2, f)
	}
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	sink := &l1test.Sink{}
	ul, err := l1.NewUplink(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	var out [8]tdma.TxBurst
	dummies := 0
	for fn := tdma.FN(0); fn < 104; fn++ {
		dl.Frame(fn, &out)
		if out[3].Kind == tdma.KindDummy {
			dummies++
		}
		b := &out[2]
		rx := tdma.RxBurst{FN: fn, TN: 2, Kind: b.Kind, RSSI: -50}
		for i, v := range b.Bits {
			rx.Soft[i] = 100
			if v != 0 {
				rx.Soft[i] = -100
			}
		}
		if b.Kind != tdma.KindNormal {
			rx.Kind = tdma.KindNone
		}
		ul.Burst(&rx)
	}
	if dummies != 104 {
		t.Errorf("inactive TCH/F on TN3 sent %d dummy bursts of 104", dummies)
	}
	// Block k is complete after the bursts of block k+1, so all 12 queued
	// blocks come out within the 24 blocks of 104 frames: 11 speech frames
	// and one FACCH; the channel then idles with FACCH fill frames.
	if len(sink.Traffic) != 11 {
		t.Fatalf("%d speech frames delivered, want 11", len(sink.Traffic))
	}
	k := 0
	for i, f := range sent {
		if f.Kind != l1.TrafficSpeech {
			continue
		}
		got := sink.Traffic[k]
		k++
		if !got.Good || got.Speech != f.Speech || got.Chan != (l1.Chan{Kind: l1.ChanTCHF, TN: 2}) {
			t.Errorf("speech frame %d: good=%v chan %v, equal=%v", i, got.Good, got.Chan, got.Speech == f.Speech)
		}
	}
	var facch, fill int
	for _, b := range sink.Blocks {
		if b.Chan.Kind != l1.ChanFACCHF {
			continue
		}
		switch {
		case !b.Good || b.Chan.TN != 2:
			t.Errorf("FACCH/F block %+v", b)
		case b.Msg == sent[5].FACCH:
			facch++
		case b.Msg == l1.FillFrame:
			fill++
		}
	}
	if facch != 1 || fill != 23-12 {
		t.Errorf("FACCH/F delivered %d queued and %d fill blocks, want 1 and 11", facch, fill)
	}
}

// A SACCH/TF block of which only two bursts came before the channel was
// freed (Reset) is dropped: the next activation's first burst starts a
// block of its own instead of completing and delivering the stale one
// (whose bursts were deciphered with the previous activation's key).
func TestUplinkResetDropsPartialBlock(t *testing.T) {
	for _, reset := range []bool{false, true} {
		cfg := cfgV()
		cfg.Slots[2] = l1.CombI
		sink := &l1test.Sink{}
		ul, err := l1.NewUplink(cfg, sink)
		if err != nil {
			t.Fatal(err)
		}
		burst := func(fn tdma.FN) {
			rx := tdma.RxBurst{FN: fn, TN: 2, Kind: tdma.KindNormal, RSSI: -50}
			for i := range rx.Soft {
				rx.Soft[i] = 100
			}
			ul.Burst(&rx)
		}
		// TN2's SACCH/TF bursts are at FN mod 104 = 38, 64, 90, 12.
		burst(38)
		burst(64)
		if reset {
			ul.Reset(l1.Chan{Kind: l1.ChanTCHF, TN: 2})
		}
		burst(104 + 38)
		var n int
		for _, b := range sink.Blocks {
			if b.Chan.Kind == l1.ChanSACCHTF {
				n++
			}
		}
		if want := map[bool]int{false: 1, true: 0}[reset]; n != want {
			t.Errorf("reset %v: %d SACCH/TF blocks delivered, want %d", reset, n, want)
		}
	}
}
