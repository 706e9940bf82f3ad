package cp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// codecCases are hand-worked from TS 24.011 §7.2, §8.1 and TS 24.007
// §11.2.3.1.3.
var codecCases = []struct {
	name string
	m    Message
	want string
}{
	{"data-ti0", Message{Type: MsgData, UserData: h("00 01 00 03 91 9471 01 aa")}, "09 01 09 0001000391947101aa"},
	{"data-ti3-flag", Message{Type: MsgData, TIFlag: true, TI: 3, UserData: []byte{0x02, 0x07}}, "b9 01 02 0207"},
	{"ack", Message{Type: MsgAck, TIFlag: true, TI: 6}, "e9 04"},
	{"error", Message{Type: MsgError, TI: 1, Cause: CauseMessageTypeNonExistent}, "19 10 61"},
}

func TestCodec(t *testing.T) {
	for _, c := range codecCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Marshal(&c.m)
			if err != nil || !bytes.Equal(got, h(c.want)) {
				t.Fatalf("Marshal = % x, %v, want %s", got, err, c.want)
			}
			var back Message
			if err := back.Unmarshal(got); err != nil || !reflect.DeepEqual(back, c.m) {
				t.Errorf("Unmarshal = %+v, %v, want %+v", back, err, c.m)
			}
			for i := range got {
				if err := back.Unmarshal(got[:i]); err == nil {
					t.Errorf("Unmarshal of %d-octet prefix succeeded", i)
				}
			}
			if err := back.Unmarshal(append(got, 0)); err == nil {
				t.Error("Unmarshal with a trailing octet succeeded")
			}
		})
	}
	var m Message
	for _, c := range []struct {
		b    string
		want error
	}{
		{"05 01 01 00", ErrPD}, {"79 01 01 00", ErrTI}, {"09 02", ErrUnknownType}, {"09 01 00", ErrInvalid}, {"09 10", ErrInvalid},
	} {
		if err := m.Unmarshal(h(c.b)); !errors.Is(err, c.want) {
			t.Errorf("Unmarshal(%s) = %v, want %v", c.b, err, c.want)
		}
	}
}

func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 3000 {
		m := Message{Type: []MsgType{MsgData, MsgAck, MsgError}[r.IntN(3)], TIFlag: r.IntN(2) == 0, TI: uint8(r.IntN(7))}
		switch m.Type {
		case MsgData:
			m.UserData = make([]byte, 1+r.IntN(MaxUserData))
			for j := range m.UserData {
				m.UserData[j] = byte(r.IntN(256))
			}
		case MsgError:
			m.Cause = Cause(r.IntN(256))
		}
		b, err := Marshal(&m)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		var back Message
		if err := back.Unmarshal(b); err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("%d: Unmarshal(% x) = %+v, %v, want %+v", i, b, back, err, m)
		}
	}
}

// FuzzDecode: no panic, and a successful decode re-encodes to the input.
func FuzzDecode(f *testing.F) {
	for _, c := range codecCases {
		f.Add(h(c.want))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		if m.Unmarshal(b) != nil {
			return
		}
		out, err := Marshal(&m)
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("% x decoded to %+v, re-encoded as % x, %v", b, m, out, err)
		}
	})
}

// FuzzEntity feeds arbitrary messages and timer ticks to both kinds of
// entity: no panic, at most one delivery, and every action well formed.
func FuzzEntity(f *testing.F) {
	f.Add([]byte{1, 0x89, 0x01, 0x02, 0x02, 0x07, 0, 0x89, 0x04})
	f.Add([]byte{0, 0x09, 0x01, 0x01, 0xaa, 2, 0x09, 0x10, 0x11})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 1 {
			return
		}
		e, _ := NewEntity(Config{}, 0, b[0]&1 == 1)
		now := time.Unix(0, 0)
		if e.originator {
			e.Send(now, []byte{0x00})
		}
		delivered := 0
		for len(b) > 1 {
			n := min(int(b[1]%8)+1, len(b)-1)
			msg := b[2 : 1+n]
			b = b[1+n:]
			now = now.Add(time.Duration(n) * 5 * time.Second)
			for _, a := range append(e.Tick(now), e.Receive(now, msg)...) {
				switch a.Kind {
				case ActDeliver:
					delivered++
				case ActSend:
					var m Message
					if err := m.Unmarshal(a.Msg); err != nil {
						t.Fatalf("entity sent undecodable % x: %v", a.Msg, err)
					}
				}
			}
			if !e.originator && e.gotData && !e.sentData {
				e.Send(now, []byte{0x02, 0x00})
			}
		}
		if delivered > 1 {
			t.Fatalf("delivered %d times", delivered)
		}
	})
}

// link runs an originator and a terminator against each other, passing
// messages through drop (which may lose them) and ticking the timers.
type link struct {
	t          *testing.T
	now        time.Time
	a, b       *Entity // originator, terminator
	deliveredA [][]byte
	deliveredB [][]byte
	errsA      []Action
	errsB      []Action
	relA, relB int
	sent       int
	drop       func(fromA bool, msg []byte) bool
}

func newLink(t *testing.T, cfg Config) *link {
	a, _ := NewEntity(cfg, 2, true)
	b, _ := NewEntity(cfg, 2, false)
	return &link{t: t, now: time.Unix(1000, 0), a: a, b: b, drop: func(bool, []byte) bool { return false }}
}

// run handles acts from one side, delivering its sends to the other.
func (l *link) run(fromA bool, acts []Action) {
	for _, a := range acts {
		switch a.Kind {
		case ActSend:
			l.sent++
			if l.drop(fromA, a.Msg) {
				continue
			}
			if fromA {
				l.run(false, l.b.Receive(l.now, a.Msg))
			} else {
				l.run(true, l.a.Receive(l.now, a.Msg))
			}
		case ActDeliver:
			if fromA {
				l.deliveredA = append(l.deliveredA, a.RPDU)
			} else {
				l.deliveredB = append(l.deliveredB, a.RPDU)
				// The relay layer answers at once and asks for release.
				acts, err := l.b.Send(l.now, []byte{0x03, a.RPDU[1]})
				if err != nil {
					l.t.Fatal(err)
				}
				l.run(false, acts)
				l.run(false, l.b.Release())
			}
		case ActError:
			if fromA {
				l.errsA = append(l.errsA, a)
			} else {
				l.errsB = append(l.errsB, a)
			}
		case ActRelease:
			if fromA {
				l.relA++
			} else {
				l.relB++
			}
		}
	}
	if fromA && len(l.deliveredA) > 0 && l.a.State() == StateEstablished {
		l.run(true, l.a.Release())
	}
}

// settle ticks both entities until neither has a timer.
func (l *link) settle() {
	for range 100 {
		da, oka := l.a.Deadline()
		db, okb := l.b.Deadline()
		switch {
		case oka && (!okb || !db.Before(da)):
			l.now = da
			l.run(true, l.a.Tick(l.now))
		case okb:
			l.now = db
			l.run(false, l.b.Tick(l.now))
		default:
			return
		}
	}
	l.t.Fatal("timers never settled")
}

func TestTransaction(t *testing.T) {
	l := newLink(t, Config{})
	acts, err := l.a.Send(l.now, []byte{0x00, 0x2a, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	l.run(true, acts)
	l.settle()
	if len(l.deliveredB) != 1 || len(l.deliveredA) != 1 || l.deliveredA[0][1] != 0x2a {
		t.Fatalf("delivered A %x B %x", l.deliveredA, l.deliveredB)
	}
	if l.relA != 1 || l.relB != 1 || l.sent != 4 || len(l.errsA)+len(l.errsB) != 0 {
		t.Errorf("released %d/%d, %d messages sent, errors %v %v", l.relA, l.relB, l.sent, l.errsA, l.errsB)
	}
	if l.a.State() != StateReleased || l.b.State() != StateReleased {
		t.Errorf("states %v, %v", l.a.State(), l.b.State())
	}
}

func TestRetransmission(t *testing.T) {
	// Lose the terminator's first CP-ACK and its first CP-DATA: the
	// originator sends its CP-DATA again after TC1*, the terminator
	// acknowledges it again but delivers it once, and its own CP-DATA
	// goes again after its TC1*.
	l := newLink(t, Config{TC1: 10 * time.Second, Retransmissions: 2})
	start := l.now
	lost := 0
	l.drop = func(fromA bool, msg []byte) bool {
		if !fromA && lost < 2 {
			lost++
			return true
		}
		return false
	}
	acts, _ := l.a.Send(l.now, []byte{0x00, 0x01, 0x00})
	l.run(true, acts)
	l.settle()
	if len(l.deliveredB) != 1 || len(l.deliveredA) != 1 {
		t.Fatalf("delivered A %d B %d times", len(l.deliveredA), len(l.deliveredB))
	}
	if l.now.Sub(start) < 10*time.Second {
		t.Errorf("no TC1* wait: %v", l.now.Sub(start))
	}
}

func TestImplicitAck(t *testing.T) {
	// Lose the terminator's CP-ACK but not its CP-DATA: the CP-DATA
	// acknowledges the originator's CP-DATA, so nothing is resent.
	l := newLink(t, Config{})
	l.drop = func(fromA bool, msg []byte) bool { return !fromA && msg[1] == byte(MsgAck) }
	acts, _ := l.a.Send(l.now, []byte{0x00, 0x01, 0x00})
	l.run(true, acts)
	if l.a.State() != StateReleased || len(l.deliveredA) != 1 {
		t.Fatalf("originator %v with %d delivered", l.a.State(), len(l.deliveredA))
	}
	if l.sent != 4 {
		t.Errorf("%d messages sent, want 4", l.sent)
	}
}

func TestGiveUp(t *testing.T) {
	l := newLink(t, Config{TC1: 5 * time.Second, Retransmissions: 3})
	l.drop = func(fromA bool, _ []byte) bool { return fromA }
	acts, _ := l.a.Send(l.now, []byte{0x00, 0x01, 0x00})
	start := l.now
	l.run(true, acts)
	l.settle()
	if l.sent != 4 || len(l.errsA) != 1 || !errors.Is(l.errsA[0].Err, ErrTimeout) || l.relA != 1 {
		t.Errorf("%d sent, errors %v, releases %d", l.sent, l.errsA, l.relA)
	}
	if d := l.now.Sub(start); d != 20*time.Second {
		t.Errorf("gave up after %v, want 4 × TC1*", d)
	}
}

func TestPeerError(t *testing.T) {
	a, _ := NewEntity(Config{}, 0, true)
	now := time.Unix(0, 0)
	a.Send(now, []byte{0})
	acts := a.Receive(now, h("89 10 11"))
	if len(acts) != 2 || acts[0].Kind != ActError || acts[0].Cause != CauseNetworkFailure || acts[1].Kind != ActRelease {
		t.Fatalf("Receive(CP-ERROR) = %+v", acts)
	}
	if _, ok := a.Deadline(); ok {
		t.Error("timer still runs after CP-ERROR")
	}
}

func TestMalformed(t *testing.T) {
	b, _ := NewEntity(Config{}, 0, false)
	now := time.Unix(0, 0)
	for _, c := range []struct {
		in    string
		cause Cause
	}{
		{"09 07", CauseMessageTypeNonExistent},
		{"09 01 05 00", CauseInvalidMandatoryInfo},
		{"79 01 01 00", CauseInvalidTI},
	} {
		acts := b.Receive(now, h(c.in))
		var m Message
		if len(acts) != 1 || acts[0].Kind != ActSend || m.Unmarshal(acts[0].Msg) != nil || m.Type != MsgError || m.Cause != c.cause {
			t.Errorf("Receive(%s) = %+v (%+v), want CP-ERROR #%d", c.in, acts, m, c.cause)
		}
	}
	if b.State() != StateIdle {
		t.Errorf("state %v after malformed input", b.State())
	}
	// Another TI's message, or our own flag, is not ours.
	if acts := b.Receive(now, h("19 01 01 00")); acts != nil {
		t.Errorf("another TI: %+v", acts)
	}
	if acts := b.Receive(now, h("89 01 01 00")); acts != nil {
		t.Errorf("own TI flag: %+v", acts)
	}
	if _, err := b.Send(now, []byte{1}); !errors.Is(err, ErrState) {
		t.Errorf("terminator Send before data = %v", err)
	}
}

// TestLossyLinkProperty runs many transactions over a link that loses
// each message with some probability: no RPDU is delivered twice, and
// when no error is reported both sides delivered exactly once.
func TestLossyLinkProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	completed := 0
	for i := range 2000 {
		l := newLink(t, Config{TC1: time.Second, Retransmissions: 1 + r.IntN(3)})
		p := r.Float64() * 0.5
		l.drop = func(bool, []byte) bool { return r.Float64() < p }
		acts, _ := l.a.Send(l.now, []byte{0x00, byte(i), 0x00})
		l.run(true, acts)
		l.settle()
		if len(l.deliveredA) > 1 || len(l.deliveredB) > 1 {
			t.Fatalf("%d: delivered A %d B %d times", i, len(l.deliveredA), len(l.deliveredB))
		}
		// Without errors on either side, both delivered once. (When
		// only the terminator gave up, the originator waits in the
		// established state for the relay layer's TR1M.)
		if len(l.errsA)+len(l.errsB) == 0 && (len(l.deliveredA) != 1 || len(l.deliveredB) != 1 || l.relA != 1 || l.relB != 1) {
			t.Fatalf("%d: no errors but delivered %d/%d, released %d/%d", i, len(l.deliveredA), len(l.deliveredB), l.relA, l.relB)
		}
		if len(l.deliveredA) == 1 {
			completed++
		}
		if _, ok := l.a.Deadline(); ok {
			t.Fatalf("%d: originator timer still runs", i)
		}
	}
	if completed < 500 {
		t.Fatal("no transaction completed")
	}
}

// TestUpdateSeeds rewrites testdata/fuzz (GSMBOX_UPDATE_SEEDS=1).
func TestUpdateSeeds(t *testing.T) {
	if os.Getenv("GSMBOX_UPDATE_SEEDS") != "1" {
		t.Skip("set GSMBOX_UPDATE_SEEDS=1 to rewrite testdata/fuzz")
	}
	write := func(target, name string, b []byte) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range codecCases {
		write("FuzzDecode", c.name, h(c.want))
	}
	write("FuzzEntity", "terminator", []byte{0, 2, 0x09, 0x01, 0x01, 0xaa, 1, 0x09, 0x04})
	write("FuzzEntity", "originator", []byte{1, 3, 0x89, 0x01, 0x01, 0x02, 1, 0x89, 0x04, 2, 0x89, 0x10, 0x11})
}

// TestMobileTerminated runs an MT transfer: the network opens TI 5 with
// CP-DATA(RP-DATA) (TI flag 0), the phone answers CP-ACK and
// CP-DATA(RP-ERROR) with TI flag 1, and the network acknowledges and
// releases. Every message on the air carries the right flag.
func TestMobileTerminated(t *testing.T) {
	now := time.Unix(0, 0)
	network, _ := NewEntity(Config{}, 5, true)
	phone, _ := NewEntity(Config{}, 5, false)
	flags := map[bool][]bool{} // by sender (true: network): TI flags on the air
	got := map[bool][]Action{} // by receiver side: deliveries, releases, errors
	var send func(fromNetwork bool, acts []Action)
	send = func(fromNetwork bool, acts []Action) {
		for _, a := range acts {
			if a.Kind != ActSend {
				got[fromNetwork] = append(got[fromNetwork], a)
				continue
			}
			flag, ti, err := PeekTI(a.Msg)
			if err != nil || ti != 5 {
				t.Fatalf("PeekTI(% x) = %v, %d, %v", a.Msg, flag, ti, err)
			}
			flags[fromNetwork] = append(flags[fromNetwork], flag)
			if fromNetwork {
				send(false, phone.Receive(now, a.Msg))
			} else {
				send(true, network.Receive(now, a.Msg))
			}
		}
	}
	send(true, must(network.Send(now, []byte{0x01, 0x09, 0x01, 0x81, 0x04})))
	if a := got[false]; len(a) != 1 || a[0].Kind != ActDeliver || a[0].RPDU[1] != 0x09 {
		t.Fatalf("phone got %+v", a)
	}
	// Memory full: RP-ERROR #22; the network releases once it has
	// acknowledged it.
	send(false, must(phone.Send(now, []byte{0x04, 0x09, 0x01, 22})))
	if a := got[true]; len(a) != 1 || a[0].Kind != ActDeliver || a[0].RPDU[0] != 0x04 {
		t.Fatalf("network got %+v", a)
	}
	send(true, network.Release())
	send(false, phone.Release())
	if a := got[true]; len(a) != 2 || a[1].Kind != ActRelease {
		t.Errorf("network actions %+v", a)
	}
	if network.State() != StateReleased || phone.State() != StateReleased {
		t.Errorf("states %v / %v", network.State(), phone.State())
	}
	if len(flags[true]) != 2 || len(flags[false]) != 2 {
		t.Errorf("%d network and %d phone messages, want 2 and 2", len(flags[true]), len(flags[false]))
	}
	for _, f := range flags[true] {
		if f {
			t.Error("the network, which opened the transaction, sent TI flag 1")
		}
	}
	for _, f := range flags[false] {
		if !f {
			t.Error("the phone sent TI flag 0 in a network-opened transaction")
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
