package bts

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// tchPhone is one test MS on a TCH/F: it encodes its uplink speech frames
// into bursts at their clause 7 positions and decodes the downlink
// bursts of its timeslot into speech frames.
type tchPhone struct {
	tn   tdma.TN
	enc  coding.TCHFEncoder
	blk  [4][116]byte
	send [][260]byte // frames still to send
	dec  coding.TCHFDecoder
	soft [4][116]int8
	got  [][260]byte // speech frames decoded on the downlink
	bad  int         // downlink speech frames failing the CRC
}

func (p *tchPhone) uplink(cell *Cell, fn tdma.FN) *tdma.RxBurst {
	s := cell.L1Config().Slots[p.tn].Uplink(p.tn, fn)
	if s.Chan.Kind != l1.ChanTCHF {
		return nil
	}
	if s.Burst == 0 {
		if len(p.send) > 0 {
			p.enc.EncodeSpeech(&p.blk, &p.send[0])
			p.send = p.send[1:]
		} else {
			p.enc.EncodeFACCH(&p.blk, &l1.UplinkFillFrame)
		}
	}
	var bits tdma.Burst
	tdma.Normal(&bits, &p.blk[s.Burst], cell.cfg.Cell.BSIC.BCC)
	b := &tdma.RxBurst{FN: fn, TN: p.tn, Kind: tdma.KindNormal, RSSI: -60}
	for i, v := range bits {
		b.Soft[i] = 127
		if v == 1 {
			b.Soft[i] = -127
		}
	}
	return b
}

func (p *tchPhone) downlink(cell *Cell, fn tdma.FN, b *tdma.TxBurst) {
	s := cell.L1Config().Slots[p.tn].Downlink(p.tn, fn)
	if s.Chan.Kind != l1.ChanTCHF || b.Kind != tdma.KindNormal {
		return
	}
	toSoft(&p.soft[s.Burst], &b.Bits)
	if s.Burst != 3 {
		return
	}
	var speech [260]byte
	var facch [23]byte
	kind, _, ok := p.dec.Decode(&speech, &facch, &p.soft)
	if kind == coding.TCHFSpeech {
		if ok {
			p.got = append(p.got, speech)
		} else {
			p.bad++
		}
	}
}

func randomFrames(r *rand.Rand, n int) [][260]byte {
	out := make([][260]byte, n)
	for i := range out {
		for j := range out[i] {
			out[i][j] = byte(r.IntN(2))
		}
	}
	return out
}

// isRun reports whether got is a run of consecutive frames of sent.
func isRun(got, sent [][260]byte) bool {
	if len(got) == 0 {
		return false
	}
	for i := range sent {
		if sent[i] == got[0] {
			for k := range got {
				if i+k >= len(sent) || sent[i+k] != got[k] {
					return false
				}
			}
			return true
		}
	}
	return false
}

// activateTCH activates a TCH/F through the seam and brings its MS's
// SAPI 0 up, returning the activation's Ref.
func activateTCH(t *testing.T, cell *Cell, up *rsl.Queue[rsl.Up], ch l1.Chan, fn tdma.FN) uint32 {
	t.Helper()
	cell.Down().Put(rsl.Down{Kind: rsl.ChanActivate, Cell: cell.ID(), Chan: ch})
	var out [tdma.Slots]tdma.TxBurst
	cell.Frame(fn, &out)
	u, ok := up.Get()
	if !ok || u.Kind != rsl.ChanActivAck {
		t.Fatalf("CHAN ACTIV %v: %+v, want ACK", ch, u)
	}
	sabm := [23]byte{0x01, 0x3f, 0x01}
	for i := 3; i < 23; i++ {
		sabm[i] = 0x2b
	}
	cell.UplinkBlock(&l1.UplinkBlock{Chan: l1.Chan{Kind: l1.ChanFACCHF, TN: ch.TN}, FN: fn, Good: true, Msg: sabm})
	if u, _ := up.Get(); u.Kind != rsl.EstablishInd {
		t.Fatalf("SABM on %v: %+v, want EST IND", ch, u)
	}
	return u.Ref
}

// Two TCH/Fs joined by TrafficConnect relay each other's speech frames
// through l1's TCH/FS coding, bit for bit, both ways; freeing one channel
// ends the relay.
func TestSpeechRelay(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](256)
	cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{2, 5}
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, b := l1.Chan{Kind: l1.ChanTCHF, TN: 2}, l1.Chan{Kind: l1.ChanTCHF, TN: 5}
	fn := tdma.FN(1000)
	refA := activateTCH(t, cell, up, a, fn)
	fn++
	refB := activateTCH(t, cell, up, b, fn)
	fn++
	cell.Down().Put(rsl.Down{Kind: rsl.TrafficConnect, Cell: 1, Chan: a, Ref: refA, Peer: b, PeerRef: refB})

	r := rand.New(rand.NewPCG(1, 2))
	const n = 50
	sentA, sentB := randomFrames(r, n), randomFrames(r, n)
	pa := &tchPhone{tn: 2, send: append([][260]byte(nil), sentA...)}
	pb := &tchPhone{tn: 5, send: append([][260]byte(nil), sentB...)}
	var out [tdma.Slots]tdma.TxBurst
	for range 26 * 14 {
		cell.Frame(fn, &out)
		pa.downlink(cell, fn, &out[2])
		pb.downlink(cell, fn, &out[5])
		for _, p := range []*tchPhone{pa, pb} {
			if rb := p.uplink(cell, fn); rb != nil {
				cell.Receive(rb)
			}
		}
		fn++
	}
	for _, c := range []struct {
		name      string
		got, sent [][260]byte
		bad       int
	}{{"A→B", pb.got, sentA, pb.bad}, {"B→A", pa.got, sentB, pa.bad}} {
		if len(c.got) < n-2 || !isRun(c.got, c.sent) || c.bad != 0 {
			t.Errorf("%s: received %d frames (%d bad), run of the sent ones %v; want ≥ %d in order",
				c.name, len(c.got), c.bad, isRun(c.got, c.sent), n-2)
		}
	}
	st := cell.Stats().Traffic
	if st.Connects != 1 || st.Relayed < 2*(n-2) || st.Dropped != 0 {
		t.Errorf("traffic stats %+v", st)
	}
	if tr := cell.TrafficOf(2); !tr.Joined || tr.Peer != b {
		t.Errorf("TrafficOf(2) = %+v, want joined to %v", tr, b)
	}
	// A bad uplink frame is lost, not relayed.
	lost := st.Lost
	cell.UplinkTraffic(&l1.UplinkTraffic{Chan: a, Good: false})
	if got := cell.Stats().Traffic.Lost; got != lost+1 {
		t.Errorf("lost after a bad frame = %d, want %d", got, lost+1)
	}
	// Freeing B ends the relay on A too.
	cell.Down().Put(rsl.Down{Kind: rsl.ChanRelease, Cell: 1, Chan: b, Ref: refB})
	cell.Frame(fn, &out)
	if tr := cell.TrafficOf(2); tr.Joined {
		t.Errorf("after B's release A is still joined: %+v", tr)
	}
	relayed := cell.Stats().Traffic.Relayed
	var f [260]byte
	cell.UplinkTraffic(&l1.UplinkTraffic{Chan: a, Good: true, Speech: f})
	if s := cell.Stats().Traffic; s.Relayed != relayed || s.Unrelayed == 0 {
		t.Errorf("a frame after the peer left: %+v, want unrelayed", s)
	}
}

// The speech queue is bounded: frames arriving faster than the peer's
// downlink takes them push the oldest out, and the delay stays bounded.
func TestSpeechQueueBounded(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](64)
	cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{2, 3}
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, b := l1.Chan{Kind: l1.ChanTCHF, TN: 2}, l1.Chan{Kind: l1.ChanTCHF, TN: 3}
	refA := activateTCH(t, cell, up, a, 10)
	refB := activateTCH(t, cell, up, b, 11)
	cell.Down().Put(rsl.Down{Kind: rsl.TrafficConnect, Cell: 1, Chan: b, Ref: refB, Peer: a, PeerRef: refA})
	var out [tdma.Slots]tdma.TxBurst
	cell.Frame(12, &out)
	var u l1.UplinkTraffic
	u.Chan, u.Good = a, true
	for i := range SpeechQueue + 3 {
		u.Speech[0] = byte(i)
		cell.UplinkTraffic(&u)
	}
	if s := cell.Stats().Traffic; s.Dropped != 3 {
		t.Errorf("dropped %d, want 3", s.Dropped)
	}
	var speech [260]byte
	var facch [23]byte
	// The UA first (FACCH steals), then the newest SpeechQueue frames.
	if k := cell.DownlinkTraffic(b, 13, &speech, &facch); k != l1.TrafficFACCH {
		t.Errorf("first downlink block: %v, want the UA on FACCH", k)
	}
	for i := range SpeechQueue {
		k := cell.DownlinkTraffic(b, 13, &speech, &facch)
		if k != l1.TrafficSpeech || speech[0] != byte(3+i) {
			t.Errorf("downlink %d: %v frame %d, want speech frame %d", i, k, speech[0], 3+i)
		}
	}
	if k := cell.DownlinkTraffic(b, 13, &speech, &facch); k != l1.TrafficNone {
		t.Errorf("after the queue emptied: %v, want none", k)
	}
}

// A stale or wrong TrafficConnect is dropped and counted.
func TestTrafficConnectStale(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](64)
	cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{2, 3}
	cell, _ := New(cfg)
	a, b := l1.Chan{Kind: l1.ChanTCHF, TN: 2}, l1.Chan{Kind: l1.ChanTCHF, TN: 3}
	refA := activateTCH(t, cell, up, a, 10)
	for _, r := range []rsl.Down{
		{Kind: rsl.TrafficConnect, Chan: a, Ref: refA, Peer: b, PeerRef: 99}, // peer free
		{Kind: rsl.TrafficConnect, Chan: a, Ref: refA + 7, Peer: b},          // stale
		{Kind: rsl.TrafficConnect, Chan: a, Ref: refA, Peer: a, PeerRef: refA},
		{Kind: rsl.TrafficConnect, Chan: l1.Chan{Kind: l1.ChanSDCCH4}, Peer: b},
		{Kind: rsl.TrafficConnect, Chan: l1.Chan{Kind: l1.ChanTCHF, TN: 6}, Peer: b},
	} {
		stale := cell.Stats().Dedicated.DownStale
		cell.Down().Put(r)
		var out [tdma.Slots]tdma.TxBurst
		cell.Frame(20, &out)
		if cell.Stats().Dedicated.DownStale != stale+1 {
			t.Errorf("%+v not counted stale", r)
		}
	}
	if cell.TrafficOf(2).Joined {
		t.Error("a bad TrafficConnect joined a channel")
	}
}

// The cell's receive plan switches free TCH/Fs off and listens on active
// ones.
func TestPlanTCHOff(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](64)
	cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{2, 3}
	cell, _ := New(cfg)
	var p phy.Plan
	cell.Plan(0, &p)
	if p.Slots[2] != phy.RxOff || p.Slots[3] != phy.RxOff {
		t.Fatalf("free TCH/Fs planned %v %v, want off", p.Slots[2], p.Slots[3])
	}
	activateTCH(t, cell, up, l1.Chan{Kind: l1.ChanTCHF, TN: 3}, 10)
	cell.Plan(0, &p)
	if p.Slots[2] != phy.RxOff || p.Slots[3] != phy.RxNormal {
		t.Errorf("after activating TN3: planned %v %v, want off, normal", p.Slots[2], p.Slots[3])
	}
}

// With every SDCCH busy a channel request gets a TCH/F in signalling
// mode instead of a reject.
func TestImmediateAssignmentOnTCH(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](64)
	cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{4}
	a := newAir(t, cfg)
	ras := []uint8{0x01, 0x02, 0x03, 0x04, 0x05, 0x06}
	i := 0
	for range 51 * 8 {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if i >= len(ras) {
				return nil
			}
			if b := rach(a.cell, fn, tn, ras[i], 0); b != nil {
				i++
				return b
			}
			return nil
		})
	}
	var onTCH int
	for _, ia := range a.ccch {
		if ia.Chan.TN == 4 {
			onTCH++
		}
	}
	if len(a.ccch) != 5 || onTCH != 1 || a.rej != 1 {
		t.Errorf("%d assignments (%d on the TCH/F), %d rejects; want 5 (1), 1", len(a.ccch), onTCH, a.rej)
	}
}

// BenchmarkCallFrame measures the cell's work per TDMA frame (downlink
// coding of all eight timeslots, uplink decoding of the TCH/F bursts,
// the relay) with calls calls in progress: each TCH/F sends and receives
// speech every block. Run with -benchtime and compare calls=0 and 3 for
// the cost of a call.
func BenchmarkCallFrame(b *testing.B) {
	for _, calls := range []int{0, 1, 3} {
		b.Run(fmt.Sprintf("calls=%d", calls), func(b *testing.B) {
			cfg := testConfig()
			up := rsl.NewQueue[rsl.Up](1 << 16)
			cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{2, 3, 4, 5, 6, 7}
			cell, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			fn := tdma.FN(1000)
			var phones []*tchPhone
			for i := range calls {
				ta, tb := tdma.TN(2+2*i), tdma.TN(3+2*i)
				ra := activateTCH(&testing.T{}, cell, up, l1.Chan{Kind: l1.ChanTCHF, TN: ta}, fn)
				rb := activateTCH(&testing.T{}, cell, up, l1.Chan{Kind: l1.ChanTCHF, TN: tb}, fn)
				cell.Down().Put(rsl.Down{Kind: rsl.TrafficConnect, Cell: 1, Chan: l1.Chan{Kind: l1.ChanTCHF, TN: ta}, Ref: ra,
					Peer: l1.Chan{Kind: l1.ChanTCHF, TN: tb}, PeerRef: rb})
				r := rand.New(rand.NewPCG(uint64(i), 1))
				phones = append(phones, &tchPhone{tn: ta, send: randomFrames(r, 1)}, &tchPhone{tn: tb, send: randomFrames(r, 1)})
			}
			// Every phone sends the same frame over and over.
			var rbs [][]*tdma.RxBurst
			for _, p := range phones {
				var bs []*tdma.RxBurst
				for f := range 26 {
					p.send = append(p.send[:0], p.send[0], p.send[0])
					bs = append(bs, p.uplink(cell, fn.Add(f)))
				}
				rbs = append(rbs, bs)
			}
			var out [tdma.Slots]tdma.TxBurst
			b.ReportAllocs()
			b.ResetTimer()
			for k := range b.N {
				cell.Frame(fn, &out)
				for _, bs := range rbs {
					if rb := bs[k%26]; rb != nil {
						rb.FN = fn
						cell.Receive(rb)
					}
				}
				fn++
				for up.Len() > 0 {
					up.Get()
				}
			}
		})
	}
}

// A TCH/F joined to an external rsl.SpeechPort: the port gets the frames
// the phone sends, in order, through l1's TCH/FS coding; frames written
// to the port reach the phone; a bad uplink frame reaches the port
// flagged; with nothing on the port the downlink carries the fill; the
// release ends it.
func TestSpeechPort(t *testing.T) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](256)
	cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{2, 5}
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := l1.Chan{Kind: l1.ChanTCHF, TN: 2}
	fn := tdma.FN(2000)
	refA := activateTCH(t, cell, up, a, fn)
	fn++
	port := rsl.NewSpeechPort()
	cell.Down().Put(rsl.Down{Kind: rsl.TrafficConnect, Cell: 1, Chan: a, Ref: refA, Port: port})

	r := rand.New(rand.NewPCG(3, 4))
	const n = 40
	sent, toPhone := randomFrames(r, n), randomFrames(r, n)
	pa := &tchPhone{tn: 2, send: append([][260]byte(nil), sent...)}
	var got [][260]byte
	var f rsl.SpeechFrame
	next := 0
	var out [tdma.Slots]tdma.TxBurst
	for range 26 * 10 {
		// The outside keeps the downlink ring at one or two frames, as
		// gsm/core/media does.
		if port.Down.Len() < 2 && next < n {
			f.Bits, f.Bad = toPhone[next], false
			port.Down.Put(&f)
			next++
		}
		cell.Frame(fn, &out)
		pa.downlink(cell, fn, &out[2])
		if rb := pa.uplink(cell, fn); rb != nil {
			cell.Receive(rb)
		}
		for port.Up.Get(&f) {
			if f.Bad {
				t.Errorf("a clean uplink frame arrived flagged bad")
			}
			got = append(got, f.Bits)
		}
		fn++
	}
	if len(got) < n-2 || !isRun(got, sent) {
		t.Errorf("port got %d frames, run of the sent ones %v; want ≥ %d in order", len(got), isRun(got, sent), n-2)
	}
	if len(pa.got) < n-4 || !isRun(pa.got, toPhone) || pa.bad != 0 {
		t.Errorf("phone got %d frames (%d bad), run of the port's %v; want ≥ %d in order",
			len(pa.got), pa.bad, isRun(pa.got, toPhone), n-4)
	}
	st := cell.Stats().Traffic
	if st.Connects != 1 || st.PortUp < n-2 || st.PortDown < n-4 || st.PortDropped != 0 {
		t.Errorf("traffic stats %+v", st)
	}
	if tr := cell.TrafficOf(2); !tr.Joined || tr.Port != port {
		t.Errorf("TrafficOf(2) = %+v, want joined to the port", tr)
	}
	// A bad frame goes to the port, flagged.
	var bad [260]byte
	bad[0] = 1
	cell.UplinkTraffic(&l1.UplinkTraffic{Chan: a, Good: false, Speech: bad})
	if !port.Up.Get(&f) || !f.Bad || f.Bits != bad {
		t.Errorf("bad frame on the port: %+v, want it flagged", f.Bad)
	}
	// An empty port: the downlink sends no speech (the fill).
	var speech [260]byte
	var facch [23]byte
	for port.Down.Get(&f) {
	}
	if k := cell.DownlinkTraffic(a, fn, &speech, &facch); k == l1.TrafficSpeech {
		t.Errorf("empty port: downlink %v, want no speech", k)
	}
	// A full port drops the oldest uplink frame, counted.
	for i := range rsl.SpeechPortFrames + 2 {
		var s [260]byte
		s[0] = byte(i & 1)
		s[1] = byte(i >> 1 & 1)
		s[2] = byte(i >> 2 & 1)
		s[3] = byte(i >> 3 & 1)
		cell.UplinkTraffic(&l1.UplinkTraffic{Chan: a, Good: true, Speech: s})
	}
	if d := cell.Stats().Traffic.PortDropped; d != 2 || port.Up.Dropped() != 2 {
		t.Errorf("port dropped %d (ring %d), want 2", d, port.Up.Dropped())
	}
	if port.Up.Get(&f); f.Bits[0] != 0 || f.Bits[1] != 1 {
		t.Errorf("oldest kept frame = %v, want frame 2", f.Bits[:4])
	}
	// Releasing the channel ends it; nothing more reaches the port.
	cell.Down().Put(rsl.Down{Kind: rsl.ChanRelease, Cell: 1, Chan: a, Ref: refA})
	cell.Frame(fn, &out)
	if tr := cell.TrafficOf(2); tr.Joined || tr.Port != nil {
		t.Errorf("after the release: %+v, want unjoined", tr)
	}
	puts := port.Up.Puts()
	cell.UplinkTraffic(&l1.UplinkTraffic{Chan: a, Good: true})
	if port.Up.Puts() != puts {
		t.Error("a frame reached the port after the release")
	}
}

// The frame loop's port path allocates nothing.
func BenchmarkSpeechPortUplink(b *testing.B) {
	cfg := testConfig()
	up := rsl.NewQueue[rsl.Up](256)
	cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{2}
	cell, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	a := l1.Chan{Kind: l1.ChanTCHF, TN: 2}
	cell.Down().Put(rsl.Down{Kind: rsl.ChanActivate, Cell: 1, Chan: a})
	var out [tdma.Slots]tdma.TxBurst
	cell.Frame(10, &out)
	u, _ := up.Get()
	sabm := [23]byte{0x01, 0x3f, 0x01}
	for i := 3; i < 23; i++ {
		sabm[i] = 0x2b
	}
	cell.UplinkBlock(&l1.UplinkBlock{Chan: l1.Chan{Kind: l1.ChanFACCHF, TN: 2}, FN: 10, Good: true, Msg: sabm})
	port := rsl.NewSpeechPort()
	cell.Down().Put(rsl.Down{Kind: rsl.TrafficConnect, Cell: 1, Chan: a, Ref: u.Ref, Port: port})
	cell.Frame(11, &out)
	tr := l1.UplinkTraffic{Chan: a, Good: true}
	var f rsl.SpeechFrame
	b.ReportAllocs()
	for b.Loop() {
		cell.UplinkTraffic(&tr)
		port.Up.Get(&f)
	}
	if port.Up.Puts() == 0 {
		b.Fatal("no frame reached the port")
	}
}
