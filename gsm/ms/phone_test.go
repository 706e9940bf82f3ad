package ms_test

import (
	"fmt"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// loop joins a cell and phones at the burst level, without DSP: what the
// cell sends reaches every phone as confident soft bits (the phone's radio
// would have found the FCCH and demodulated the rest), and the phones'
// uplink bursts reach the cell. Each phone's radio counts frames from its
// own origin, as a real one does.
type loop struct {
	cell   *bts.Cell
	phones []*ms.Phone
	origin []int // phone i's frame count is cell FN − origin[i]
	fn     tdma.FN
	dl     [tdma.Slots]tdma.TxBurst
	ul     [tdma.Slots]tdma.TxBurst
	// access records the access bursts the cell received: FN and ToA.
	access int
	// toa is the ToA reported for phone i's uplink bursts.
	toa []float32
	// deaf drops access bursts before the cell: nobody answers.
	deaf bool
	// net, when set, is the network above the cell, stepped each frame.
	net *fakeNet
	// override, when set, may replace the cell's downlink of a frame.
	override func(fn tdma.FN, dl *[tdma.Slots]tdma.TxBurst)
}

func testSIM(imsi string) *mm.SIM {
	var ki crypto.Ki
	copy(ki[:], imsi)
	return mm.NewSIM(imsi, crypto.COMP128v3, ki, crypto.OPc{})
}

// newPhone returns a powered-on phone with gsm/mm's MS above it.
func newPhone(imsi string, seed uint64) (*ms.Phone, error) {
	sim := testSIM(imsi)
	cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
	cfg := &mm.MSConfig{Classmark1: cm1, Classmark2: l3.Classmark2{Classmark1: cm1, SMCap: true, A53: true}, IMEI: "490154203237518"}
	p, err := ms.New(ms.Config{SIM: sim, Seed: seed, Upper: ms.NewMM(cfg, sim)})
	if err != nil {
		return nil, err
	}
	p.PowerOn()
	return p, nil
}

func testCellConfig(combined bool) rr.CellConfig {
	cc := rr.DefaultCellConfig()
	cc.PLMN = l3.PLMN{MCC: "001", MNC: "01"}
	cc.LAC, cc.CI = 0x1234, 7
	cc.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
	cc.Band, cc.ARFCN = tdma.GSM900, 62
	cc.CombinedCCCH = combined
	return cc
}

func newCell(t testing.TB, mutate func(*rr.CellConfig)) *bts.Cell {
	t.Helper()
	cc := rr.DefaultCellConfig()
	cc.PLMN = l3.PLMN{MCC: "001", MNC: "01"}
	cc.LAC, cc.CI = 0x1234, 7
	cc.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
	cc.Band, cc.ARFCN = tdma.GSM900, 62
	if mutate != nil {
		mutate(&cc)
	}
	c, err := bts.New(bts.Config{Cell: cc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (l *loop) step() {
	l.cell.Frame(l.fn, &l.dl)
	if l.net != nil {
		l.net.step()
	}
	if l.override != nil {
		l.override(l.fn, &l.dl)
	}
	for i, p := range l.phones {
		local := l.fn.Add(-l.origin[i])
		mstest.Downlink(p, local, &l.dl)
		p.Frame(local, &l.ul)
		mstest.Uplink(l.fn, &l.ul, -70, l.toa[i], func(rb *tdma.RxBurst) {
			if rb.Kind == tdma.KindAccess {
				l.access++
				if l.deaf {
					var a [tdma.AccessDataBits]int8
					tdma.AccessData(&a, (*[tdma.BurstBits]int8)(&rb.Soft))
					if ra, _, ok := coding.DecodeRACH(&a, tdma.BSIC{NCC: 2, BCC: 5}); !ok || rr.ParseChannelRequest(ra, false).Cause != rr.EstLocationUpdate {
						panic(fmt.Sprintf("access burst RA %#x ok=%v is not a location update", ra, ok))
					}
					return
				}
			}
			l.cell.Receive(rb)
		})
	}
	l.fn = l.fn.Add(1)
}

func newLoop(t testing.TB, cell *bts.Cell, n int, start tdma.FN) *loop {
	l := &loop{cell: cell, fn: start}
	for i := range n {
		imsi := fmt.Sprintf("0010100000%05d", i+1)
		p, err := newPhone(imsi, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		p.PowerOn()
		l.phones = append(l.phones, p)
		l.origin = append(l.origin, 1000*i+17)
		l.toa = append(l.toa, float32(i))
	}
	return l
}

// TestCampOnCell: a phone finds the cell's FCCH and SCH, decodes the BSIC
// and frame number from the SCH, reads SI3 and camps with its LAI, then
// starts a location update with channel requests that the cell decodes.
func TestCampOnCell(t *testing.T) {
	for _, combined := range []bool{true, false} {
		t.Run(fmt.Sprintf("combined=%v", combined), func(t *testing.T) {
			var cell *bts.Cell
			if combined {
				cell = newCell(t, func(c *rr.CellConfig) { c.CombinedCCCH = true })
			} else {
				cell = newCellSDCCH8(t)
			}
			l := newLoop(t, cell, 1, 2_000_000)
			p := l.phones[0]
			for range 51 * 12 {
				l.step()
				if p.Best() >= ms.MsRACH {
					break
				}
			}
			if p.Best() < ms.MsCamped {
				t.Fatalf("Best() = %v, want camped (state %v, stats %+v)", p.Best(), p.State(), p.Stats())
			}
			c := p.Cell()
			if want := (tdma.BSIC{NCC: 2, BCC: 5}); c.BSIC != want {
				t.Errorf("Cell().BSIC = %v, want %v", c.BSIC, want)
			}
			if want := (l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 0x1234}); c.LAI != want {
				t.Errorf("Cell().LAI = %v, want %v", c.LAI, want)
			}
			if c.CI != 7 {
				t.Errorf("Cell().CI = %d, want 7", c.CI)
			}
			off, ok := p.Synced()
			if !ok || off != l.origin[0] {
				t.Errorf("Synced() = %d, %v, want %d, true", off, ok, l.origin[0])
			}
			if p.Best() < ms.MsRACH {
				t.Fatalf("Best() = %v, want a channel request sent", p.Best())
			}
			if got := cell.Stats().AccessBursts; got == 0 {
				t.Errorf("cell decoded %d access bursts, want ≥ 1 (phone sent %d)", got, l.access)
			}
		})
	}
}

func newCellSDCCH8(t testing.TB) *bts.Cell {
	cc := rr.DefaultCellConfig()
	cc.PLMN = l3.PLMN{MCC: "001", MNC: "01"}
	cc.LAC, cc.CI = 0x1234, 7
	cc.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
	cc.Band, cc.ARFCN = tdma.GSM900, 62
	cc.CombinedCCCH = false
	c, err := bts.New(bts.Config{Cell: cc, SDCCH8: []tdma.TN{1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAccessRetries: without an answer, the phone sends M+1 channel
// requests spread over RACH slots as TS 44.018 §3.3.1.1.2 says, then
// waits T3126 and gives up; MM retries the update after T3211 (TS
// 24.008 §4.4.4.9).
func TestAccessRetries(t *testing.T) {
	cell := newCell(t, func(c *rr.CellConfig) { c.CombinedCCCH = true })
	si := cell.SystemInformation()
	var si3 rr.SI3
	if err := si3.Unmarshal(si.SI3[:]); err != nil {
		t.Fatal(err)
	}
	l := newLoop(t, cell, 1, 0)
	l.deaf = true
	p := l.phones[0]
	var sent []tdma.FN
	for range 51 * 120 {
		before := p.Stats().ChannelRequests
		f := l.fn
		l.step()
		if p.Stats().ChannelRequests > before {
			sent = append(sent, f)
		}
	}
	m := int(si3.RACH.MaxRetrans)
	if len(sent) < m+1 {
		t.Fatalf("%d channel requests in 120 multiframes, want ≥ M+1 = %d (T %d, stats %+v, state %v)", len(sent), m+1, rr.TxIntegerSlots(si3.RACH.TxInteger), p.Stats(), p.State())
	}
	T := rr.TxIntegerSlots(si3.RACH.TxInteger)
	S := ms.SlotsS(T, true)
	// Within one attempt, successive requests are S..S+T−1 RACH slots
	// apart: count the RACH slots between them.
	for i := 1; i <= m; i++ {
		slots := 0
		for f := sent[i-1].Add(1); f != sent[i]; f = f.Add(1) {
			if l1.CombV.Uplink(0, f).Chan.Kind == l1.ChanRACH {
				slots++
			}
		}
		if slots < S || slots > S+T-1 {
			t.Errorf("request %d: %d RACH slots after the previous, want %d..%d", i, slots, S, S+T-1)
		}
	}
	if got := p.Stats().AccessAttempts; got < 2 {
		t.Errorf("AccessAttempts = %d, want a retry after T3126 and MM's T3211", got)
	}
}

func TestChannelRequestRA(t *testing.T) {
	for _, c := range []rr.EstCause{rr.EstLocationUpdate, rr.EstPaging, rr.EstOriginating, rr.EstEmergency, rr.EstSDCCHProcedure} {
		for _, neci := range []bool{false, true} {
			for r := 0; r < 256; r += 37 {
				ra := ms.ChannelRequestRA(c, neci, uint8(r))
				got := rr.ParseChannelRequest(ra, neci).Cause
				want := c
				if c == rr.EstSDCCHProcedure && !neci {
					want = rr.EstOriginating
				}
				if got != want {
					t.Errorf("ParseChannelRequest(ChannelRequestRA(%v, %v, %d) = %#x) = %v, want %v", c, neci, r, ra, got, want)
				}
			}
		}
	}
}

func TestRxQual(t *testing.T) {
	for _, c := range []struct {
		ber  float64
		want uint8
	}{{0, 0}, {0.001, 0}, {0.003, 1}, {0.005, 2}, {0.01, 3}, {0.02, 4}, {0.05, 5}, {0.1, 6}, {0.2, 7}} {
		if got := ms.RxQual(c.ber); got != c.want {
			t.Errorf("RxQual(%g) = %d, want %d", c.ber, got, c.want)
		}
	}
}

func TestSlotsS(t *testing.T) {
	for _, c := range []struct {
		t        int
		combined bool
		want     int
	}{{3, false, 55}, {50, true, 41}, {4, false, 76}, {20, true, 58}, {25, false, 163}, {32, true, 115}, {13, false, 0}} {
		if got := ms.SlotsS(c.t, c.combined); got != c.want {
			t.Errorf("SlotsS(%d, %v) = %d, want %d", c.t, c.combined, got, c.want)
		}
	}
}

// fakeNet is a test network above the cell's rsl seam (LAPDm runs in the
// cell): for every channel an MS establishes it accepts the location
// update in the SABM with a new TMSI, waits for TMSI REALLOCATION
// COMPLETE and releases the channel.
type fakeNet struct {
	t       testing.TB
	cell    *bts.Cell
	up      *rsl.Queue[rsl.Up]
	tmsi    uint32 // the next TMSI to give
	keep    bool   // never release: stay on the channel
	lossy   bool   // the downlink is cut: reports show it
	links   []*netLink
	byRef   map[uint32]*netLink
	causes  []rr.EstCause // of every CHANNEL REQUIRED
	initial []rr.Message  // initial messages that are RR (Paging Response)
	out     [64]byte
	// handler, when set, sees each event first; true means handled.
	handler func(n *fakeNet, l *netLink, u *rsl.Up) bool
}

// netLink is what fakeNet knows of one channel activation.
type netLink struct {
	ref     uint32
	ch      l1.Chan
	tmsi    uint32
	got     []string // L3 message types received, in order
	meas    int      // measurement reports received
	release bool
	done    bool
}

// newFakeNet builds the cell of bc with a fakeNet above it.
func newFakeNet(t testing.TB, bc bts.Config, tmsi uint32) *fakeNet {
	t.Helper()
	n := &fakeNet{t: t, up: rsl.NewQueue[rsl.Up](256), tmsi: tmsi, byRef: map[uint32]*netLink{}}
	bc.Up = n.up
	cell, err := bts.New(bc)
	if err != nil {
		t.Fatal(err)
	}
	n.cell = cell
	return n
}

func (n *fakeNet) send(l *netLink, k rsl.DownKind, msg []byte) {
	n.cell.Down().Put(rsl.Down{Kind: k, Chan: l.ch, Ref: l.ref, Msg: append([]byte(nil), msg...)})
}

// step handles what the cell reported during the last frame.
func (n *fakeNet) step() {
	for range n.up.Len() {
		if u, ok := n.up.Get(); ok {
			n.event(&u)
		}
	}
}

func (n *fakeNet) event(u *rsl.Up) {
	if u.Kind == rsl.ChanRequired {
		n.causes = append(n.causes, rr.EstCause(u.Cause))
		return
	}
	l := n.byRef[u.Ref]
	if l == nil {
		l = &netLink{ref: u.Ref, ch: u.Chan, tmsi: n.tmsi}
		n.tmsi++
		n.byRef[u.Ref] = l
		n.links = append(n.links, l)
	}
	if n.handler != nil && n.handler(n, l, u) {
		return
	}
	switch u.Kind {
	case rsl.EstablishInd:
		if len(u.Msg) > 1 && l3.PD(u.Msg[0]&0x0f) == l3.PDRR {
			m, err := rr.DecodeDCCH(u.Msg)
			if err != nil {
				n.t.Errorf("initial message % x: %v", u.Msg, err)
				return
			}
			n.initial = append(n.initial, m)
			return
		}
		m, err := mm.Decode(u.Msg)
		if err != nil {
			n.t.Errorf("network: initial message % x: %v", u.Msg, err)
			return
		}
		l.got = append(l.got, fmt.Sprintf("%T", m))
		acc := mm.LocationUpdatingAccept{LAI: l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 0x1234},
			HasIdentity: true, Identity: l3.TMSI(l.tmsi)}
		k, err := acc.MarshalTo(n.out[:])
		if err != nil {
			n.t.Fatal(err)
		}
		n.send(l, rsl.DataReq, n.out[:k])
	case rsl.DataInd:
		m, err := mm.Decode(u.Msg)
		if err != nil {
			n.t.Errorf("network: message % x: %v", u.Msg, err)
			return
		}
		l.got = append(l.got, fmt.Sprintf("%T", m))
		if _, ok := m.(*mm.TMSIReallocationComplete); ok && !n.keep {
			rel := rr.ChannelRelease{Cause: 0}
			k, err := rel.MarshalTo(n.out[:])
			if err != nil {
				n.t.Fatal(err)
			}
			n.send(l, rsl.ChanRelease, n.out[:k])
			l.release = true
		}
	case rsl.MeasResult:
		m, err := rr.DecodeDCCH(u.Msg)
		if err != nil {
			n.t.Errorf("network: SACCH UI % x: %v", u.Msg, err)
			return
		}
		mr, ok := m.(*rr.MeasurementReport)
		if !ok {
			n.t.Errorf("network: SACCH UI %T, want a measurement report", m)
			return
		}
		// The loop delivers every burst at −60 dBm (RXLEV 50) with
		// no errors (RXQUAL 0), TS 45.008 §8.1.4, §8.2.4.
		if r := mr.Results; !n.lossy && r.Valid && (r.RxLevFull != 50 || r.RxQualFull != 0) {
			n.t.Errorf("measurement report RXLEV %d RXQUAL %d, want 50 and 0", r.RxLevFull, r.RxQualFull)
		}
		l.meas++
	case rsl.UnitDataInd:
		n.t.Errorf("network: unexpected UI frame % x", u.Msg)
	case rsl.ReleaseInd, rsl.ChanReleased, rsl.ConnFailure:
		l.done = true
	}
}

// TestLocationUpdate: with the cell's RR (gsm/bts) and a test network
// above LAPDm, phones get an SDCCH by Immediate Assignment, establish
// LAPDm with the LOCATION UPDATING REQUEST in the SABM, receive the
// ACCEPT with a TMSI, answer, send measurement reports on the SACCH, and
// go back to idle on CHANNEL RELEASE. Several phones power on together,
// so some channel requests collide on the same RACH slot's FN and the
// losers retry.
func TestLocationUpdate(t *testing.T) {
	for _, combined := range []bool{true, false} {
		t.Run(fmt.Sprintf("combined=%v", combined), func(t *testing.T) {
			cc := rr.DefaultCellConfig()
			cc.PLMN = l3.PLMN{MCC: "001", MNC: "01"}
			cc.LAC, cc.CI = 0x1234, 7
			cc.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
			cc.Band, cc.ARFCN = tdma.GSM900, 62
			cc.CombinedCCCH = combined
			bc := bts.Config{Cell: cc}
			if !combined {
				bc.SDCCH8 = []tdma.TN{3}
			}
			net := newFakeNet(t, bc, 0x1000)
			cell := net.cell
			const n = 6
			l := newLoop(t, cell, n, 100)
			l.net = net
			for i := range l.origin {
				l.origin[i] = 3 // same frame timing: their requests can collide
			}
			for range 51 * 120 {
				l.step()
				all := true
				for _, p := range l.phones {
					all = all && p.Best() >= ms.MsRegistered && p.State() == ms.StateIdle
				}
				if all {
					break
				}
			}
			for i, p := range l.phones {
				u := p.Upper().(*ms.MM)
				if !u.Registered() || p.SIM().TMSI == mm.NoTMSI || p.SIM().TMSI < 0x1000 {
					t.Errorf("phone %d: registered %v TMSI %#x, want registered with a TMSI (best %v, state %v, stats %+v)", i, u.Registered(), p.SIM().TMSI, p.Best(), p.State(), p.Stats())
				}
				if !p.Stats().Registered {
					t.Errorf("phone %d: Stats().Registered false", i)
				}
				if p.State() != ms.StateIdle {
					t.Errorf("phone %d: State() = %v, want idle after release", i, p.State())
				}
				st := p.Stats()
				if st.SI5+st.SI6 == 0 || st.MeasReports == 0 {
					t.Errorf("phone %d: SI5 %d SI6 %d measurement reports %d, want some", i, st.SI5, st.SI6, st.MeasReports)
				}
			}
			links := net.links
			for i, nl := range links {
				if nl.meas == 0 && len(nl.got) > 0 {
					t.Errorf("link %d: network got no measurement report", i)
				}
			}
			var retried, rejected int
			for _, p := range l.phones {
				if p.Stats().ChannelRequests > 1 {
					retried++
				}
				if p.Stats().ImmAssRej > 0 {
					rejected++
				}
			}
			// Six phones on four SDCCH/4: the cell rejects some with a wait
			// indication, and they come back after T3122.
			if combined && rejected == 0 {
				t.Errorf("no phone was rejected; want Immediate Assignment Reject then T3122 with 6 phones on 4 SDCCHs")
			}
			t.Logf("%d links, %d phones needed more than one channel request; cell %+v", len(links), retried, cell.Stats())
		})
	}
}

// TestPaging: a camped phone reads only its own paging sub-channel (TS
// 45.002 §6.5.3); a Paging Request Type 1 with its IMSI there makes it
// access with cause "answer to paging" (TS 44.018 Table 9.1.8.1) and send
// a Paging Response with its identity in the SABM. A page for another
// IMSI, or in another paging group's block, is ignored.
func TestPaging(t *testing.T) {
	cc := testCellConfig(true)
	cc.BSPAMfrms = 2
	cc.ATT = false // a registered phone has nothing to say at power on
	net := newFakeNet(t, bts.Config{Cell: cc}, 1)
	net.keep = true
	l := newLoop(t, net.cell, 1, 0)
	l.net = net
	p := l.phones[0]
	p.Upper().(*ms.MM).MS.SIM.Status = mm.U1Updated // registered: no LU
	p.Upper().(*ms.MM).MS.SIM.LAI = l3.LAI{PLMN: cc.PLMN, LAC: cc.LAC}
	for range 51 * 4 {
		l.step()
	}
	if p.State() != ms.StateIdle || p.Stats().ChannelRequests != 0 {
		t.Fatalf("State() = %v with %d requests, want idle without access", p.State(), p.Stats().ChannelRequests)
	}
	ccch, err := l1.NewCCCH(l1.CombV, int(cc.BSAGBlksRes), int(cc.BSPAMfrms))
	if err != nil {
		t.Fatal(err)
	}
	_, pg, err := ccch.Groups(p.SIM().IMSI)
	if err != nil {
		t.Fatal(err)
	}
	page := func(imsi string, group int) {
		var blk [23]byte
		m := rr.PagingRequest1{Count: 1, Identity: [2]l3.MobileIdentity{l3.IMSI(imsi)}}
		if err := m.MarshalTo(&blk); err != nil {
			t.Fatal(err)
		}
		var enc [4][116]byte
		coding.EncodeXCCH(&enc, &blk)
		start, ok := ccch.NextPagingFN(group, l.fn.Add(1))
		if !ok {
			t.Fatal("no paging block")
		}
		l.override = func(fn tdma.FN, dl *[tdma.Slots]tdma.TxBurst) {
			if d := fn.Sub(start); d >= 0 && d < 4 {
				dl[0].Kind = tdma.KindNormal
				tdma.Normal(&dl[0].Bits, &enc[d], cc.BSIC.BCC)
			}
		}
		for l.fn != start.Add(8) {
			l.step()
		}
		l.override = nil
	}
	other := (pg + 1) % ccch.N()
	page(p.SIM().IMSI, other) // not its block: it does not listen there
	page("001019999999999", pg)
	if n := p.Stats().Pages; n != 0 {
		t.Fatalf("Stats().Pages = %d after pages elsewhere and for others, want 0", n)
	}
	page(p.SIM().IMSI, pg)
	if n := p.Stats().Pages; n != 1 {
		t.Fatalf("Stats().Pages = %d, want 1", n)
	}
	for range 51 * 6 {
		l.step()
		if len(net.initial) > 0 {
			break
		}
	}
	gotRR := net.initial
	for _, c := range net.causes {
		if c != rr.EstPaging {
			t.Errorf("channel request cause %v, want answer to paging", c)
		}
	}
	if len(gotRR) != 1 {
		t.Fatalf("network got %d RR messages, want the Paging Response (phone %v, stats %+v)", len(gotRR), p.State(), p.Stats())
	}
	pr, ok := gotRR[0].(*rr.PagingResponse)
	if !ok || pr.Identity != l3.IMSI(p.SIM().IMSI) || !pr.Classmark.SMCap {
		t.Errorf("initial message %+v, want a Paging Response with IMSI %s and the classmark", gotRR[0], p.SIM().IMSI)
	}
}

// TestRadioLinkFailure: a phone on an SDCCH whose downlink disappears
// counts bad SACCH blocks down from RADIO_LINK_TIMEOUT (TS 45.008 §5.2)
// and goes back to idle when the counter reaches 0, telling MM the
// connection was lost.
func TestRadioLinkFailure(t *testing.T) {
	cc := testCellConfig(true)
	cc.RadioLinkTimeout = 8 // 3.8 s: before MM's T3240 (10 s) gives up
	net := newFakeNet(t, bts.Config{Cell: cc}, 7)
	net.keep, net.lossy = true, true
	l := newLoop(t, net.cell, 1, 0)
	l.net = net
	p := l.phones[0]
	for range 51 * 20 {
		l.step()
		if p.Best() >= ms.MsRegistered {
			break
		}
	}
	if p.State() != ms.StateDedicated {
		t.Fatalf("State() = %v, want dedicated", p.State())
	}
	l.override = func(fn tdma.FN, dl *[tdma.Slots]tdma.TxBurst) {
		for i := range dl {
			dl[i].Kind = tdma.KindNone // the phone drove into a tunnel
		}
	}
	lost := -1
	for k := range 102 * int(cc.RadioLinkTimeout+4) {
		l.step()
		if p.State() != ms.StateDedicated {
			lost = k
			break
		}
	}
	if lost < 0 || p.Stats().RadioLinkFailures != 1 {
		t.Fatalf("State() = %v, RadioLinkFailures %d: the link was not declared lost", p.State(), p.Stats().RadioLinkFailures)
	}
	// RADIO_LINK_TIMEOUT SACCH blocks, one per 102 frames on SDCCH/4.
	if blocks := lost / 102; blocks < int(cc.RadioLinkTimeout)-1 || blocks > int(cc.RadioLinkTimeout)+1 {
		t.Errorf("lost after %d frames (%d SACCH periods), want about RADIO_LINK_TIMEOUT = %d", lost, blocks, cc.RadioLinkTimeout)
	}
}

// cipherNet is a network that authenticates the phone (A3/A8 with the
// SIM's Ki, gsm/crypto) and starts ciphering with A5/alg through the
// cell (an rsl encryption command: TS 44.018 §3.4.7) before accepting the
// location update.
type cipherNet struct {
	alg   uint8
	ki    crypto.Ki
	rand  crypto.RAND
	kc    crypto.Kc
	sres  crypto.SRES
	authd bool
	cmc   bool // Ciphering Mode Complete received
	acked bool
}

func sendMsg(n *fakeNet, l *netLink, m interface {
	MarshalTo([]byte) (int, error)
}) {
	k, err := m.MarshalTo(n.out[:])
	if err != nil {
		n.t.Fatal(err)
	}
	n.send(l, rsl.DataReq, n.out[:k])
}

func (c *cipherNet) handle(n *fakeNet, l *netLink, u *rsl.Up) bool {
	switch u.Kind {
	case rsl.EstablishInd:
		for i := range c.rand {
			c.rand[i] = byte(17 * i)
		}
		var err error
		if c.sres, c.kc, err = crypto.Authenticate(crypto.COMP128v3, c.ki, crypto.OPc{}, c.rand); err != nil {
			n.t.Fatal(err)
		}
		sendMsg(n, l, &mm.AuthenticationRequest{CKSN: 1, RAND: c.rand})
	case rsl.DataInd:
		if l3.PD(u.Msg[0]&15) == l3.PDRR {
			m, err := rr.DecodeDCCH(u.Msg)
			if err != nil {
				n.t.Errorf("network: RR % x: %v", u.Msg, err)
				return true
			}
			if _, ok := m.(*rr.CipheringModeComplete); ok {
				c.cmc = true
				acc := mm.LocationUpdatingAccept{LAI: l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 0x1234},
					HasIdentity: true, Identity: l3.TMSI(0xc1)}
				sendMsg(n, l, &acc)
			}
			return true
		}
		m, err := mm.Decode(u.Msg)
		if err != nil {
			n.t.Errorf("network: % x: %v", u.Msg, err)
			return true
		}
		switch m := m.(type) {
		case *mm.AuthenticationResponse:
			if m.SRES != c.sres {
				n.t.Errorf("SRES %x, want %x", m.SRES, c.sres)
				return true
			}
			c.authd = true
			cmd := rr.CipheringModeCommand{Start: true, Algorithm: c.alg}
			k, err := cmd.MarshalTo(n.out[:])
			if err != nil {
				n.t.Fatal(err)
			}
			n.cell.Down().Put(rsl.Down{Kind: rsl.EncryptionCmd, Chan: l.ch, Ref: l.ref, Msg: append([]byte(nil), n.out[:k]...), Alg: c.alg, Kc: c.kc})
		case *mm.TMSIReallocationComplete:
			c.acked = true
		}
	default:
		return false
	}
	return true
}

// TestCiphering: the network authenticates the phone, which answers
// with the SRES of its SIM, and orders ciphering; the phone takes the Kc
// of that authentication from MM, enciphers its uplink and deciphers the
// downlink with A5/1 or A5/3 (the cell's side in gsm/bts and gsm/l1),
// answers Ciphering Mode Complete, and completes the location update on
// the ciphered channel.
func TestCiphering(t *testing.T) {
	for _, alg := range []uint8{1, 3} {
		t.Run(fmt.Sprintf("A5/%d", alg), func(t *testing.T) {
			net := newFakeNet(t, bts.Config{Cell: testCellConfig(false), SDCCH8: []tdma.TN{2}}, 1)
			net.keep = true
			l := newLoop(t, net.cell, 1, 0)
			l.net = net
			cl := &cipherNet{alg: alg}
			copy(cl.ki[:], l.phones[0].SIM().IMSI)
			net.handler = cl.handle
			p := l.phones[0]
			for range 51 * 30 {
				l.step()
				if cl.acked {
					break
				}
			}
			if !cl.authd || !cl.cmc || !cl.acked {
				t.Fatalf("network: authenticated %v, ciphering complete %v, TMSI acked %v (phone %v, stats %+v)",
					cl.authd, cl.cmc, cl.acked, p.State(), p.Stats())
			}
			if !p.Stats().Registered || p.SIM().TMSI != 0xc1 {
				t.Errorf("phone registered %v TMSI %#x, want true 0xc1", p.Stats().Registered, p.SIM().TMSI)
			}
			if st := net.cell.Stats().Dedicated; st.Ciphered != 1 {
				t.Errorf("cell enciphered %d downlinks, want 1", st.Ciphered)
			}
		})
	}
}

// TestClassmarkEnquiry: the phone answers a Classmark Enquiry with a
// Classmark Change carrying its Classmark 2 (A5/3, SMS capability).
func TestClassmarkEnquiry(t *testing.T) {
	var got *rr.ClassmarkChange
	net := newFakeNet(t, bts.Config{Cell: testCellConfig(true)}, 1)
	net.keep = true
	net.handler = func(n *fakeNet, l *netLink, u *rsl.Up) bool {
		switch u.Kind {
		case rsl.EstablishInd:
			sendMsg(n, l, &rr.ClassmarkEnquiry{})
		case rsl.DataInd:
			if m, err := rr.DecodeDCCH(u.Msg); err == nil {
				if cc, ok := m.(*rr.ClassmarkChange); ok {
					got = cc
				}
			}
		default:
			return false
		}
		return true
	}
	l := newLoop(t, net.cell, 1, 0)
	l.net = net
	for range 51 * 10 {
		l.step()
		if got != nil {
			break
		}
	}
	if got == nil {
		t.Fatalf("no Classmark Change (phone %v, stats %+v)", l.phones[0].State(), l.phones[0].Stats())
	}
	if c := got.Classmark; !c.A53 || !c.SMCap || !c.A51 {
		t.Errorf("Classmark Change %+v, want A5/1, A5/3 and SMS", c)
	}
}

// TestCellLost: a camped phone whose paging blocks stop decoding counts
// its downlink signalling failure counter down (TS 45.008 §6.5: −4 per
// bad block from 90/BS_PA_MFRMS) and goes back to the cell search; when
// the cell comes back it camps again.
func TestCellLost(t *testing.T) {
	cc := testCellConfig(true)
	cc.BSPAMfrms = 2
	cc.ATT = false // a registered phone has nothing to say at power on
	cell, err := bts.New(bts.Config{Cell: cc})
	if err != nil {
		t.Fatal(err)
	}
	l := newLoop(t, cell, 1, 0)
	p := l.phones[0]
	p.Upper().(*ms.MM).MS.SIM.Status = mm.U1Updated // registered: stays idle
	p.Upper().(*ms.MM).MS.SIM.LAI = l3.LAI{PLMN: cc.PLMN, LAC: cc.LAC}
	for range 51 * 4 {
		l.step()
	}
	if p.State() != ms.StateIdle {
		t.Fatalf("State() = %v, want idle", p.State())
	}
	off := func(fn tdma.FN, dl *[tdma.Slots]tdma.TxBurst) {
		for i := range dl {
			dl[i].Kind = tdma.KindNone
		}
	}
	l.override = off
	lost := -1
	for k := range 51 * 40 {
		l.step()
		if p.State() == ms.StateSearch {
			lost = k
			break
		}
	}
	// 45 / 4 → 12 bad paging blocks, one per BS_PA_MFRMS multiframes.
	if want := 12 * 2 * 51; lost < want-2*51 || lost > want+2*51 {
		t.Errorf("cell lost after %d frames, want about %d (Stats %+v)", lost, want, p.Stats())
	}
	if p.Stats().CellLost != 1 {
		t.Errorf("Stats().CellLost = %d, want 1", p.Stats().CellLost)
	}
	l.override = nil
	for range 51 * 6 {
		l.step()
	}
	if p.State() != ms.StateIdle {
		t.Errorf("State() = %v after the cell came back, want idle", p.State())
	}
}

// TestReadsBAList: a camped phone reads the neighbour cells' BA list from
// SI2 (TS 44.018 §9.1.32), and from SI2bis as well when SI2's EXT-IND
// says the list continues there (§9.1.33): a GSM900 cell's list fits
// SI2's bit map, a DCS1800 cell's 30 channels over 348 do not.
func TestReadsBAList(t *testing.T) {
	var dcs []tdma.ARFCN
	for i := range 30 {
		dcs = append(dcs, tdma.ARFCN(512+12*i))
	}
	for _, tc := range []struct {
		name  string
		band  tdma.Band
		arfcn tdma.ARFCN
		nb    []tdma.ARFCN
		ext   bool
	}{
		{"GSM900 in SI2", tdma.GSM900, 62, []tdma.ARFCN{3, 17, 60, 64, 124}, false},
		{"DCS1800 over SI2 and SI2bis", tdma.DCS1800, 700, dcs, true},
		{"none", tdma.GSM900, 62, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cell := newCell(t, func(c *rr.CellConfig) { c.Band, c.ARFCN, c.Neighbours = tc.band, tc.arfcn, tc.nb })
			l := newLoop(t, cell, 1, 3_000_000)
			// A phone with no MM above it stays camped in idle mode
			// (a scanning receiver), reading the BCCH.
			p, err := ms.New(ms.Config{SIM: testSIM("001010000000001"), Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			p.PowerOn()
			l.phones[0] = p
			for range 51 * 20 {
				l.step()
				if c := p.Cell(); p.Best() >= ms.MsCamped && c.BAComplete() {
					break
				}
			}
			c := p.Cell()
			if !c.BAComplete() || c.BAExt != tc.ext || c.SI2bis != tc.ext {
				t.Fatalf("Cell() BA complete %v, EXT-IND %v, SI2bis %v; want true, %v, %v", c.BAComplete(), c.BAExt, c.SI2bis, tc.ext, tc.ext)
			}
			if want := rr.NewFreqSet(tc.nb...); c.BA != want {
				t.Errorf("Cell().BA = %v, want %v", c.BA.ARFCNs(), tc.nb)
			}
		})
	}
}
