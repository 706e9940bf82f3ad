package trxproto

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func TestParseMessage(t *testing.T) {
	cases := []struct {
		in   string
		want Message
	}{
		{"CMD POWERON", Message{Type: CMD, Verb: "POWERON"}},
		{"CMD SETSLOT 0 5\x00", Message{Type: CMD, Verb: "SETSLOT", Params: []string{"0", "5"}}},
		{"RSP SETFORMAT 1 2", Message{Type: RSP, Verb: "SETFORMAT", Status: 1, Params: []string{"2"}}},
		{"RSP ERR 1", Message{Type: RSP, Verb: "ERR", Status: 1}},
		{"IND CLOCK 2715647\n", Message{Type: IND, Verb: "CLOCK", Params: []string{"2715647"}}},
		{"RSP RXTUNE -1 890000", Message{Type: RSP, Verb: "RXTUNE", Status: -1, Params: []string{"890000"}}},
	}
	for _, c := range cases {
		got, err := ParseMessage([]byte(c.in))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseMessage(%q) = %+v, %v, want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "CMD", "FOO BAR", "RSP POWERON", "RSP POWERON x", "CMD power", "CMD SET-SLOT 1"} {
		if m, err := ParseMessage([]byte(bad)); !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseMessage(%q) = %+v, %v, want ErrSyntax", bad, m, err)
		}
	}
	if s := Response(Command("SETSLOT", "1", "7"), 0, "1", "7").String(); s != "RSP SETSLOT 0 1 7" {
		t.Errorf("Response(SETSLOT 1 7).String() = %q, want \"RSP SETSLOT 0 1 7\"", s)
	}
}

// The exchange osmo-bts-trx 1.5 runs when it brings a transceiver up
// (osmo-bts trx_if.c and trx_provision_fsm.c), with the answers osmo-trx
// gives.
func TestControlServer(t *testing.T) {
	var tuned []int64
	s := NewControlServer(Hooks{
		NominalPowerDBm: 23,
		CheckTune: func(up bool, hz int64) error {
			if hz < 880e6 || hz > 960e6 {
				return fmt.Errorf("outside band")
			}
			tuned = append(tuned, hz)
			return nil
		},
		Measure: func(hz int64) (int, bool) { return -90, true },
	})
	steps := []struct{ cmd, rsp string }{
		{"CMD POWEROFF", "RSP POWEROFF 0"},
		{"CMD RFMUTE 1", "RSP RFMUTE 0 1"},
		{"CMD SETFORMAT 2", "RSP SETFORMAT 1 2"},
		{"CMD SETFORMAT 1", "RSP SETFORMAT 1 1"},
		{"CMD POWERON", "RSP POWERON 1"}, // not tuned yet
		{"CMD RXTUNE 880200", "RSP RXTUNE 0 880200"},
		{"CMD TXTUNE 925200", "RSP TXTUNE 0 925200"},
		{"CMD TXTUNE 1842000", "RSP TXTUNE 1 1842000"}, // refused: outside the band
		{"CMD SETTSC 7", "RSP SETTSC 0 7"},
		{"CMD SETTSC 8", "RSP SETTSC 1 8"},
		{"CMD NOMTXPOWER", "RSP NOMTXPOWER 0 23"},
		{"CMD POWERON", "RSP POWERON 0"},
		{"CMD SETRXGAIN 40", "RSP SETRXGAIN 0 40"},
		{"CMD SETMAXDLY 31", "RSP SETMAXDLY 0 31"},
		{"CMD SETSLOT 0 5", "RSP SETSLOT 0 0 5"},
		{"CMD SETSLOT 1 7", "RSP SETSLOT 0 1 7"},
		{"CMD SETSLOT 9 1", "RSP SETSLOT 1 9 1"},
		{"CMD SETSLOT 2", "RSP SETSLOT 1 2"},
		{"CMD SETPOWER 10", "RSP SETPOWER 0 10"},
		{"CMD ADJPOWER -4", "RSP ADJPOWER 0 6"},
		{"CMD ADJPOWER -40", "RSP ADJPOWER 0 0"},
		{"CMD HANDOVER 2 0", "RSP HANDOVER 0 2 0"},
		{"CMD NOHANDOVER 2 0", "RSP NOHANDOVER 0 2 0"},
		{"CMD SETTA 1 12", "RSP SETTA 0 1 12"},
		{"CMD MEASURE 925200", "RSP MEASURE 0 925200 -90"},
		{"CMD FROBNICATE 1 2 3", "RSP ERR 1"},
		{"CMD SETSLOT x y", "RSP SETSLOT 1 x y"},
	}
	for _, st := range steps {
		m, err := ParseMessage([]byte(st.cmd))
		if err != nil {
			t.Fatal(err)
		}
		r, ok := s.Handle(m)
		if !ok || r.String() != st.rsp {
			t.Errorf("Handle(%q) = %q, want %q", st.cmd, r.String(), st.rsp)
		}
	}
	got := s.State()
	if !got.Powered || got.RxHz != 880200e3 || got.TxHz != 925200e3 || got.TSC != 7 || got.Slots[0] != SlotBCCHSD4 ||
		got.Slots[1] != SlotSDCCH8 || got.Slots[2] != SlotNone || got.Version != 1 || got.TA[1] != 12 || got.Handover[2] != 0 {
		t.Errorf("State() = %v", got)
	}
	if _, ok := s.Handle(ClockIndication(5)); ok {
		t.Errorf("Handle(IND CLOCK) answered")
	}
}

func TestRACHPositions(t *testing.T) {
	var n int
	for fn := range 51 {
		if SlotBCCHSD4.RACH(FNOf(fn)) {
			n++
		}
	}
	// Combination V: 27 RACH frames in the uplink 51-multiframe (TS 45.002 §7 Table 3 of 9).
	if n != 27 {
		t.Errorf("combination V RACH frames = %d, want 27", n)
	}
	if !SlotBCCH.RACH(FNOf(7)) || SlotSDCCH8.RACH(FNOf(7)) {
		t.Errorf("RACH(IV, VII) wrong")
	}
}

// A BTS-side Link and a TRX-side Link on loopback run commands, clock and
// data through real sockets.
func TestLinkLoopback(t *testing.T) {
	base := 47000 + int(time.Now().UnixNano()%1000)*2
	trx, err := Listen(LinkConfig{Side: TRXSide, Base: base})
	if err != nil {
		t.Skipf("cannot bind loopback UDP: %v", err)
	}
	defer trx.Close()
	var tapped int
	bts, err := Listen(LinkConfig{Side: BTSSide, Base: base, Tap: func(src, dst netip.AddrPort, p []byte) { tapped++ }})
	if err != nil {
		t.Fatal(err)
	}
	defer bts.Close()
	srv := NewControlServer(Hooks{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := trx.ReadControl(time.Time{})
			if err != nil {
				return
			}
			if r, ok := srv.Handle(m); ok {
				trx.SendControl(r)
			}
		}
	}()
	r, err := bts.Command(Command("SETFORMAT", "2"), time.Second, 3)
	if err != nil || r.Status != 1 {
		t.Errorf("Command(SETFORMAT 2) = %v, %v, want status 1", r, err)
	}
	if _, err := bts.Command(Command("POWERON"), time.Second, 1); !errors.Is(err, ErrRejected) {
		t.Errorf("Command(POWERON) untuned = %v, want ErrRejected", err)
	}
	if _, err := bts.Command(Command("NOSUCH"), time.Second, 1); !errors.Is(err, ErrRejected) {
		t.Errorf("Command(NOSUCH) = %v, want ErrRejected", err)
	}
	if err := trx.SendClock(1234); err != nil {
		t.Fatal(err)
	}
	if m, err := bts.ReadClock(time.Now().Add(time.Second)); err != nil || m.String() != "IND CLOCK 1234" {
		t.Errorf("ReadClock = %v, %v", m, err)
	}
	p := DownlinkPDU{TN: 4, FN: 99, Bits: [148]byte{1}}
	b := make([]byte, DownlinkLen)
	p.MarshalTo(b)
	bts.SendData(b)
	n, err := trx.ReadData(b, time.Now().Add(time.Second))
	var q DownlinkPDU
	if err != nil || q.Unmarshal(b[:n]) != nil || q != p {
		t.Errorf("ReadData = %+v, %v", q, err)
	}
	if tapped < 7 {
		t.Errorf("tap saw %d datagrams, want ≥ 7", tapped)
	}
	trx.Close()
	<-done
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("RSP SETSLOT 0 1 7"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		m2, err := ParseMessage(m.AppendTo(nil))
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Fatalf("ParseMessage(%q) = %+v; re-parsed %+v, %v", b, m, m2, err)
		}
	})
}

func FNOf(n int) tdma.FN { return tdma.FN(n) }

// Whatever arrives on the control socket, the server answers commands
// (never with a panic) and its state stays in range.
func FuzzControlServer(f *testing.F) {
	f.Add([]byte("CMD SETSLOT 0 5"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := NewControlServer(Hooks{})
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		r, ok := s.Handle(m)
		if ok != (m.Type == CMD) || ok && r.Type != RSP {
			t.Fatalf("Handle(%q) = %v, %v", b, r, ok)
		}
		st := s.State()
		if st.TSC > 7 || st.AttDB < 0 || st.AttDB > 60 || st.Version > MaxVersion {
			t.Fatalf("Handle(%q) left state %v", b, st)
		}
	})
}

// Command resends a command that got no answer (UDP loses datagrams) and
// skips stale responses; it gives up after its tries.
func TestCommandRetries(t *testing.T) {
	base := 45000 + int(time.Now().UnixNano()%1000)*2
	trx, err := Listen(LinkConfig{Side: TRXSide, Base: base})
	if err != nil {
		t.Skipf("cannot bind loopback UDP: %v", err)
	}
	defer trx.Close()
	bts, err := Listen(LinkConfig{Side: BTSSide, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	defer bts.Close()
	seen := make(chan int, 1)
	go func() {
		n := 0
		for {
			m, err := trx.ReadControl(time.Time{})
			if err != nil {
				seen <- n
				return
			}
			n++
			switch n {
			case 1: // lost
			case 2: // a stale answer to something else first, then the right one
				trx.SendControl(Response(Command("SETSLOT", "3", "1"), 0, "3", "1"))
				trx.SendControl(Response(m, 0, m.Params...))
			}
		}
	}()
	r, err := bts.Command(Command("SETSLOT", "0", "5"), 100*time.Millisecond, 3)
	if err != nil || r.String() != "RSP SETSLOT 0 0 5" {
		t.Errorf("Command(SETSLOT 0 5) = %v, %v, want RSP SETSLOT 0 0 5", r, err)
	}
	if _, err := bts.Command(Command("POWERON"), 50*time.Millisecond, 2); !errors.Is(err, ErrTimeout) {
		t.Errorf("Command(POWERON) unanswered = %v, want ErrTimeout", err)
	}
	trx.Close()
	if n := <-seen; n != 4 {
		t.Errorf("transceiver saw %d commands, want 4 (2 tries each)", n)
	}
}

// A transceiver demodulates what its TRXC state says: nothing when
// powered off or on a slot set to fill, access bursts on RACH positions
// and where handover access is on, normal bursts with SETTSC's TSC
// otherwise.
func TestStatePlan(t *testing.T) {
	st := State{Powered: true, TSC: 3}
	st.Slots[0], st.Slots[1], st.Slots[2] = SlotBCCHSD4, SlotSDCCH8, SlotTCHF
	st.Handover[2] = 1
	var p phy.Plan
	st.Plan(14, &p) // frame 14 of the 51-multiframe: RACH in combination V
	want := [tdma.Slots]phy.Rx{phy.RxAccess, phy.RxNormal, phy.RxAccess}
	if p.Slots != want || p.TSC[1] != 3 {
		t.Errorf("Plan(14) = %v TSC %v, want %v TSC 3", p.Slots, p.TSC, want)
	}
	st.Plan(0, &p)
	if p.Slots[0] != phy.RxNormal {
		t.Errorf("Plan(0) TN0 = %v, want normal (SDCCH/4)", p.Slots[0])
	}
	st.Powered = false
	st.Plan(14, &p)
	if p.Any() {
		t.Errorf("powered off: Plan = %v, want all off", p.Slots)
	}
}
