package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/smsc"
)

func smsCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"gsmbox", "sms"}, args...), &out, &errb)
	return out.String() + errb.String(), err
}

// The operator's commands on a stopped network's files: send and
// broadcast queue messages the core will load, list and show read them,
// cancel takes one back.
func TestSMSCommand(t *testing.T) {
	dir := t.TempDir()
	subdb, smsdb := filepath.Join(dir, "subscribers.db"), filepath.Join(dir, "sms.db")
	mustSubs(t, "add", "001010000000001", "--msisdn", "1234", "--db", subdb)
	mustSubs(t, "add", "001010000000002", "--msisdn", "1235", "--db", subdb)
	mustSubs(t, "add", "001010000000003", "--db", subdb) // no number: not in a broadcast
	if out, err := smsCmd(t, "send", "--db", smsdb, "1234", "hello"); err != nil || !strings.Contains(out, "queued 1 messages") {
		t.Fatalf("send: %v\n%s", err, out)
	}
	if out, err := smsCmd(t, "broadcast", "--db", smsdb, "--subscribers", subdb, "--from", "Village", strings.Repeat("long news ", 30)); err != nil || !strings.Contains(out, "(2 recipients)") {
		t.Fatalf("broadcast: %v\n%s", err, out)
	}
	if _, err := smsCmd(t, "send", "--db", smsdb, "12ab", "x"); err == nil {
		t.Error("send to a non-number succeeded")
	}
	if out, err := smsCmd(t, "cancel", "--db", smsdb, "1"); err != nil || !strings.Contains(out, "cancelled 1") {
		t.Fatalf("cancel: %v\n%s", err, out)
	}
	if _, err := smsCmd(t, "cancel", "--db", smsdb, "1"); err == nil {
		t.Error("cancelling a cancelled message succeeded")
	}
	out, err := smsCmd(t, "list", "--db", smsdb)
	if err != nil || strings.Contains(out, "hello") || strings.Count(out, "Village") != 4 {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if out, err := smsCmd(t, "show", "--db", smsdb, "2"); err != nil || !strings.Contains(out, "[1/2] long news") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	st, err := smsc.Open(smsdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, next, bad, err := st.Load()
	if err != nil || len(recs) != 5 || next != 6 || bad != 0 {
		t.Fatalf("store: %d records, next %d, %d bad, %v", len(recs), next, bad, err)
	}
}
