package l1_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

var testBSIC = tdma.BSIC{NCC: 3, BCC: 5}

func cfgV() l1.Config {
	return l1.Config{
		ARFCN:       62,
		BSIC:        testBSIC,
		Slots:       [8]l1.Combination{l1.CombV, l1.CombVII, l1.CombI},
		BSAgBlksRes: 1,
		BSPaMfrms:   2,
		IdleCCCH:    l1test.EmptyPaging,
	}
}

func siBlock(t l1.SIType) [23]byte {
	var m [23]byte
	m[0], m[1], m[2] = 0x49, 0x06, 0x10+byte(t)
	for i := 3; i < 23; i++ {
		m[i] = 0x2b
	}
	return m
}

// air collects the bursts the Downlink emits and decodes them the way a
// phone would: SCH with coding.DecodeSCH, normal bursts regrouped by the
// multiframe table and decoded with coding.DecodeXCCH from hard bits.
type air struct {
	t      *testing.T
	pend   map[[2]int]*[4][116]int8 // (tn, block start) → soft bits
	blocks []rxBlock
	counts map[tdma.BurstKind]int
}

type rxBlock struct {
	tn   tdma.TN
	fn   tdma.FN
	kind l1.ChanKind
	sub  uint8
	msg  [23]byte
}

func newAir(t *testing.T) *air {
	return &air{t: t, pend: map[[2]int]*[4][116]int8{}, counts: map[tdma.BurstKind]int{}}
}

func (a *air) take(cfg *l1.Config, out *[8]tdma.TxBurst) {
	for tn := range out {
		b := &out[tn]
		a.counts[b.Kind]++
		if b.TN != tdma.TN(tn) || b.FN != out[0].FN {
			a.t.Fatalf("burst %d has FN %d TN %d", tn, b.FN, b.TN)
		}
		switch b.Kind {
		case tdma.KindSCH:
			var soft [tdma.BurstBits]int8
			hardToSoft(&soft, &b.Bits)
			var data [tdma.SCHDataBits]int8
			tdma.SCHData(&data, &soft)
			var info [25]byte
			if _, ok := coding.DecodeSCH(&info, &data); !ok {
				a.t.Fatalf("FN %d: SCH does not decode", b.FN)
			}
			bsic, t1, t2, t3p := coding.UnpackSCHInfo(&info)
			if bsic != cfg.BSIC {
				a.t.Errorf("FN %d: SCH BSIC %v, want %v", b.FN, bsic, cfg.BSIC)
			}
			if got := tdma.FromT(t1, t2, 10*t3p+1); got != b.FN {
				a.t.Errorf("SCH at FN %d carries FN %d (T1 %d T2 %d T3' %d)", b.FN, got, t1, t2, t3p)
			}
		case tdma.KindNormal:
			if string(b.Bits[61:87]) != string(tdma.TSC[cfg.BSIC.BCC][:]) {
				a.t.Errorf("FN %d TN %d: normal burst without TSC %d", b.FN, tn, cfg.BSIC.BCC)
			}
			s := cfg.Slots[tn].Downlink(tdma.TN(tn), b.FN)
			if s.Chan.Kind == l1.ChanTCHF {
				continue // diagonally interleaved: see TestTCHFRoundTrip
			}
			key := [2]int{tn, int(s.BlockStart(b.FN))}
			p := a.pend[key]
			if p == nil {
				p = new([4][116]int8)
				a.pend[key] = p
			}
			var soft [tdma.BurstBits]int8
			hardToSoft(&soft, &b.Bits)
			tdma.NormalData(&p[s.Burst], &soft)
			if s.Burst == 3 {
				var msg [23]byte
				if _, ok := coding.DecodeXCCH(&msg, p); !ok {
					a.t.Errorf("TN %d block at FN %d (%v) does not decode", tn, key[1], s.Chan)
				}
				a.blocks = append(a.blocks, rxBlock{tdma.TN(tn), tdma.FN(key[1]), s.Chan.Kind, s.Chan.Sub, msg})
				delete(a.pend, key)
			}
		case tdma.KindFCCH:
			if b.Bits != tdma.FCCH {
				a.t.Errorf("FN %d: FCCH burst not all zero", b.FN)
			}
		case tdma.KindDummy:
			if b.Bits != tdma.Dummy {
				a.t.Errorf("FN %d: dummy burst bits wrong", b.FN)
			}
		default:
			a.t.Fatalf("FN %d TN %d: burst kind %v", b.FN, tn, b.Kind)
		}
	}
}

func hardToSoft(dst *[tdma.BurstBits]int8, b *tdma.Burst) {
	for i, v := range b {
		dst[i] = 127
		if v != 0 {
			dst[i] = -127
		}
	}
}

func run(t *testing.T, dl *l1.Downlink, cfg *l1.Config, from tdma.FN, n int) *air {
	a := newAir(t)
	var out [8]tdma.TxBurst
	for i := 0; i < n; i++ {
		dl.Frame(from.Add(i), &out)
		a.take(cfg, &out)
	}
	return a
}

// Each SI type appears on the BCCH Norm at the TC of TS 45.002 §6.3.1.3, as
// decoded from the air, and the tap sees the same blocks.
func TestDownlinkBCCH(t *testing.T) {
	cfg := cfgV()
	var tap l1test.Tap
	cfg.Tap = tap.Func()
	dl, err := l1.NewDownlink(cfg, &l1test.Source{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range []l1.SIType{l1.SI1, l1.SI2, l1.SI2bis, l1.SI3, l1.SI4} {
		m := siBlock(ty)
		dl.BCCH.Set(ty, &m)
	}
	a := run(t, dl, &cfg, 0, 8*51)
	wantTC := map[uint8]l1.SIType{0: l1.SI1, 1: l1.SI2, 2: l1.SI3, 3: l1.SI4, 4: l1.SI3, 5: l1.SI2bis, 6: l1.SI3, 7: l1.SI4}
	n := 0
	for _, b := range a.blocks {
		if b.kind != l1.ChanBCCH {
			continue
		}
		n++
		if b.fn%51 != 2 || b.tn != 0 {
			t.Errorf("BCCH block at FN %d TN %d, want FN mod 51 = 2 on TN0", b.fn, b.tn)
		}
		tc := l1.TC(b.fn)
		if want := siBlock(wantTC[tc]); b.msg != want {
			t.Errorf("BCCH at TC %d = % x, want %v", tc, b.msg[:3], wantTC[tc])
		}
	}
	if n != 8 {
		t.Errorf("decoded %d BCCH blocks, want 8", n)
	}
	// The tap saw the same blocks, with the resolved channel.
	tapped := map[string]bool{}
	for _, ev := range tap.Events {
		tapped[fmt.Sprintf("%v %d % x", ev.Chan, ev.FN, ev.Data)] = true
		if ev.ARFCN != 62 || ev.Uplink {
			t.Errorf("tap event %+v", ev)
		}
	}
	for _, b := range a.blocks {
		ch := l1.Chan{Kind: b.kind, TN: b.tn, Sub: b.sub}
		switch b.kind {
		case l1.ChanBCCH:
			ch.Sub = l1.TC(b.fn)
		case l1.ChanCCCH:
			continue // resolved to AGCH/PCH in the tap
		}
		if k := fmt.Sprintf("%v %d % x", ch, b.fn, b.msg); !tapped[k] {
			t.Errorf("block %s not tapped", k)
		}
	}
	// Continuous C0: every one of the 8×408 bursts was sent.
	total := 0
	for _, c := range a.counts {
		total += c
	}
	if total != 8*8*51 || a.counts[tdma.KindFCCH] != 40 || a.counts[tdma.KindSCH] != 40 {
		t.Errorf("burst counts %v", a.counts)
	}
}

// With BCCH Ext configured, CCCH block 0 carries the extended messages at
// their TCs and is an ordinary AGCH block otherwise.
func TestDownlinkBCCHExt(t *testing.T) {
	cfg := cfgV()
	cfg.BCCHExt = true
	src := &l1test.Source{}
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range []l1.SIType{l1.SI2, l1.SI3, l1.SI4, l1.SI7, l1.SI8} {
		m := siBlock(ty)
		dl.BCCH.Set(ty, &m)
	}
	a := run(t, dl, &cfg, 0, 8*51)
	for _, b := range a.blocks {
		if b.tn != 0 || b.kind != l1.ChanCCCH || b.sub != 0 {
			continue
		}
		tc := l1.TC(b.fn)
		want := l1test.EmptyPaging
		switch tc {
		case 3:
			want = siBlock(l1.SI8)
		case 7:
			want = siBlock(l1.SI7)
		}
		if b.msg != want {
			t.Errorf("CCCH block 0 at TC %d = % x, want % x", tc, b.msg[:3], want[:3])
		}
	}
	// The Source was asked for AGCH block 0 only in the other 6 multiframes.
	agch := 0
	for _, r := range src.Requests {
		if r.Chan.Kind == l1.ChanAGCH {
			agch++
			if tc := l1.TC(r.FN); tc == 3 || tc == 7 {
				t.Errorf("AGCH requested at TC %d", tc)
			}
		}
	}
	if agch != 6 {
		t.Errorf("%d AGCH requests, want 6", agch)
	}
}

// A paging message queued for an IMSI goes out in that IMSI's paging block
// (TS 45.002 §6.5.3) and nowhere else; all other PCH blocks carry the empty
// Paging Request Type 1; the Source is asked for every PCH block without
// queued paging and for every AGCH block.
func TestDownlinkPaging(t *testing.T) {
	cfg := cfgV() // comb V, BS_AG_BLKS_RES 1, BS_PA_MFRMS 2: N = 4
	src := &l1test.Source{}
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	imsi := "001010000000123" // group 3: odd multiframes, CCCH block 2 (frames 16..19)
	var page [23]byte
	copy(page[:], []byte{0x15, 0x06, 0x21, 0x00, 0x08, 0x09, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x32})
	for i := 13; i < 23; i++ {
		page[i] = 0x2b
	}
	for i := 0; i < 2; i++ {
		if ok, err := dl.Page(imsi, &page); !ok || err != nil {
			t.Fatalf("Page() = %v, %v", ok, err)
		}
	}
	// An IMMEDIATE ASSIGNMENT waiting for AGCH.
	var ia [23]byte
	ia[0], ia[1], ia[2] = 0x2d, 0x06, 0x3f
	src.Queue(l1.Chan{Kind: l1.ChanAGCH, TN: 0, Sub: 0}, ia)

	a := run(t, dl, &cfg, 0, 6*51)
	var pagedAt []tdma.FN
	for _, b := range a.blocks {
		if b.tn != 0 || b.kind != l1.ChanCCCH {
			continue
		}
		switch {
		case b.msg == page:
			pagedAt = append(pagedAt, b.fn)
		case b.msg == ia:
			if b.sub != 0 || b.fn != 6 {
				t.Errorf("IMMEDIATE ASSIGNMENT in block %d at FN %d, want block 0 at FN 6", b.sub, b.fn)
			}
		case b.msg != l1test.EmptyPaging:
			t.Errorf("CCCH block %d at FN %d = % x", b.sub, b.fn, b.msg)
		}
	}
	if want := []tdma.FN{51 + 16, 3*51 + 16}; fmt.Sprint(pagedAt) != fmt.Sprint(want) {
		t.Errorf("paging sent at %v, want %v", pagedAt, want)
	}
	var pch, agch int
	for _, r := range src.Requests {
		switch r.Chan.Kind {
		case l1.ChanPCH:
			pch++
			if r.FN == 51+16 || r.FN == 3*51+16 {
				t.Errorf("Source asked for PCH at FN %d, which had queued paging", r.FN)
			}
		case l1.ChanAGCH:
			agch++
		default:
			if !r.Chan.Kind.Dedicated() {
				t.Errorf("Source asked for %v", r.Chan)
			}
		}
	}
	if pch != 6*2-2 || agch != 6 {
		t.Errorf("Source asked %d PCH, %d AGCH, want 10, 6", pch, agch)
	}
	if st := dl.Stats(); st.PagingSent != 2 || st.PagingQueued != 2 {
		t.Errorf("Stats() = %+v", st)
	}
}

func TestQueuePagingFull(t *testing.T) {
	dl, err := l1.NewDownlink(cfgV(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var m [23]byte
	n := 0
	for dl.QueuePaging(1, &m) {
		n++
	}
	if n != 4 {
		t.Errorf("QueuePaging accepted %d, want 4", n)
	}
	if dl.QueuePaging(4, &m) || dl.QueuePaging(-1, &m) {
		t.Error("QueuePaging accepted a group out of range")
	}
	if _, err := dl.Page("12", &m); !errors.Is(err, l1.ErrIMSI) {
		t.Errorf("Page(12) error = %v, want ErrIMSI", err)
	}
}

// Dedicated channels: SDCCH/4, SACCH/C4, SDCCH/8, SACCH/C8 and SACCH/TF take
// their blocks from the Source at their downlink positions; with nothing
// queued they carry the LAPDm fill frame.
func TestDownlinkDedicated(t *testing.T) {
	cfg := cfgV()
	src := &l1test.Source{}
	src.Active[2] = true // the TCH/F on TN2, so its SACCH is on
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(tag byte) [23]byte {
		m := l1.FillFrame
		m[3] = tag
		return m
	}
	type want struct {
		ch l1.Chan
		fn tdma.FN
	}
	cases := []struct {
		ch  l1.Chan
		tag byte
		at  want
	}{
		{l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 2}, 1, want{fn: 32}},
		{l1.Chan{Kind: l1.ChanSACCHC4, TN: 0, Sub: 1}, 2, want{fn: 46}},
		{l1.Chan{Kind: l1.ChanSACCHC4, TN: 0, Sub: 3}, 3, want{fn: 51 + 46}},
		{l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 7}, 4, want{fn: 28}},
		{l1.Chan{Kind: l1.ChanSACCHC8, TN: 1, Sub: 5}, 5, want{fn: 51 + 36}},
		{l1.Chan{Kind: l1.ChanSACCHTF, TN: 2}, 6, want{fn: 38}},
	}
	for _, c := range cases {
		src.Queue(c.ch, mk(c.tag))
	}
	a := run(t, dl, &cfg, 0, 104+26)
	found := map[byte]rxBlock{}
	for _, b := range a.blocks {
		if b.tn == 0 && (b.kind == l1.ChanBCCH || b.kind == l1.ChanCCCH) {
			continue
		}
		if b.msg[3] != 0x2b {
			found[b.msg[3]] = b
			continue
		}
		want := l1.FillFrame
		if b.kind == l1.ChanSACCHC4 || b.kind == l1.ChanSACCHC8 || b.kind == l1.ChanSACCHTF {
			want = l1.SACCHFillFrame
		}
		if b.msg != want {
			t.Errorf("%v/%d at FN %d = % x, want fill", b.kind, b.sub, b.fn, b.msg)
		}
	}
	for _, c := range cases {
		b, ok := found[c.tag]
		if !ok {
			t.Errorf("%v: block never sent", c.ch)
			continue
		}
		if b.tn != c.ch.TN || b.kind != c.ch.Kind || b.sub != c.ch.Sub || b.fn != c.at.fn {
			t.Errorf("%v: sent as TN%d %v/%d at FN %d, want FN %d", c.ch, b.tn, b.kind, b.sub, b.fn, c.at.fn)
		}
	}
	// TN3..7 are off: dummy bursts throughout.
	if got, want := a.counts[tdma.KindDummy], 5*130; got < want {
		t.Errorf("%d dummy bursts, want at least %d", got, want)
	}
}

// The SCH carries the right reduced frame number across the hyperframe
// wrap, and a Downlink started mid-block sends dummy bursts rather than a
// partial block.
func TestDownlinkWrapAndLateStart(t *testing.T) {
	cfg := cfgV()
	dl, err := l1.NewDownlink(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range []l1.SIType{l1.SI1, l1.SI2, l1.SI3, l1.SI4} {
		m := siBlock(ty)
		dl.BCCH.Set(ty, &m)
	}
	start := tdma.FN(tdma.HyperFrame - 2*51 + 3) // inside a BCCH block
	a := run(t, dl, &cfg, start, 4*51)
	for _, b := range a.blocks {
		if b.kind == l1.ChanBCCH && b.fn == start.Add(-1) {
			t.Errorf("partial BCCH block at FN %d was sent", b.fn)
		}
	}
	if dl.Stats().Partial == 0 {
		t.Error("no partial blocks counted")
	}
	bcch := 0
	for _, b := range a.blocks {
		if b.kind == l1.ChanBCCH {
			bcch++
		}
	}
	if bcch != 3 {
		t.Errorf("%d whole BCCH blocks across the wrap, want 3", bcch)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := l1.Config{
		BSIC:        tdma.BSIC{NCC: 8},
		Slots:       [8]l1.Combination{l1.CombVII, l1.CombV},
		BSAgBlksRes: 0,
		BSPaMfrms:   2,
		BCCHExt:     true,
	}
	err := bad.Validate()
	if !errors.Is(err, l1.ErrConfig) {
		t.Fatalf("Validate() = %v, want ErrConfig", err)
	}
	// Every problem is reported at once: BSIC, TN0, TN1, BCCH Ext, IdleCCCH.
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 5 {
		t.Errorf("Validate() reported %d problems, want 5: %v", n, err)
	}
	good := cfgV()
	if err := good.Validate(); err != nil {
		t.Errorf("Validate(good) = %v", err)
	}
	if _, err := l1.NewDownlink(bad, nil); err == nil {
		t.Error("NewDownlink(bad) succeeded")
	}
}

// benchSource answers every request without allocating: speech on TCH/F,
// a block on every other channel.
type benchSource struct {
	speech [260]byte
	msg    [23]byte
}

func (s *benchSource) DownlinkBlock(ch l1.Chan, fn tdma.FN, dst *[23]byte) bool {
	*dst = s.msg
	return true
}

func (s *benchSource) DownlinkTraffic(ch l1.Chan, fn tdma.FN, speech *[260]byte, facch *[23]byte) l1.TrafficKind {
	*speech = s.speech
	return l1.TrafficSpeech
}

// BenchmarkFrame fills all eight timeslots of C0 per op: TN0 combination V,
// TN1-2 SDCCH/8, TN3-7 TCH/F with speech, every channel busy.
func BenchmarkFrame(b *testing.B) {
	cfg := cfgV()
	cfg.Slots = [8]l1.Combination{l1.CombV, l1.CombVII, l1.CombVII, l1.CombI, l1.CombI, l1.CombI, l1.CombI, l1.CombI}
	src := &benchSource{msg: testMsg(9)}
	for i := range src.speech {
		src.speech[i] = byte(i*7>>2) & 1
	}
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		b.Fatal(err)
	}
	for _, ty := range []l1.SIType{l1.SI1, l1.SI2, l1.SI3, l1.SI4} {
		m := siBlock(ty)
		dl.BCCH.Set(ty, &m)
	}
	var out [8]tdma.TxBurst
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dl.Frame(tdma.FN(i%tdma.HyperFrame), &out)
	}
}

func TestTapGSMTAP(t *testing.T) {
	ev := l1.TapEvent{Uplink: true, Chan: l1.Chan{Kind: l1.ChanSACCHC8, TN: 3, Sub: 5}, FN: 1234, ARFCN: 871, RSSI: -200}
	h := ev.GSMTAP()
	if h.SubType != 0x88 || h.SubSlot != 5 || h.TN != 3 || h.FN != 1234 || h.ARFCN != 871 || !h.Uplink || h.SignalDBm != -128 {
		t.Errorf("GSMTAP() = %+v", h)
	}
	ev = l1.TapEvent{Chan: l1.Chan{Kind: l1.ChanPCH, Sub: 2}, FN: 6}
	if h := ev.GSMTAP(); h.SubType != 0x05 || h.Uplink || h.SignalDBm != 0 {
		t.Errorf("GSMTAP() = %+v", h)
	}
}
