package core

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/sms/tp"
)

var powerCuts = flag.Int("powercut.kills", 40, "SIGKILLs of the network in TestSMSPowerCut (the issue's full run: 200)")

// The power-cut proof. A child process (this test binary, re-run with
// GSMBOX_POWERCUT_DIR set) runs a whole network over the same files each
// time (the registry and the SMS queue, bbolt both) with virtual phones
// in an SMS storm, and is killed with SIGKILL at random instants. What
// the phones learn is appended to a ledger file before they act on it
// (write(2) survives the kill): "A id part" when a part got its RP-ACK,
// "R id" when a whole message reached an inbox. A restarted child's
// phones send again what the ledger does not show accepted, as handsets
// do with their outbox (same TP-MR, same text). After the kills, a last
// child runs until everything is out. Then every accepted message has
// arrived, and a message arrived twice only when a kill fell between the
// phone's RP-ACK and the network's durable record of the delivery: at
// most one per kill per phone.

const powerPhones = 8

// powerEach is how many messages each phone sends in all: they are let
// out a few per run, so that every run has traffic to cut.
func powerEach() int { return max(*powerCuts/4, 5) }

func powerText(i, k int) (string, bool) {
	id := fmt.Sprintf("<%d.%d>", i, k)
	switch k % 3 {
	case 0:
		return id + " short news {ok} €5", false
	case 1:
		return id + " Привет из деревни 你好", true
	}
	return id + " " + strings.Repeat("a long message in three parts. ", 13)[:370], false
}

func TestSMSPowerCut(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes for a while")
	}
	if os.Getenv("GSMBOX_POWERCUT_DIR") != "" {
		t.Skip("child")
	}
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills := 0
	child := func(drain bool) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^TestSMSPowerCutChild$", "-test.count=1", fmt.Sprintf("-powercut.kills=%d", *powerCuts))
		// Run k may send the first (k+1)·each/kills messages of each phone.
		release := powerEach()
		if !drain {
			release = min((kills+1)*powerEach() / *powerCuts + 1, powerEach())
		}
		cmd.Env = append(os.Environ(), "GSMBOX_POWERCUT_DIR="+dir, fmt.Sprintf("GSMBOX_POWERCUT_RELEASE=%d", release))
		if drain {
			cmd.Env = append(cmd.Env, "GSMBOX_POWERCUT_DRAIN=1")
		}
		return cmd
	}
	start := time.Now()
	busy := 0 // kills that cut a run while its ledger was growing
	size := func() int64 {
		fi, err := os.Stat(filepath.Join(dir, "ledger"))
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	for kills < *powerCuts {
		before := size()
		cmd := child(false)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-time.After(time.Duration(50+rng.IntN(500)) * time.Millisecond):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
			if size() > before {
				busy++
			}
		case err := <-done:
			// Finished its storm before the kill: fine, if cleanly.
			if err != nil {
				t.Fatalf("child failed: %v", err)
			}
			kills++ // counted as a cut at the very end of a run
		}
	}
	before, _, _ := readLedgerLoose(filepath.Join(dir, "ledger"))
	out, err := child(true).CombinedOutput()
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	accepted, got, dups := readLedger(t, filepath.Join(dir, "ledger"))
	missing := 0
	for id := range accepted {
		if got[id] == 0 {
			missing++
			t.Errorf("message %s accepted but never delivered", id)
		}
	}
	if len(accepted) != powerPhones*powerEach() {
		t.Errorf("%d messages accepted, want all %d", len(accepted), powerPhones*powerEach())
	}
	// The window: a kill between a phone's RP-ACK and the network's
	// record; each kill can catch at most one delivery per phone.
	if dups > kills*powerPhones {
		t.Errorf("%d duplicates after %d kills: more than the window allows", dups, kills)
	}
	st, err := smsc.Open(filepath.Join(dir, "sms.db"), &smsc.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the queue does not open after the kills: %v", err)
	}
	defer st.Close()
	recs, _, bad, err := st.Load()
	if err != nil || bad != 0 {
		t.Fatalf("queue: %v, %d damaged records", err, bad)
	}
	queued := 0
	for _, r := range recs {
		if r.State == smsc.Queued {
			queued++
		}
	}
	rdb, err := registry.Open(filepath.Join(dir, "subscribers.db"), &registry.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the registry does not open cleanly after the kills: %v", err)
	}
	rdb.Close()
	t.Logf("%d of %d messages accepted before the final run", len(before), powerPhones*powerEach())
	t.Logf("%d of the kills cut a run in the middle of its traffic", busy)
	t.Logf("%d SIGKILLs in %v: %d messages accepted, all delivered (%d missing), %d delivered twice (in the RP-ACK window), %d records, %d queued",
		kills, time.Since(start).Round(time.Millisecond), len(accepted), missing, dups, len(recs), queued)
}

func readLedger(t *testing.T, path string) (accepted map[string]bool, got map[string]int, dups int) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	accepted, got, _ = readLedgerLoose(path)
	for _, n := range got {
		dups += max(n-1, 0)
	}
	return accepted, got, dups
}

// TestSMSPowerCutChild is the network process of TestSMSPowerCut.
func TestSMSPowerCutChild(t *testing.T) {
	dir := os.Getenv("GSMBOX_POWERCUT_DIR")
	if dir == "" {
		t.Skip("run by TestSMSPowerCut")
	}
	drain := os.Getenv("GSMBOX_POWERCUT_DRAIN") != ""
	accepted, got, _ := readLedgerLoose(filepath.Join(dir, "ledger"))
	ledger, err := os.OpenFile(filepath.Join(dir, "ledger"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer ledger.Close()
	db, err := registry.Open(filepath.Join(dir, "subscribers.db"), &registry.Options{Recover: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, err := registry.New(registry.Config{Store: db, Policy: registry.Policy{Mode: registry.ModeClosed}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := smsc.Open(filepath.Join(dir, "sms.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := newSMSWorldOn(t, reg, st, SMSConfig{Retry: []time.Duration{2 * time.Second, 5 * time.Second}})
	sims := make([]string, powerPhones)
	for i := range powerPhones {
		s := sim(fmt.Sprintf("0010100000%05d", 600+i), crypto.COMP128v1)
		sims[i] = s.IMSI
		if _, err := reg.Add(registry.Subscriber{IMSI: s.IMSI, MSISDN: strconv.Itoa(6000 + i), Algorithm: s.Algorithm, Ki: s.Ki}); err != nil && !errors.Is(err, registry.ErrExists) {
			t.Fatal(err)
		}
		u := w.addSMSPhone(s, 17+97*i)
		i := i
		u.OnSent = func(r ms.Sent) {
			if r.Accepted {
				fmt.Fprintf(ledger, "A <%d.%d> %d %d\n", i, r.Tag, r.Part, r.Parts)
			}
		}
		u.OnReceived = func(r ms.Received) {
			if id := idOfText(r.Text); id != "" && r.Parts == 1 {
				fmt.Fprintf(ledger, "R %s\n", id)
			}
		}
		// A handset keeps the parts of a long message in its memory
		// until the last arrives; the kill takes this one's memory, so
		// its parts go to the ledger.
		u.OnPart = func(from string, c tp.Concat) {
			n, _ := strconv.Atoi(from)
			fmt.Fprintf(ledger, "P <%d.%d> %d %d\n", n-6000, c.Ref, c.Seq, c.Total)
		}
		release, _ := strconv.Atoi(os.Getenv("GSMBOX_POWERCUT_RELEASE"))
		for k := range min(release, powerEach()) {
			id := fmt.Sprintf("<%d.%d>", i, k)
			if accepted[id] {
				continue
			}
			text, ucs2 := powerText(i, k)
			to := (i + 1 + k) % powerPhones
			u.SetNextMR(uint8(k * 4))
			if _, err := u.Send(strconv.Itoa(6000+to), text, ucs2, uint64(k)); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = got
	for range 51 * 4000 {
		w.step()
		if !drain {
			continue
		}
		if w.net.SMSStats().Queued != 0 {
			continue
		}
		idle := true
		for i, u := range w.sms {
			idle = idle && u.Outbox() == 0 && w.phones[i].State() == ms.StateIdle
		}
		if idle {
			return
		}
	}
	if drain {
		t.Fatalf("not drained: %+v", w.net.SMSStats())
	}
}

func idOfText(text string) string {
	if i := strings.IndexByte(text, '>'); strings.HasPrefix(text, "<") && i > 0 {
		return text[:i+1]
	}
	return ""
}

// readLedgerLoose is readLedger for the child: no test to fail.
func readLedgerLoose(path string) (accepted map[string]bool, got map[string]int, dups int) {
	accepted, got = map[string]bool{}, map[string]int{}
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	parts := map[string]map[int]bool{}
	counts := map[string]int{}
	recv, total := map[string]map[int]int{}, map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 4 && fs[0] == "A" {
			if parts[fs[1]] == nil {
				parts[fs[1]] = map[int]bool{}
			}
			p, _ := strconv.Atoi(fs[2])
			n, _ := strconv.Atoi(fs[3])
			parts[fs[1]][p] = true
			counts[fs[1]] = n
		}
		if len(fs) == 2 && fs[0] == "R" {
			got[fs[1]]++
		}
		if len(fs) == 4 && fs[0] == "P" {
			seq, _ := strconv.Atoi(fs[2])
			n, _ := strconv.Atoi(fs[3])
			if recv[fs[1]] == nil {
				recv[fs[1]] = map[int]int{}
			}
			recv[fs[1]][seq]++
			total[fs[1]] = n
		}
	}
	// A long message arrived when each of its parts did; it arrived
	// twice as often as its most repeated part.
	for id, ps := range recv {
		if len(ps) < total[id] {
			continue
		}
		most := 0
		for _, c := range ps {
			most = max(most, c)
		}
		got[id] += most
	}
	for id, ps := range parts {
		if len(ps) == counts[id] {
			accepted[id] = true
		}
	}
	return
}
