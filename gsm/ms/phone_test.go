package ms_test

import (
	"fmt"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
	"github.com/gsmbox/gsmbox/gsm/rr"
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
	// override, when set, may replace the cell's downlink of a frame.
	override func(fn tdma.FN, dl *[tdma.Slots]tdma.TxBurst)
	// netCipher stands in for the cell's ciphering (gsm/bts has none
	// yet): when on, the dedicated downlink bursts of timeslot cipherTN
	// are enciphered and the uplink normal bursts deciphered.
	netCipher l1.Cipher
	cipherTN  tdma.TN
	comb      l1.Combination
	dlCipher  bool // the downlink is enciphered too
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
	if l.override != nil {
		l.override(l.fn, &l.dl)
	}
	if l.netCipher.On() && l.dlCipher {
		tn := l.cipherTN
		if b := &l.dl[tn]; b.Kind == tdma.KindNormal && l.comb.Downlink(tn, l.fn).Chan.Kind.Dedicated() {
			l.netCipher.EncryptBurst(l1.DirDown, l.fn, &b.Bits)
		}
	}
	for i, p := range l.phones {
		local := l.fn.Add(-l.origin[i])
		mstest.Downlink(p, local, &l.dl)
		p.Frame(local, &l.ul)
		mstest.Uplink(l.fn, &l.ul, -70, l.toa[i], func(rb *tdma.RxBurst) {
			if rb.Kind == tdma.KindNormal && l.netCipher.On() {
				l.netCipher.DecryptSoft(l1.DirUp, l.fn, &rb.Soft)
			}
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

// netLink is a test network above one of the cell's SDCCHs: LAPDm on the
// network side, and an L3 that accepts the location update in the SABM
// with a new TMSI, waits for TMSI REALLOCATION COMPLETE and releases the
// channel.
type netLink struct {
	t       testing.TB
	link    *lapdm.Link
	done    bool
	tmsi    uint32
	got     []string // L3 message types received, in order
	meas    int      // measurement reports received
	out     [64]byte
	release bool
	keep    bool // never release: stay on the channel
	lossy   bool // the downlink is cut: reports show it
}

func (n *netLink) handle(inds []lapdm.Indication) {
	for _, ind := range inds {
		switch ind.Kind {
		case lapdm.EstablishInd:
			m, err := mm.Decode(ind.Msg)
			if err != nil {
				n.t.Errorf("network: initial message % x: %v", ind.Msg, err)
				continue
			}
			n.got = append(n.got, fmt.Sprintf("%T", m))
			acc := mm.LocationUpdatingAccept{LAI: l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 0x1234},
				HasIdentity: true, Identity: l3.TMSI(n.tmsi)}
			k, err := acc.MarshalTo(n.out[:])
			if err != nil {
				n.t.Fatal(err)
			}
			if err := n.link.Entity(0).Send(n.out[:k]); err != nil {
				n.t.Error(err)
			}
		case lapdm.DataInd:
			m, err := mm.Decode(ind.Msg)
			if err != nil {
				n.t.Errorf("network: message % x: %v", ind.Msg, err)
				continue
			}
			n.got = append(n.got, fmt.Sprintf("%T", m))
			if _, ok := m.(*mm.TMSIReallocationComplete); ok && !n.keep {
				rel := rr.ChannelRelease{Cause: 0}
				k, err := rel.MarshalTo(n.out[:])
				if err != nil {
					n.t.Fatal(err)
				}
				_ = n.link.Entity(0).Send(n.out[:k])
				n.release = true
			}
		case lapdm.UnitDataInd:
			m, err := rr.DecodeDCCH(ind.Msg)
			if err != nil {
				n.t.Errorf("network: SACCH UI % x: %v", ind.Msg, err)
				continue
			}
			mr, ok := m.(*rr.MeasurementReport)
			if !ok {
				n.t.Errorf("network: SACCH UI %T, want a measurement report", m)
				continue
			}
			// The loop delivers every burst at −60 dBm (RXLEV 50) with
			// no errors (RXQUAL 0), TS 45.008 §8.1.4, §8.2.4.
			if r := mr.Results; !n.lossy && r.Valid && (r.RxLevFull != 50 || r.RxQualFull != 0) {
				n.t.Errorf("measurement report RXLEV %d RXQUAL %d, want 50 and 0", r.RxLevFull, r.RxQualFull)
			}
			n.meas++
		case lapdm.ReleaseInd, lapdm.ReleaseConf:
			if ind.SAPI == 0 {
				n.done = true
			}
		}
	}
}

func (n *netLink) Downlink(fn tdma.FN, dst *[23]byte) bool      { return n.link.NextMain(fn, dst) }
func (n *netLink) DownlinkSACCH(fn tdma.FN, dst *[23]byte) bool { return false }
func (n *netLink) Uplink(fn tdma.FN, msg *[23]byte)             { n.handle(n.link.ReceiveMain(fn, msg[:])) }
func (n *netLink) UplinkSACCH(fn tdma.FN, msg *[23]byte) {
	n.handle(n.link.ReceiveSACCH(fn, msg[:]))
}
func (n *netLink) Tick(fn tdma.FN) { n.handle(n.link.Tick(fn)) }
func (n *netLink) Done() bool      { return n.done }

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
			var links []*netLink
			newLink := func(ci bts.ChanInfo) bts.Link {
				l, err := lapdm.NewLink(lapdm.Network, lapdm.SDCCH)
				if err != nil {
					t.Fatal(err)
				}
				n := &netLink{t: t, link: l, tmsi: 0x1000 + uint32(len(links))}
				links = append(links, n)
				return n
			}
			cc := rr.DefaultCellConfig()
			cc.PLMN = l3.PLMN{MCC: "001", MNC: "01"}
			cc.LAC, cc.CI = 0x1234, 7
			cc.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
			cc.Band, cc.ARFCN = tdma.GSM900, 62
			cc.CombinedCCCH = combined
			bc := bts.Config{Cell: cc, NewLink: newLink}
			if !combined {
				bc.SDCCH8 = []tdma.TN{3}
			}
			cell, err := bts.New(bc)
			if err != nil {
				t.Fatal(err)
			}
			const n = 6
			l := newLoop(t, cell, n, 100)
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
			for i, nl := range links {
				if nl.meas == 0 {
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
	var got []mm.Message
	var gotRR []rr.Message
	newLink := func(ci bts.ChanInfo) bts.Link {
		l, _ := lapdm.NewLink(lapdm.Network, lapdm.SDCCH)
		if ci.Cause != rr.EstPaging {
			t.Errorf("channel request cause %v, want answer to paging", ci.Cause)
		}
		return &pageLink{netLink: netLink{t: t, link: l, keep: true}, rr: &gotRR, mm: &got}
	}
	cc := testCellConfig(true)
	cc.BSPAMfrms = 2
	cell, err := bts.New(bts.Config{Cell: cc, NewLink: newLink})
	if err != nil {
		t.Fatal(err)
	}
	l := newLoop(t, cell, 1, 0)
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
		if len(gotRR) > 0 {
			break
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

// pageLink is a network link that records the initial RR message.
type pageLink struct {
	netLink
	rr *[]rr.Message
	mm *[]mm.Message
}

func (n *pageLink) Uplink(fn tdma.FN, msg *[23]byte) {
	for _, ind := range n.link.ReceiveMain(fn, msg[:]) {
		if ind.Kind == lapdm.EstablishInd {
			m, err := rr.DecodeDCCH(ind.Msg)
			if err != nil {
				n.t.Errorf("initial message % x: %v", ind.Msg, err)
				continue
			}
			*n.rr = append(*n.rr, m)
		}
	}
}

// TestRadioLinkFailure: a phone on an SDCCH whose downlink disappears
// counts bad SACCH blocks down from RADIO_LINK_TIMEOUT (TS 45.008 §5.2)
// and goes back to idle when the counter reaches 0, telling MM the
// connection was lost.
func TestRadioLinkFailure(t *testing.T) {
	cc := testCellConfig(true)
	cc.RadioLinkTimeout = 8 // 3.8 s: before MM's T3240 (10 s) gives up
	cell, err := bts.New(bts.Config{Cell: cc, NewLink: func(bts.ChanInfo) bts.Link {
		l, _ := lapdm.NewLink(lapdm.Network, lapdm.SDCCH)
		return &netLink{t: t, link: l, tmsi: 7, keep: true, lossy: true}
	}})
	if err != nil {
		t.Fatal(err)
	}
	l := newLoop(t, cell, 1, 0)
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

// cipherLink is a network that authenticates the phone (A3/A8 with the
// SIM's Ki, gsm/crypto) and starts ciphering with A5/alg (TS 44.018
// §3.4.7) before accepting the location update.
type cipherLink struct {
	netLink
	l     *loop
	alg   uint8
	ki    crypto.Ki
	rand  crypto.RAND
	kc    crypto.Kc
	sres  crypto.SRES
	authd bool
	cmc   bool // Ciphering Mode Complete received
	imsi  string
	acked bool
}

func (n *cipherLink) send(m interface {
	MarshalTo([]byte) (int, error)
}) {
	k, err := m.MarshalTo(n.out[:])
	if err != nil {
		n.t.Fatal(err)
	}
	if err := n.link.Entity(0).Send(n.out[:k]); err != nil {
		n.t.Error(err)
	}
}

func (n *cipherLink) handle(inds []lapdm.Indication) {
	for _, ind := range inds {
		switch ind.Kind {
		case lapdm.EstablishInd:
			for i := range n.rand {
				n.rand[i] = byte(17 * i)
			}
			var err error
			if n.sres, n.kc, err = crypto.Authenticate(crypto.COMP128v3, n.ki, crypto.OPc{}, n.rand); err != nil {
				n.t.Fatal(err)
			}
			n.send(&mm.AuthenticationRequest{CKSN: 1, RAND: n.rand})
		case lapdm.DataInd:
			if l3.PD(ind.Msg[0]&15) == l3.PDRR {
				m, err := rr.DecodeDCCH(ind.Msg)
				if err != nil {
					n.t.Errorf("network: RR % x: %v", ind.Msg, err)
					continue
				}
				if _, ok := m.(*rr.CipheringModeComplete); ok {
					// A correct ciphered frame: encipher the downlink
					// too (TS 44.018 §3.4.7.2).
					n.cmc, n.l.dlCipher = true, true
					acc := mm.LocationUpdatingAccept{LAI: l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 0x1234},
						HasIdentity: true, Identity: l3.TMSI(0xc1)}
					n.send(&acc)
				}
				continue
			}
			m, err := mm.Decode(ind.Msg)
			if err != nil {
				n.t.Errorf("network: % x: %v", ind.Msg, err)
				continue
			}
			switch m := m.(type) {
			case *mm.AuthenticationResponse:
				if m.SRES != n.sres {
					n.t.Errorf("SRES %x, want %x", m.SRES, n.sres)
					continue
				}
				n.authd = true
				n.send(&rr.CipheringModeCommand{Start: true, Algorithm: n.alg})
				// The network deciphers the uplink from here on; the
				// command itself goes in clear.
				if err := n.l.netCipher.Set(a5.Alg(n.alg), n.kc); err != nil {
					n.t.Fatal(err)
				}
			case *mm.TMSIReallocationComplete:
				n.acked = true
			}
		case lapdm.UnitDataInd:
			n.meas++
		}
	}
}

func (n *cipherLink) Uplink(fn tdma.FN, msg *[23]byte) { n.handle(n.link.ReceiveMain(fn, msg[:])) }
func (n *cipherLink) UplinkSACCH(fn tdma.FN, msg *[23]byte) {
	n.handle(n.link.ReceiveSACCH(fn, msg[:]))
}
func (n *cipherLink) Tick(fn tdma.FN) { n.handle(n.link.Tick(fn)) }

// TestCiphering: the network authenticates the phone, which answers
// with the SRES of its SIM, and orders ciphering; the phone takes the Kc
// of that authentication from MM, enciphers its uplink and deciphers the
// downlink with A5/1 or A5/3 (gsm/l1's Cipher, the network's side
// emulated in the loop), answers Ciphering Mode Complete, and completes
// the location update on the ciphered channel.
func TestCiphering(t *testing.T) {
	for _, alg := range []uint8{1, 3} {
		t.Run(fmt.Sprintf("A5/%d", alg), func(t *testing.T) {
			var cl *cipherLink
			var l *loop
			cell, err := bts.New(bts.Config{Cell: testCellConfig(false), SDCCH8: []tdma.TN{2}, NewLink: func(ci bts.ChanInfo) bts.Link {
				link, _ := lapdm.NewLink(lapdm.Network, lapdm.SDCCH)
				cl = &cipherLink{netLink: netLink{t: t, link: link, keep: true}, l: l, alg: alg}
				copy(cl.ki[:], l.phones[0].SIM().IMSI)
				l.cipherTN, l.comb = ci.Chan.TN, l1.CombVII
				return cl
			}})
			if err != nil {
				t.Fatal(err)
			}
			l = newLoop(t, cell, 1, 0)
			p := l.phones[0]
			for range 51 * 30 {
				l.step()
				if cl != nil && cl.acked {
					break
				}
			}
			if cl == nil || !cl.authd || !cl.cmc || !cl.acked {
				t.Fatalf("network: link %v authenticated %v, ciphering complete %v, TMSI acked %v (phone %v, stats %+v)",
					cl != nil, cl != nil && cl.authd, cl != nil && cl.cmc, cl != nil && cl.acked, p.State(), p.Stats())
			}
			if !p.Stats().Registered || p.SIM().TMSI != 0xc1 {
				t.Errorf("phone registered %v TMSI %#x, want true 0xc1", p.Stats().Registered, p.SIM().TMSI)
			}
		})
	}
}

// classmarkLink asks the phone for its classmark (TS 44.018 §3.4.11)
// after the SABM and records the answer.
type classmarkLink struct {
	netLink
	got *rr.ClassmarkChange
}

func (n *classmarkLink) Uplink(fn tdma.FN, msg *[23]byte) {
	for _, ind := range n.link.ReceiveMain(fn, msg[:]) {
		switch ind.Kind {
		case lapdm.EstablishInd:
			_ = n.link.Entity(0).Send([]byte{byte(l3.PDRR), 0x13})
		case lapdm.DataInd:
			if m, err := rr.DecodeDCCH(ind.Msg); err == nil {
				if cc, ok := m.(*rr.ClassmarkChange); ok {
					n.got = cc
				}
			}
		}
	}
}

// TestClassmarkEnquiry: the phone answers a Classmark Enquiry with a
// Classmark Change carrying its Classmark 2 (A5/3, SMS capability).
func TestClassmarkEnquiry(t *testing.T) {
	var cl *classmarkLink
	cell, err := bts.New(bts.Config{Cell: testCellConfig(true), NewLink: func(bts.ChanInfo) bts.Link {
		l, _ := lapdm.NewLink(lapdm.Network, lapdm.SDCCH)
		cl = &classmarkLink{netLink: netLink{t: t, link: l, keep: true}}
		return cl
	}})
	if err != nil {
		t.Fatal(err)
	}
	l := newLoop(t, cell, 1, 0)
	for range 51 * 10 {
		l.step()
		if cl != nil && cl.got != nil {
			break
		}
	}
	if cl == nil || cl.got == nil {
		t.Fatalf("no Classmark Change (phone %v, stats %+v)", l.phones[0].State(), l.phones[0].Stats())
	}
	if c := cl.got.Classmark; !c.A53 || !c.SMCap || !c.A51 {
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
