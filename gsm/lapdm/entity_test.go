package lapdm

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// peer builds the frames of the other end of an entity under test.
type peer struct {
	t    *testing.T
	side Side // the side of the peer
	sapi uint8
	ch   Channel
}

// cmd and resp return the C/R bit of a command and a response sent by p.
func (p peer) cmd() bool  { return p.side == Network }
func (p peer) resp() bool { return p.side == MS }

func (p peer) block(f Frame) []byte {
	p.t.Helper()
	f.SAPI = p.sapi
	if f.Format == 0 {
		f.Format = FormatB
	}
	var b [BlockLen]byte
	dst := b[:]
	if p.ch == SACCH {
		dst = b[SACCHL1HeaderLen:]
	}
	if _, err := f.MarshalTo(dst); err != nil {
		p.t.Fatalf("MarshalTo(%v): %v", f, err)
	}
	return b[:]
}

func (p peer) sabm(info []byte) []byte {
	return p.block(Frame{Type: TypeSABM, PF: true, CR: p.cmd(), Info: info})
}
func (p peer) ua(info []byte) []byte {
	return p.block(Frame{Type: TypeUA, PF: true, CR: p.resp(), Info: info})
}
func (p peer) i(ns, nr uint8, pf, m bool, info []byte) []byte {
	return p.block(Frame{Type: TypeI, NS: ns, NR: nr, PF: pf, M: m, CR: p.cmd(), Info: info})
}
func (p peer) s(t Type, nr uint8, pf, cmd bool) []byte {
	return p.block(Frame{Type: t, NR: nr, PF: pf, CR: cmd == p.cmd()})
}
func (p peer) u(t Type, pf, cmd bool) []byte {
	return p.block(Frame{Type: t, PF: pf, CR: cmd == p.cmd()})
}

// out runs Next on e and decodes the frame, or returns nil.
func out(t *testing.T, e *Entity, fn tdma.FN) *Frame {
	t.Helper()
	var b [BlockLen]byte
	if !e.Next(fn, &b) {
		return nil
	}
	f := new(Frame)
	var err error
	if e.cfg.Channel == SACCH {
		if e.b4 {
			err = f.UnmarshalB4(b[2:])
		} else {
			err = f.Unmarshal(b[2:])
		}
	} else {
		err = f.Unmarshal(b[:])
	}
	if err != nil {
		t.Fatalf("Next wrote % x: %v", b, err)
	}
	f.Info = bytes.Clone(f.Info)
	return f
}

// want checks a frame's header fields.
func want(t *testing.T, f *Frame, typ Type, cr, pf bool, ns, nr uint8) {
	t.Helper()
	if f == nil {
		t.Fatalf("Next = nothing, want %v", typ)
	}
	if f.Type != typ || f.CR != cr || f.PF != pf || (typ == TypeI && f.NS != ns) || (typ <= TypeREJ && f.NR != nr) {
		t.Fatalf("Next = %v, want %v C/R=%t P/F=%t N(S)=%d N(R)=%d", f, typ, cr, pf, ns, nr)
	}
}

func wantInd(t *testing.T, got []Indication, want ...Indication) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("indications = %v, want %v", got, want)
	}
	for i := range got {
		if got[i].Kind != want[i].Kind || got[i].Cause != want[i].Cause || !bytes.Equal(got[i].Msg, want[i].Msg) {
			t.Fatalf("indications = %v, want %v", got, want)
		}
	}
}

func newEntity(t *testing.T, side Side, sapi uint8, ch Channel) *Entity {
	t.Helper()
	e, err := NewEntity(Config{Side: side, SAPI: sapi, Channel: ch})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var luReq = []byte{0x05, 0x08, 0x70, 0x02, 0xf8, 0x01, 0x00, 0x01, 0x33, 0x05, 0xf4, 0x12, 0x34, 0x56, 0x78}

// established returns a network and an MS entity joined through a
// contention-resolution establishment, at frame 100.
func established(t *testing.T, ch Channel) (net, ms *Entity) {
	t.Helper()
	net = newEntity(t, Network, 0, ch)
	ms = newEntity(t, MS, 0, ch)
	if err := ms.Establish(luReq); err != nil {
		t.Fatal(err)
	}
	var b [BlockLen]byte
	if !ms.Next(100, &b) {
		t.Fatal("no SABM")
	}
	net.Receive(100, b[:])
	if !net.Next(101, &b) {
		t.Fatal("no UA")
	}
	ms.Receive(101, b[:])
	if ms.State() != StateEstablished || net.State() != StateEstablished {
		t.Fatalf("states %v, %v; want established", ms.State(), net.State())
	}
	return net, ms
}

// TestEstablishMS: TS 44.006 §5.4.1.2, §5.4.1.4 (contention resolution on
// the MS side).
func TestEstablishMS(t *testing.T) {
	nw := peer{side: Network, ch: SDCCH}
	for _, tc := range []struct {
		name   string
		uaInfo []byte
		state  State
		ind    Indication
	}{
		{"match", luReq, StateEstablished, Indication{Kind: EstablishConf}},
		{"mismatch", append(slices.Clone(luReq[:len(luReq)-1]), 0x79), StateIdle, Indication{Kind: ReleaseInd, Cause: CauseContentionMismatch}},
		{"no info", nil, StateIdle, Indication{Kind: ReleaseInd, Cause: CauseContentionMismatch}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nw.t = t
			ms := newEntity(t, MS, 0, SDCCH)
			if err := ms.Establish(luReq); err != nil {
				t.Fatal(err)
			}
			f := out(t, ms, 10)
			want(t, f, TypeSABM, false, true, 0, 0)
			if !bytes.Equal(f.Info, luReq) {
				t.Fatalf("SABM info = % x, want % x", f.Info, luReq)
			}
			wantInd(t, ms.Receive(20, nw.ua(tc.uaInfo)), tc.ind)
			if ms.State() != tc.state {
				t.Fatalf("State() = %v, want %v", ms.State(), tc.state)
			}
			if f := out(t, ms, 61); f != nil {
				t.Fatalf("Next after UA = %v, want nothing (no DISC on a lost contention)", f)
			}
		})
	}
}

// TestEstablishNetwork: the network side of §5.4.1.4 echoes the SABM
// information in the UA, answers a repeated SABM again without a new
// indication, and passes the initial message to L3.
func TestEstablishNetwork(t *testing.T) {
	ms := peer{t: t, side: MS, ch: SDCCH}
	net := newEntity(t, Network, 0, SDCCH)
	wantInd(t, net.Receive(10, ms.sabm(luReq)), Indication{Kind: EstablishInd, Msg: luReq})
	f := out(t, net, 51)
	want(t, f, TypeUA, false, true, 0, 0)
	if !bytes.Equal(f.Info, luReq) {
		t.Fatalf("UA info = % x, want % x", f.Info, luReq)
	}
	// UA lost: the MS repeats its SABM.
	wantInd(t, net.Receive(61, ms.sabm(luReq)))
	f = out(t, net, 102)
	want(t, f, TypeUA, false, true, 0, 0)
	if !bytes.Equal(f.Info, luReq) {
		t.Fatalf("repeated UA info = % x, want % x", f.Info, luReq)
	}
	// Another MS's SABM on the same channel is not taken.
	other := slices.Clone(luReq)
	other[len(other)-1]++
	wantInd(t, net.Receive(112, ms.sabm(other)), Indication{Kind: ErrorInd, Cause: CauseSABMInfoNotAllowed})
	if f := out(t, net, 153); f != nil {
		t.Fatalf("Next after foreign SABM = %v, want nothing", f)
	}
}

// TestEstablishT200: SABM is repeated on T200 expiry and the attempt ends
// after N200 repetitions (§5.4.1.3), and a DM answer ends it at once.
func TestEstablishT200(t *testing.T) {
	ms := newEntity(t, MS, 0, SDCCH)
	if err := ms.Establish(luReq); err != nil {
		t.Fatal(err)
	}
	fn := tdma.FN(0)
	sabms := 0
	var last []Indication
	for range 51 * 30 {
		if ind := ms.Tick(fn); len(ind) > 0 {
			last = slices.Clone(ind)
			break
		}
		if fn%51 == 0 {
			if f := out(t, ms, fn); f != nil {
				want(t, f, TypeSABM, false, true, 0, 0)
				sabms++
			}
		}
		fn++
	}
	wantInd(t, last, Indication{Kind: ReleaseInd, Cause: CauseT200})
	if n := SDCCH.N200() + 1; sabms != n {
		t.Errorf("SABMs sent = %d, want N200+1 = %d", sabms, n)
	}

	nw := peer{t: t, side: Network, ch: SDCCH}
	ms = newEntity(t, MS, 0, SDCCH)
	ms.Establish(luReq)
	out(t, ms, 0)
	wantInd(t, ms.Receive(5, nw.u(TypeDM, true, false)), Indication{Kind: ReleaseInd, Cause: CauseUnsolicitedDM})
}

// TestIFrames: acknowledged transfer both ways with piggy-backed
// acknowledgement and RR when there is nothing to piggy-back on
// (§5.5.1–§5.5.3).
func TestIFrames(t *testing.T) {
	net, ms := established(t, SDCCH)
	fn := tdma.FN(200)
	authReq := []byte{0x05, 0x12, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	authResp := []byte{0x05, 0x14, 0xaa, 0xbb, 0xcc, 0xdd}
	if err := net.Send(authReq); err != nil {
		t.Fatal(err)
	}
	var b [BlockLen]byte
	if !net.Next(fn, &b) {
		t.Fatal("no I frame")
	}
	var f Frame
	f.Unmarshal(b[:])
	want(t, &f, TypeI, true, false, 0, 0)
	wantInd(t, ms.Receive(fn+4, b[:]), Indication{Kind: DataInd, Msg: authReq})
	// The answer carries the acknowledgement: N(S)=0, N(R)=1, no RR first.
	ms.Send(authResp)
	fi := out(t, ms, fn+15)
	want(t, fi, TypeI, false, false, 0, 1)
	if fi.M || !bytes.Equal(fi.Info, authResp) {
		t.Fatalf("I frame = %v % x, want M=0 % x", fi, fi.Info, authResp)
	}
	var ib [BlockLen]byte
	fi.MarshalTo(ib[:])
	wantInd(t, net.Receive(fn+19, ib[:]), Indication{Kind: DataInd, Msg: authResp})
	if net.t200On {
		t.Error("network T200 still running after acknowledgement")
	}
	// The network has nothing to send: a plain RR response acknowledges.
	want(t, out(t, net, fn+51), TypeRR, false, false, 0, 1)
	if f := out(t, net, fn+102); f != nil {
		t.Fatalf("Next = %v, want nothing", f)
	}
}

// TestTimerRecovery: a lost I frame is retransmitted with P=1 on T200
// expiry, the peer answers RR with F=1, and the sender leaves timer
// recovery (§5.5.7). When the acknowledgement was lost instead, the peer
// sees a repeated N(S) and answers REJ with F=1, which also ends it.
func TestTimerRecovery(t *testing.T) {
	for _, lost := range []string{"I frame", "acknowledgement"} {
		t.Run(lost, func(t *testing.T) {
			net, ms := established(t, SDCCH)
			net.Send([]byte{0x05, 0x18, 0x01})
			fn := tdma.FN(204)
			var b [BlockLen]byte
			net.Tick(fn)
			net.Next(fn, &b)
			if lost == "acknowledgement" {
				ms.Receive(fn+4, b[:])
				out(t, ms, fn+15) // RR, lost
			}
			for f := fn; f.Sub(fn) < net.cfg.T200; f++ {
				if ind := net.Tick(f); len(ind) > 0 || net.State() != StateEstablished {
					t.Fatalf("frame %v: %v, state %v before T200", f, ind, net.State())
				}
			}
			net.Tick(fn.Add(net.cfg.T200))
			if net.State() != StateTimerRecovery {
				t.Fatalf("State() = %v after T200, want timer recovery", net.State())
			}
			fn = fn.Add(51)
			net.Next(fn, &b)
			var f Frame
			f.Unmarshal(b[:])
			want(t, &f, TypeI, true, true, 0, 0)
			ms.Receive(fn+4, b[:])
			r := out(t, ms, fn+15)
			if lost == "I frame" {
				want(t, r, TypeRR, true, true, 0, 1)
			} else {
				want(t, r, TypeREJ, true, true, 0, 1)
			}
			var rb [BlockLen]byte
			r.MarshalTo(rb[:])
			wantInd(t, net.Receive(fn+19, rb[:]))
			if net.State() != StateEstablished || net.t200On || net.txN != 0 {
				t.Fatalf("after F=1: state %v, T200 %t, queue %d; want established, stopped, 0", net.State(), net.t200On, net.txN)
			}
		})
	}
}

// TestN200: with no answer, the I frame is sent N200+1 times in all and the
// link is then released with "T200 expired N200+1 times" (§5.5.7, §5.8.2).
func TestN200(t *testing.T) {
	for _, ch := range []Channel{SDCCH, FACCHF, FACCHH, SACCH} {
		t.Run(ch.String(), func(t *testing.T) {
			sapi := uint8(0)
			if ch == SACCH {
				sapi = 3
			}
			ms := peer{t: t, side: MS, sapi: sapi, ch: ch}
			net := newEntity(t, Network, sapi, ch)
			net.Receive(0, ms.sabm(nil))
			out(t, net, 1) // UA
			net.Send([]byte{0x09, 0x01, 0x02})
			sent := 0
			var rel []Indication
			for fn := tdma.FN(2); fn < 100000 && rel == nil; fn++ {
				if ind := net.Tick(fn); len(ind) > 0 {
					rel = slices.Clone(ind)
				}
				if f := out(t, net, fn); f != nil {
					want(t, f, TypeI, true, sent > 0, 0, 0)
					sent++
				}
			}
			wantInd(t, rel, Indication{Kind: ReleaseInd, Cause: CauseT200})
			if want := ch.N200() + 1; sent != want {
				t.Errorf("I frames sent = %d, want N200+1 = %d", sent, want)
			}
			if net.State() != StateIdle {
				t.Errorf("State() = %v, want idle", net.State())
			}
		})
	}
}

// TestREJ: an out-of-sequence I frame is answered once with REJ (and its
// information discarded); a received REJ makes the sender retransmit.
func TestREJ(t *testing.T) {
	net, ms := established(t, SDCCH)
	nw := peer{t: t, side: Network, ch: SDCCH}
	wantInd(t, ms.Receive(200, nw.i(1, 0, false, false, []byte{0x05, 0x01})))
	want(t, out(t, ms, 215), TypeREJ, true, false, 0, 0)
	wantInd(t, ms.Receive(251, nw.i(2, 0, false, false, []byte{0x05, 0x02})))
	if f := out(t, ms, 266); f != nil {
		t.Fatalf("second out-of-sequence frame answered with %v, want nothing (reject exception)", f)
	}
	wantInd(t, ms.Receive(302, nw.i(0, 0, false, false, []byte{0x05, 0x03})), Indication{Kind: DataInd, Msg: []byte{0x05, 0x03}})

	msp := peer{t: t, side: MS, ch: SDCCH}
	net.Send([]byte{0x05, 0x04, 0x01})
	want(t, out(t, net, 400), TypeI, true, false, 0, 0)
	wantInd(t, net.Receive(419, msp.s(TypeREJ, 0, false, false)))
	want(t, out(t, net, 451), TypeI, true, false, 0, 0)
	wantInd(t, net.Receive(470, msp.s(TypeRR, 1, false, false)))
	if net.txN != 0 || net.t200On {
		t.Fatalf("after RR: queue %d, T200 %t; want 0, stopped", net.txN, net.t200On)
	}
}

// TestSegmentation: a 200-octet message goes as ten I frames of N201 = 20
// octets, M=1 on all but the last (§5.5.2), and is reassembled whole; on
// the SACCH (SAPI 3) N201 is 18.
func TestSegmentation(t *testing.T) {
	for _, tc := range []struct {
		ch   Channel
		sapi uint8
		n    int
	}{{SDCCH, 0, 200}, {SDCCH, 3, 251}, {SACCH, 3, 200}, {FACCHF, 0, 40}, {FACCHF, 0, 20}, {FACCHF, 0, 1}} {
		t.Run(fmt.Sprintf("%v/SAPI%d/%d", tc.ch, tc.sapi, tc.n), func(t *testing.T) {
			net := newEntity(t, Network, tc.sapi, tc.ch)
			ms := newEntity(t, MS, tc.sapi, tc.ch)
			msg := make([]byte, tc.n)
			for i := range msg {
				msg[i] = byte(i * 7)
			}
			msp := peer{t: t, side: MS, sapi: tc.sapi, ch: tc.ch}
			net.Establish(nil)
			var b [BlockLen]byte
			net.Next(0, &b)
			ms.Receive(1, b[:])
			ms.Next(2, &b)
			net.Receive(3, b[:])
			if net.State() != StateEstablished {
				t.Fatalf("network %v, want established", net.State())
			}
			if err := net.Send(msg); err != nil {
				t.Fatal(err)
			}
			n201 := tc.ch.N201()
			nseg := (tc.n + n201 - 1) / n201
			var got []Indication
			for k := range nseg {
				f := out(t, net, tdma.FN(10+k*10))
				want(t, f, TypeI, true, false, uint8(k)&7, 0)
				wantLen := n201
				if k == nseg-1 {
					wantLen = tc.n - k*n201
				}
				if f.M != (k < nseg-1) || len(f.Info) != wantLen {
					t.Fatalf("segment %d: M=%t L=%d, want M=%t L=%d", k, f.M, len(f.Info), k < nseg-1, wantLen)
				}
				var fb [BlockLen]byte
				d := fb[:]
				if tc.ch == SACCH {
					d = fb[2:]
				}
				f.MarshalTo(d)
				got = append(got, ms.Receive(tdma.FN(11+k*10), fb[:])...)
				if k < nseg-1 && len(got) > 0 {
					t.Fatalf("indication %v before the last segment", got)
				}
				r := out(t, ms, tdma.FN(12+k*10))
				want(t, r, TypeRR, true, false, 0, uint8(k+1)&7)
				net.Receive(tdma.FN(13+k*10), msp.s(TypeRR, uint8(k+1)&7, false, false))
			}
			wantInd(t, got, Indication{Kind: DataInd, Msg: msg})
		})
	}
}

// TestSegmentErrors: a segment with M=1 shorter than N201 and an empty I
// frame are discarded with their MDL-ERROR causes.
func TestSegmentErrors(t *testing.T) {
	_, ms := established(t, SDCCH)
	nw := peer{t: t, side: Network, ch: SDCCH}
	wantInd(t, ms.Receive(200, nw.i(0, 0, false, true, []byte{1, 2, 3})), Indication{Kind: ErrorInd, Cause: CauseIFrameMBit})
	wantInd(t, ms.Receive(251, nw.i(0, 0, false, false, nil)), Indication{Kind: ErrorInd, Cause: CauseIFrameLength})
	if ms.vr != 0 {
		t.Errorf("V(R) = %d after discarded frames, want 0", ms.vr)
	}
}

// TestRelease: normal release with DISC/UA from either side, and DM
// answers in the idle state (§5.4.4).
func TestRelease(t *testing.T) {
	net, ms := established(t, SDCCH)
	net.Release()
	want(t, out(t, net, 200), TypeDISC, true, true, 0, 0)
	msp := peer{t: t, side: MS, ch: SDCCH}
	nw := peer{t: t, side: Network, ch: SDCCH}
	wantInd(t, ms.Receive(204, nw.u(TypeDISC, true, true)), Indication{Kind: ReleaseInd})
	want(t, out(t, ms, 215), TypeUA, true, true, 0, 0)
	wantInd(t, net.Receive(219, msp.u(TypeUA, true, false)), Indication{Kind: ReleaseConf})
	if net.State() != StateIdle || ms.State() != StateIdle {
		t.Fatalf("states %v, %v; want idle", net.State(), ms.State())
	}
	// In the idle state a DISC gets DM, an I command with P=1 gets DM F=1.
	ms.Receive(300, nw.u(TypeDISC, true, true))
	want(t, out(t, ms, 301), TypeDM, true, true, 0, 0)
	ms.Receive(302, nw.i(0, 0, true, false, []byte{5, 1}))
	want(t, out(t, ms, 303), TypeDM, true, true, 0, 0)
	ms.Receive(304, nw.i(0, 0, false, false, []byte{5, 1}))
	if f := out(t, ms, 305); f != nil {
		t.Fatalf("Next after I with P=0 while idle = %v, want nothing", f)
	}
	// DISC unanswered: N200 repetitions then release.
	net, _ = established(t, SDCCH)
	net.Release()
	discs := 0
	var rel []Indication
	for fn := tdma.FN(200); rel == nil && fn < 20000; fn++ {
		if ind := net.Tick(fn); len(ind) > 0 {
			rel = slices.Clone(ind)
		}
		if f := out(t, net, fn); f != nil {
			want(t, f, TypeDISC, true, true, 0, 0)
			discs++
		}
	}
	wantInd(t, rel, Indication{Kind: ReleaseInd, Cause: CauseT200})
	if discs != SDCCH.N200()+1 {
		t.Errorf("DISCs = %d, want %d", discs, SDCCH.N200()+1)
	}
	// Local end release sends nothing.
	net, _ = established(t, SDCCH)
	net.Send([]byte{5, 1})
	net.ReleaseLocal()
	if f := out(t, net, 200); f != nil || net.State() != StateIdle {
		t.Fatalf("after ReleaseLocal: Next = %v, state %v; want nothing, idle", f, net.State())
	}
}

// TestErrors: unsolicited UA and DM, N(R) sequence errors (§5.6, §5.7).
func TestErrors(t *testing.T) {
	msp := peer{t: t, side: MS, ch: SDCCH}
	nw := peer{t: t, side: Network, ch: SDCCH}
	net, ms := established(t, SDCCH)
	wantInd(t, net.Receive(200, msp.ua(nil)), Indication{Kind: ErrorInd, Cause: CauseUnsolicitedUA})
	if net.State() != StateEstablished {
		t.Fatalf("State() = %v after unsolicited UA, want established", net.State())
	}
	// N(R) beyond V(S): the network side of SAPI 0 releases.
	wantInd(t, net.Receive(210, msp.s(TypeRR, 3, false, false)),
		Indication{Kind: ErrorInd, Cause: CauseSequenceError}, Indication{Kind: ReleaseInd, Cause: CauseSequenceError})
	if net.State() != StateIdle {
		t.Fatalf("State() = %v after sequence error, want idle", net.State())
	}
	if f := out(t, net, 220); f != nil {
		t.Fatalf("Next after local release = %v, want nothing", f)
	}
	// ... the MS re-establishes.
	wantInd(t, ms.Receive(230, nw.s(TypeRR, 5, false, true)), Indication{Kind: ErrorInd, Cause: CauseSequenceError})
	if ms.State() != StateEstablishing {
		t.Fatalf("MS State() = %v after sequence error, want establishing", ms.State())
	}
	f := out(t, ms, 240)
	want(t, f, TypeSABM, false, true, 0, 0)
	if len(f.Info) != 0 {
		t.Errorf("re-establishment SABM carries % x, want no information", f.Info)
	}
	// DM F=0 in the established state.
	net, _ = established(t, SDCCH)
	wantInd(t, net.Receive(200, msp.u(TypeDM, false, false)),
		Indication{Kind: ErrorInd, Cause: CauseUnsolicitedDMEst}, Indication{Kind: ReleaseInd, Cause: CauseSequenceError})
}

// TestUnitData: UI frames both ways, B4 on the SACCH, fill frames ignored.
func TestUnitData(t *testing.T) {
	net := newEntity(t, Network, 0, SACCH)
	ms := newEntity(t, MS, 0, SACCH)
	si5 := []byte{0x49, 0x06, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}
	if err := net.SendUnitData(si5); err != nil {
		t.Fatal(err)
	}
	var b [BlockLen]byte
	if !net.Next(0, &b) {
		t.Fatal("no UI frame")
	}
	if want := append([]byte{0, 0, 0x03, 0x03}, si5...); !bytes.Equal(b[:], want) {
		t.Fatalf("SACCH block = % x, want % x", b, want)
	}
	wantInd(t, ms.Receive(4, b[:]), Indication{Kind: UnitDataInd, Msg: si5})
	if err := ms.Establish(nil); err == nil {
		t.Error("Establish on SACCH SAPI 0 succeeded, want error")
	}
	if err := net.SendUnitData(make([]byte, 20)); err == nil {
		t.Error("SendUnitData(20 octets) on B4 succeeded, want error")
	}
	// Uplink UI frames on the SACCH have a length indicator (format B).
	mr := []byte{0x06, 0x15, 0x3f, 0x3f, 0x40, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if err := ms.SendUnitData(append(mr, 0, 0)); err == nil {
		t.Error("SendUnitData(19 octets) on the uplink SACCH succeeded, want error (N201 18)")
	}
	if err := ms.SendUnitData(mr); err != nil {
		t.Fatal(err)
	}
	if !ms.Next(10, &b) {
		t.Fatal("no uplink UI frame")
	}
	if want := append([]byte{0, 0, 0x01, 0x03, 17<<2 | 1}, mr...); !bytes.Equal(b[:len(want)], want) {
		t.Fatalf("uplink SACCH block = % x, want % x", b, want)
	}
	wantInd(t, net.Receive(14, b[:]), Indication{Kind: UnitDataInd, Msg: mr})
	d := newEntity(t, MS, 0, SDCCH)
	fill := [BlockLen]byte{0x03, 0x03, 0x01}
	for i := 3; i < BlockLen; i++ {
		fill[i] = Fill
	}
	wantInd(t, d.Receive(0, fill[:]))
}

// TestSuspendResume: an MS suspends SAPI 0 on the SDCCH with a message
// half sent, and resumes on the FACCH of its new TCH: SABM without
// information, then the whole message again, now in FACCH segments.
func TestSuspendResume(t *testing.T) {
	net, ms := established(t, SDCCH)
	msg := make([]byte, 50)
	for i := range msg {
		msg[i] = byte(i)
	}
	ms.Send(msg)
	var b [BlockLen]byte
	ms.Next(200, &b) // first segment
	net.Receive(204, b[:])
	ms.Suspend()
	if ms.State() != StateIdle {
		t.Fatalf("State() after Suspend = %v, want idle", ms.State())
	}
	if f := out(t, ms, 215); f != nil {
		t.Fatalf("Next after Suspend = %v, want nothing", f)
	}
	net.ReleaseLocal()
	newNet := newEntity(t, Network, 0, FACCHF)
	newMS := newEntity(t, MS, 0, FACCHF)
	if err := newMS.Resume(ms); err != nil {
		t.Fatal(err)
	}
	f := out(t, newMS, 300)
	want(t, f, TypeSABM, false, true, 0, 0)
	if len(f.Info) != 0 {
		t.Fatalf("resumption SABM carries % x, want nothing", f.Info)
	}
	var fb [BlockLen]byte
	f.MarshalTo(fb[:])
	wantInd(t, newNet.Receive(304, fb[:]), Indication{Kind: EstablishInd})
	newNet.Next(308, &b)
	wantInd(t, newMS.Receive(312, b[:]), Indication{Kind: EstablishConf})
	var got []Indication
	for fn := tdma.FN(316); fn < 400 && len(got) == 0; fn += 4 {
		if newMS.Next(fn, &b) {
			got = append(got, newNet.Receive(fn+4, b[:])...)
		}
		if newNet.Next(fn+2, &b) {
			newMS.Receive(fn+6, b[:])
		}
	}
	wantInd(t, got, Indication{Kind: DataInd, Msg: msg})
	if ms.txN != 0 {
		t.Errorf("old entity still has %d messages", ms.txN)
	}
}

// TestRepeatedSABM: a SABM without information repeated because the UA
// was lost is answered again without a new indication while nothing has
// been transferred; after I frames it re-establishes the link (Q.921).
func TestRepeatedSABM(t *testing.T) {
	nw := peer{t: t, side: Network, sapi: 3, ch: SDCCH}
	ms := newEntity(t, MS, 3, SDCCH)
	wantInd(t, ms.Receive(0, nw.sabm(nil)), Indication{Kind: EstablishInd})
	want(t, out(t, ms, 15), TypeUA, true, true, 0, 0)
	wantInd(t, ms.Receive(51, nw.sabm(nil)))
	want(t, out(t, ms, 66), TypeUA, true, true, 0, 0)
	ms.Send([]byte{0x09, 0x01, 0x02})
	want(t, out(t, ms, 117), TypeI, false, false, 0, 0)
	wantInd(t, ms.Receive(153, nw.sabm(nil)), Indication{Kind: ErrorInd, Cause: CauseSABMEstablished}, Indication{Kind: EstablishInd})
	want(t, out(t, ms, 168), TypeUA, true, true, 0, 0)
	// the message is sent again from the start on the new link
	f := out(t, ms, 219)
	want(t, f, TypeI, false, false, 0, 0)
	if !bytes.Equal(f.Info, []byte{0x09, 0x01, 0x02}) {
		t.Fatalf("I frame after re-establishment = % x", f.Info)
	}
}
