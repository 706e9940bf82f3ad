package image

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
)

// TestQEMUSMSPowerCut: the appliance survives hard power-offs during SMS
// traffic (issue 12). The qemu-arm64 image (default data partition, ext4)
// runs gsmbox.simphones=4 gsmbox.simsms=2: after every start of the cell
// its four virtual phones each text two others (every alphabet in turn),
// and the box logs each message's steps on its serial console under a
// tag of that boot: accepted by the network (RP-ACK to the sender: the
// message is durable in /perm/gsmbox/sms.db) and shown in an inbox. The
// console is the ledger: it is on the host, so a cut does not take it.
//
// Each boot but the last is cut (SIGKILL to QEMU) at a seeded random
// instant 0–15 s after the first message the network accepted in it.
// The last boot runs until every message any boot's network accepted is
// in an inbox, and that boot's phones have sent all theirs. Then every
// boot after a cut came on air; every accepted message was shown in an
// inbox; a message shown twice (the phones' memory dies with the box, so
// a redelivery shows again) was cut between its recipient's RP-ACK and
// the durable "delivered" record, at most one per phone and cut; the
// data partition is clean after the journal replay, and the queue and
// the registry open with no damaged record.
//
// GSMBOX_SMSCUT_CUTS=N sets the cuts (default 5), GSMBOX_SMSCUT_SEED the
// seed of the cut instants (default 1).
func TestQEMUSMSPowerCut(t *testing.T) {
	needQEMU(t)
	for _, tool := range []string{"e2fsck", "debugfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found; apt-get install e2fsprogs", tool)
		}
	}
	cuts, seed := 5, uint64(1)
	if v := os.Getenv("GSMBOX_SMSCUT_CUTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("GSMBOX_SMSCUT_CUTS=%q", v)
		}
		cuts = n
	}
	if v := os.Getenv("GSMBOX_SMSCUT_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("GSMBOX_SMSCUT_SEED=%q", v)
		}
		seed = n
	}
	const phones, each = 4, 2
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	d, err := boards.Lookup("qemu-arm64")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), d, Options{ModuleDir: moduleDir(t), Output: disk,
		ExtraCmdline: "gsmbox.simphones=" + strconv.Itoa(phones) + " gsmbox.simsms=" + strconv.Itoa(each), Version: "v0-smscut"}); err != nil {
		t.Fatalf("Build = %v", err)
	}
	rng := rand.New(rand.NewPCG(seed, 12))
	reEvent := regexp.MustCompile(`virtual phone sms"? event=(accepted|received|refused) id=<([0-9a-f]+)\.(\d+)\.(\d+)>`)
	reTag := regexp.MustCompile(`virtual phones send text messages"? each=\d+ tag=([0-9a-f]+)`)
	accepted := map[string]bool{}
	received := map[string]int{}
	ledger := func(c *console) (acc, rec map[string]bool, tag string) {
		c.mu.Lock()
		defer c.mu.Unlock()
		acc, rec = map[string]bool{}, map[string]bool{}
		for _, l := range c.lines {
			if m := reTag.FindStringSubmatch(l.text); m != nil {
				tag = m[1]
			}
			m := reEvent.FindStringSubmatch(l.text)
			if m == nil {
				continue
			}
			id := m[2] + "." + m[3] + "." + m[4]
			switch m[1] {
			case "accepted":
				acc[id] = true
			case "received":
				rec[id] = true
			}
		}
		return acc, rec, tag
	}
	onAir := 0
	for boot := 0; boot <= cuts; boot++ {
		last := boot == cuts
		cutAt := time.Duration(rng.Int64N(int64(15 * time.Second)))
		var verdict string
		c := bootDuring(t, QEMUOptions{Image: disk}, 900*time.Second, func(c *console) {
			if _, ok := c.waitFor(regexp.MustCompile(`on air`), 120*time.Second); !ok {
				verdict = "never on air"
				c.powerCut()
				return
			}
			if !last {
				if _, ok := c.waitFor(regexp.MustCompile(`virtual phone sms"? event=accepted`), 300*time.Second); !ok {
					verdict = "no message accepted"
				}
				time.Sleep(cutAt)
				c.powerCut()
				return
			}
			// The verdict boot: until every accepted message is shown,
			// this boot's included, and this boot's phones are done.
			for deadline := time.Now().Add(780 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
				acc, rec, tag := ledger(c)
				mine, missing := 0, 0
				for id := range acc {
					if tag != "" && regexp.MustCompile(`^`+tag+`\.`).MatchString(id) {
						mine++
					}
				}
				for id := range accepted {
					if !rec[id] && received[id] == 0 {
						missing++
					}
				}
				for id := range acc {
					if !rec[id] && !accepted[id] {
						missing++
					}
				}
				if mine == phones*each && missing == 0 {
					time.Sleep(5 * time.Second) // the last "delivered" records
					c.powerCut()
					return
				}
			}
			verdict = "not every accepted message delivered in time"
			c.powerCut()
		})
		if _, ok := c.find(regexp.MustCompile(`on air`)); ok {
			onAir++
		} else {
			t.Errorf("boot %d did not come on air:\n%s", boot, tail(c.text(), 60))
		}
		// The whole console, every line: a message can be shown twice in
		// one boot's console only if redelivered within it.
		acc, _, tag := ledger(c)
		for id := range acc {
			accepted[id] = true
		}
		c.mu.Lock()
		for _, l := range c.lines {
			if m := reEvent.FindStringSubmatch(l.text); m != nil && m[1] == "received" {
				received[m[2]+"."+m[3]+"."+m[4]]++
			}
		}
		c.mu.Unlock()
		when := "cut " + cutAt.Round(time.Millisecond).String() + " after its first"
		if last {
			when = "cut once every accepted message was shown"
		}
		t.Logf("boot %d (tag %s): %d accepted in it, %s; %s", boot, tag, len(acc), when, verdict)
		if verdict != "" && last {
			t.Errorf("verdict boot: %s\n%s", verdict, tail(c.text(), 80))
		}
	}
	missing, dups := 0, 0
	for id := range accepted {
		if received[id] == 0 {
			missing++
			t.Errorf("message %s accepted, never shown in an inbox", id)
		}
	}
	for _, n := range received {
		dups += max(n-1, 0)
	}
	if dups > cuts*phones {
		t.Errorf("%d messages shown again after %d cuts: more than the RP-ACK window allows (%d)", dups, cuts, cuts*phones)
	}
	// The data partition after the last cut.
	img, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	e := img[446+16:]
	start := int64(binary.LittleEndian.Uint32(e[8:])) * 512
	size := int64(binary.LittleEndian.Uint32(e[12:])) * 512
	part := filepath.Join(dir, "data.ext4")
	if err := os.WriteFile(part, img[start:start+size], 0o644); err != nil {
		t.Fatal(err)
	}
	exec.Command("e2fsck", "-E", "journal_only", "-y", part).Run()
	out, err := exec.Command("e2fsck", "-fn", part).CombinedOutput()
	class := fsckClass(string(out))
	if class == "damage" {
		t.Errorf("data partition after the cuts: %v\n%s", err, out)
	}
	var recs []smsc.Record
	bad := 0
	for _, f := range []string{"subscribers.db", "sms.db"} {
		p := filepath.Join(dir, f)
		if out, err := exec.Command("debugfs", "-R", "dump /gsmbox/"+f+" "+p, part).CombinedOutput(); err != nil {
			t.Fatalf("debugfs dump %s: %v\n%s", f, err, out)
		}
	}
	db, err := registry.Open(filepath.Join(dir, "subscribers.db"), &registry.Options{ReadOnly: true})
	if err != nil {
		t.Errorf("the registry does not open after the cuts: %v", err)
	} else {
		db.Close()
	}
	st, err := smsc.Open(filepath.Join(dir, "sms.db"), &smsc.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the SMS queue does not open after the cuts: %v", err)
	}
	recs, _, bad, err = st.Load()
	st.Close()
	if err != nil || bad != 0 {
		t.Errorf("SMS queue: %v, %d damaged records", err, bad)
	}
	queued := 0
	for _, r := range recs {
		if r.State == smsc.Queued {
			queued++
		}
	}
	t.Logf("%d cuts, %d boots on air: %d messages accepted, %d not shown (want 0), %d shown again (window %d); fsck %s; queue %d records, %d queued, %d damaged",
		cuts, onAir, len(accepted), missing, dups, cuts*phones, class, len(recs), queued, bad)
}
