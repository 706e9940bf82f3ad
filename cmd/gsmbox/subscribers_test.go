package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// subs runs "gsmbox subscribers ARGS" and returns stdout, stderr and the error.
func subs(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"gsmbox", "subscribers"}, args...), &out, &errb)
	return out.String(), errb.String(), err
}

func mustSubs(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, err := subs(t, args...)
	if err != nil {
		t.Fatalf("gsmbox subscribers %s = %v\nstderr: %s", strings.Join(args, " "), err, errs)
	}
	return out
}

const (
	testKi  = "000102030405060708090a0b0c0d0e0f"
	testK   = "465b5ce8b199b49faa5f0a2ee238a6bc" // TS 35.207 test set 1
	testOP  = "cdc202d5123e20f62b6d676ac72cb318"
	testOPc = "cd63cb71954a9f4e48a5994e37a02baf"
)

func TestSubscribersCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "perm", "subscribers.db")

	if _, _, err := subs(t, "list", "--db", db); err == nil || !strings.Contains(err.Error(), "no subscriber database") {
		t.Errorf("list on a missing database = %v, want a 'no subscriber database' error", err)
	}
	mustSubs(t, "add", "001010000000001", "--db", db, "--msisdn", "1001", "--algorithm", "comp128v1", "--ki", testKi, "--imei", "49015420323751", "--name", "Alice")
	mustSubs(t, "add", "--db", db, "001010000000002", "--msisdn", "1002", "--algorithm", "milenage", "--ki", testK, "--op", testOP)
	if _, _, err := subs(t, "add", "001010000000003", "--db", db, "--msisdn", "1001"); err == nil {
		t.Errorf("add with a taken MSISDN = nil error")
	}
	if _, _, err := subs(t, "add", "001010000000003", "--db", db, "--algorithm", "milenage", "--ki", testK); err == nil {
		t.Errorf("add milenage without OPc = nil error")
	}

	out := mustSubs(t, "list", "--db", db)
	for _, want := range []string{"IMSI", "001010000000001", "1001", "comp128v1", "490154203237518", "Alice", "2 of 2 subscribers"} {
		if !strings.Contains(out, want) {
			t.Errorf("list output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, testKi) || strings.Contains(out, testOPc) {
		t.Errorf("list output shows keys without --show-keys:\n%s", out)
	}
	out = mustSubs(t, "list", "--db", db, "--show-keys")
	if !strings.Contains(out, testKi) || !strings.Contains(out, testOPc) {
		t.Errorf("list --show-keys lacks the keys (OPc derived from OP per TS 35.207 set 1):\n%s", out)
	}

	var page struct {
		Total       int    `json:"total"`
		Next        string `json:"next"`
		Subscribers []struct {
			IMSI, MSISDN, Ki string
			Authorized       bool
		} `json:"subscribers"`
	}
	out = mustSubs(t, "list", "--db", db, "--json", "--limit", "1")
	if err := json.Unmarshal([]byte(out), &page); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	if page.Total != 2 || page.Next != "001010000000001" || len(page.Subscribers) != 1 || page.Subscribers[0].Ki != "" || !page.Subscribers[0].Authorized {
		t.Errorf("list --json --limit 1 = %+v", page)
	}
	out = mustSubs(t, "list", "--db", db, "--json", "--after", page.Next)
	if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Subscribers) != 1 || page.Subscribers[0].IMSI != "001010000000002" {
		t.Errorf("second page = %+v, %v", page, err)
	}

	out = mustSubs(t, "show", "msisdn:1002", "--db", db)
	if !strings.Contains(out, "001010000000002") || !strings.Contains(out, "[redacted]") || strings.Contains(out, testK) {
		t.Errorf("show msisdn:1002 =\n%s", out)
	}

	mustSubs(t, "set", "001010000000002", "--db", db, "--barred", "--name", "Bob")
	out = mustSubs(t, "show", "001010000000002", "--db", db, "--json")
	var one struct {
		Name       string
		Authorized bool
		Algorithm  string
	}
	if err := json.Unmarshal([]byte(out), &one); err != nil || one.Name != "Bob" || one.Authorized || one.Algorithm != "milenage" {
		t.Errorf("after set: %+v, %v", one, err)
	}

	// A bad file: every bad line is reported, and nothing changes.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("imsi,msisdn,algorithm,ki\n001010000000010,1010,,\n0010100000x,1011,,\n001010000000012,1001,,\n001010000000013,1013,comp128v1,"+testKi[:30]+"\n"), 0o600)
	_, _, err := subs(t, "import", bad, "--db", db)
	if err == nil {
		t.Fatal("import of a bad file = nil error")
	}
	for _, want := range []string{"nothing imported", "line 3:", "line 4:", "MSISDN", "line 5:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("import error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "line 2:") || strings.Contains(err.Error(), testKi[:30]) {
		t.Errorf("import error reports the good line or leaks a key:\n%v", err)
	}
	if out := mustSubs(t, "list", "--db", db); !strings.Contains(out, "2 of 2") {
		t.Errorf("after a failed import:\n%s", out)
	}

	// Export, import into a fresh database, export again: the same file.
	exp := filepath.Join(dir, "backup.csv")
	mustSubs(t, "export", exp, "--db", db)
	if fi, err := os.Stat(exp); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export file mode = %v, %v, want 0600", fi.Mode().Perm(), err)
	}
	db2 := filepath.Join(dir, "copy.db")
	if out := mustSubs(t, "import", exp, "--db", db2); !strings.Contains(out, "2 added") {
		t.Errorf("import of the export = %q", out)
	}
	a := mustSubs(t, "export", "--db", db)
	b := mustSubs(t, "export", "--db", db2)
	if a != b {
		t.Errorf("export of the copy differs:\n%s\n---\n%s", a, b)
	}
	if !strings.Contains(a, testKi) {
		t.Errorf("export lacks the keys:\n%s", a)
	}

	mustSubs(t, "remove", "001010000000001", "--db", db)
	if _, _, err := subs(t, "show", "001010000000001", "--db", db); err == nil {
		t.Errorf("show after remove = nil error")
	}
	if out := mustSubs(t, "check", "--db", db); !strings.Contains(out, "ok, 1 subscribers") {
		t.Errorf("check = %q", out)
	}
	if _, _, err := subs(t, "frobnicate"); err == nil {
		t.Errorf("unknown subcommand = nil error")
	}
}

// TestSubscribersDamagedDB replays the campaign's truncated and empty
// databases through list and check (an error naming the damage, no crash),
// then restore and repair.
func TestSubscribersDamagedDB(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "subscribers.db")
	for i := range 20 {
		mustSubs(t, "add", "--db", db, "00101000000"+strings.Repeat("0", 3-len(itoa(i)))+itoa(i)+"0", "--algorithm", "comp128v1", "--ki", testKi)
	}
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db+".bak.1", good, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		b    []byte
	}{{"truncated", good[:10000]}, {"empty", nil}} {
		if err := os.WriteFile(db, c.b, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"list", "check", "export"} {
			_, _, err := subs(t, cmd, "--db", db)
			if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "restore") {
				t.Errorf("%s: %s = %v, want a damage report with what to do", c.name, cmd, err)
			}
		}
	}
	out := mustSubs(t, "restore", "--db", db)
	if !strings.Contains(out, "20 subscribers") || !strings.Contains(out, "kept as") {
		t.Errorf("restore output:\n%s", out)
	}
	if out := mustSubs(t, "check", "--db", db); !strings.Contains(out, "ok, 20 subscribers") {
		t.Errorf("check after restore:\n%s", out)
	}
	os.WriteFile(db, good[:10000], 0o600)
	out = mustSubs(t, "repair", "--db", db, "--from-backup")
	if !strings.Contains(out, "added 20 subscribers from backup") {
		t.Errorf("repair output:\n%s", out)
	}
	if out := mustSubs(t, "list", "--db", db); !strings.Contains(out, "20 of 20") {
		t.Errorf("list after repair:\n%s", out)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestSubscribersListEscapes: a name stored with terminal control
// characters (before they were refused) is escaped by list and show, and
// add refuses one.
func TestSubscribersListEscapes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "subscribers.db")
	if _, _, err := subs(t, "add", "--db", db, "001010000000001", "--name", "\x1b[2Jgone"); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("add with ESC in the name = %v, want refused", err)
	}
	d, err := registry.Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := registry.Subscriber{IMSI: "001010000000001", Name: "\x1b[2J\x00bell\a\u202e"}
	if err := d.Update(func(tx registry.Tx) error { return tx.Put(&s) }); err != nil {
		t.Fatal(err)
	}
	d.Close()
	for _, args := range [][]string{{"list"}, {"show", "001010000000001"}} {
		out := mustSubs(t, append(args, "--db", db)...)
		if registry.CheckText(strings.ReplaceAll(strings.ReplaceAll(out, "\n", ""), "\t", "")) != nil {
			t.Errorf("%s prints raw control characters: %q", args[0], out)
		}
		if !strings.Contains(out, `\x1b[2J\x00bell\x07\u202e`) {
			t.Errorf("%s output lacks the escaped name: %q", args[0], out)
		}
	}
}
