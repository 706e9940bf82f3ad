package trxproto

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// linkPair binds both ends of one channel on loopback.
func linkPair(t *testing.T) (trx, bts *Link) {
	t.Helper()
	base := 46000 + int(time.Now().UnixNano()%1000)*4
	trx, err := Listen(LinkConfig{Side: TRXSide, Base: base})
	if err != nil {
		t.Skipf("cannot bind loopback UDP: %v", err)
	}
	t.Cleanup(func() { trx.Close() })
	bts, err = Listen(LinkConfig{Side: BTSSide, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bts.Close() })
	return trx, bts
}

// Command takes only the answer to its own command: replies waiting from
// before are drained, a reply naming another command is skipped, "RSP
// ERR" naming another command is not taken as the answer, and a bare
// "RSP ERR" after a command that went unanswered could be that
// command's late answer, so it is not taken either.
func TestCommandMatchesReplies(t *testing.T) {
	trx, bts := linkPair(t)
	// Stale replies waiting before the command is sent.
	trx.SendControl(Response(Command("POWERON"), 0))
	trx.SendControl(Message{Type: RSP, Verb: "ERR", Status: 1})
	time.Sleep(20 * time.Millisecond)
	answer := make(chan func(m Message), 1)
	go func() {
		for {
			m, err := trx.ReadControl(time.Time{})
			if err != nil {
				return
			}
			(<-answer)(m)
		}
	}()
	answer <- func(m Message) {
		trx.SendControl(Message{Type: RSP, Verb: "ERR", Status: 1, Params: []string{"SETTSC"}})
		trx.SendControl(Response(Command("SETSLOT", "1", "7"), 0, "1", "7"))
		trx.SendControl(Response(m, 0))
	}
	r, err := bts.Command(Command("POWEROFF"), 200*time.Millisecond, 1)
	if err != nil || r.Verb != "POWEROFF" {
		t.Fatalf("Command(POWEROFF) = %v, %v; want RSP POWEROFF 0", r, err)
	}
	if s := bts.CommandStats(); s.Stale != 4 {
		t.Errorf("CommandStats() = %+v, want 4 stale (2 drained, ERR for SETTSC, SETSLOT)", s)
	}
	// A command that goes unanswered; then a bare RSP ERR is not taken
	// for the next command's answer, its own answer is.
	answer <- func(Message) {}
	if _, err := bts.Command(Command("SETTSC", "3"), 50*time.Millisecond, 1); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Command(SETTSC) unanswered = %v, want ErrTimeout", err)
	}
	answer <- func(m Message) {
		trx.SendControl(Message{Type: RSP, Verb: "ERR", Status: 1})
		trx.SendControl(Response(m, 0, m.Params...))
	}
	if r, err := bts.Command(Command("RXTUNE", "902400"), 200*time.Millisecond, 1); err != nil || r.Verb != "RXTUNE" {
		t.Errorf("Command(RXTUNE) after a bare RSP ERR = %v, %v; want its own answer", r, err)
	}
	// Now every command was answered: a bare RSP ERR answers the next.
	answer <- func(Message) { trx.SendControl(Message{Type: RSP, Verb: "ERR", Status: 1}) }
	if r, err := bts.Command(Command("SETFORMAT", "1"), 200*time.Millisecond, 1); !errors.Is(err, ErrRejected) || r.Verb != "ERR" {
		t.Errorf("Command(SETFORMAT) to a transceiver that does not know it = %v, %v; want RSP ERR, ErrRejected", r, err)
	}
}

// The duplex pair is checked on every tune while powered on, not only
// at POWERON: a transmitter on the air is never retuned off its pair.
func TestTuneKeepsDuplexPair(t *testing.T) {
	const duplex = 45_000_000
	s := NewControlServer(Hooks{CheckPair: func(rx, tx int64) error {
		if tx-rx != duplex {
			return fmt.Errorf("not a pair")
		}
		return nil
	}})
	steps := []struct {
		cmd    Message
		status int
	}{
		{Command("RXTUNE", "902400"), 0},
		{Command("TXTUNE", "950000"), 0}, // not a pair, but powered off: checked at POWERON
		{Command("POWERON"), 1},
		{Command("TXTUNE", "947400"), 0},
		{Command("POWERON"), 0},
		{Command("TXTUNE", "947600"), 1}, // powered: off the pair
		{Command("RXTUNE", "902600"), 1},
		{Command("TXTUNE", "947400"), 0}, // the same pair again is fine
		{Command("POWEROFF"), 0},
		{Command("RXTUNE", "902600"), 0}, // powered off: retuning step by step
		{Command("TXTUNE", "947600"), 0},
		{Command("POWERON"), 0},
	}
	for i, st := range steps {
		r, _ := s.Handle(st.cmd)
		if r.Status != st.status {
			t.Errorf("step %d: Handle(%v) = %v, want status %d", i, st.cmd, r, st.status)
		}
	}
	if st := s.State(); st.RxHz != 902_600_000 || st.TxHz != 947_600_000 || !st.Powered {
		t.Errorf("state %v, want powered on 902.6/947.6 MHz", st.String())
	}
}

// A flood of bad input gives a bounded number of log lines, each with
// the running total, and a summary at the end; every one is counted.
func TestBadInputRateLimited(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	now := time.Unix(0, 0)
	b := NewBadInput("trxc: unreadable datagram", log, time.Second, func() time.Time { return now })
	const n = 40000
	for i := range n {
		b.Note(ErrSyntax)
		if i%10000 == 9999 {
			now = now.Add(1500 * time.Millisecond) // four intervals in all
		}
	}
	b.Flush()
	if b.Count() != n {
		t.Errorf("Count() = %d, want %d", b.Count(), n)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) > 12 {
		t.Errorf("%d datagrams gave %d log lines, want at most 12:\n%s", n, len(lines), buf.String())
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "total=40000") || !strings.Contains(last, "summary") {
		t.Errorf("last line %q, want a summary with total=40000", last)
	}
	if allocs := testing.AllocsPerRun(100, func() { b.Note(ErrSyntax) }); allocs != 0 {
		t.Errorf("Note allocates %v times when it does not log, want 0", allocs)
	}
}

// The protocol has no authentication: a bind beyond loopback is refused
// unless allowed.
func TestListenRefusesRemoteBind(t *testing.T) {
	for _, addr := range []string{"0.0.0.0", "192.0.2.1", "::"} {
		if _, err := Listen(LinkConfig{Bind: addr, Base: 47000}); !errors.Is(err, ErrRemoteBind) {
			t.Errorf("Listen(bind %s) = %v, want ErrRemoteBind", addr, err)
		}
	}
}

// A refused command comes with its reason, for the transceiver's log.
func TestHandleWhy(t *testing.T) {
	s := NewControlServer(Hooks{CheckTune: func(up bool, hz int64) error { return fmt.Errorf("%d Hz is not a channel", hz) }})
	cases := []struct {
		cmd  Message
		want string
	}{
		{Command("RXTUNE", "1710200"), "1710200000 Hz is not a channel"},
		{Command("POWERON"), "not tuned"},
		{Command("SETTSC", "9"), "parameters"},
		{Command("FROBNICATE"), "unknown command"},
	}
	for _, c := range cases {
		r, ok, why := s.HandleWhy(c.cmd)
		if !ok || r.Status == 0 || why == nil || !strings.Contains(why.Error(), c.want) {
			t.Errorf("HandleWhy(%v) = %v, %v, %v; want a refusal because %q", c.cmd, r, ok, why, c.want)
		}
	}
	if _, _, why := s.HandleWhy(Command("ECHO")); why != nil {
		t.Errorf("HandleWhy(ECHO) reason %v, want none", why)
	}
}
