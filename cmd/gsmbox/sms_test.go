package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/console"

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

// smsIn runs gsmbox sms with its output and error apart.
func smsIn(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), append([]string{"gsmbox", "sms"}, args...), &out, &errb)
	return out.String(), errb.String(), err
}

// The operator's commands against the running network: gsmbox sim
// --http with its API on a local socket (as the box has) runs three
// phones in real time; send, show, list, cancel and broadcast go through
// the console's API over the socket and over HTTPS with a token, and a
// message sent so reaches a phone. Once the network stops, the same
// commands work on its file and say so. Real time, about 20 s.
func TestSMSCommandRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("real time, about 20 s")
	}
	dir, err := os.MkdirTemp("", "smscli") // a short path: a Unix socket's is bounded
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock, db := filepath.Join(dir, "c.sock"), filepath.Join(dir, "subscribers.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lockedBuf{}
	done := make(chan error, 1)
	go func() {
		done <- runSim(ctx, []string{"--phones", "3", "--http", "127.0.0.1:0", "--http-socket", sock, "--http-state", filepath.Join(dir, "state"),
			"--db", db, "--duration", "3m"}, out, &lockedBuf{})
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("sim: %v", err)
			}
		}
	}
	defer stop()
	api, err := newAPIClient("", "", sock, "")
	if err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, d time.Duration, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(d); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("no %s after %v\n%s", what, d, out.String())
			}
		}
	}
	waitFor("three phones attached", 60*time.Second, func() bool {
		var st struct {
			Attached int `json:"attached"`
		}
		return api.do(ctx, "GET", "/api/status", nil, &st) == nil && st.Attached == 3
	})

	// To a phone: durable when the command returns, then delivered.
	o, e, err := smsIn(t, "send", "--socket", sock, "2001", "hello from the operator")
	if err != nil || !strings.Contains(o, "sent 1 messages (1 recipients), IDs 1") || !strings.Contains(e, "the running network (console at unix:"+sock) {
		t.Fatalf("send: %v\n%s%s", err, o, e)
	}
	if _, _, err := smsIn(t, "send", "--socket", sock, "--from", "Village", "2001", "x"); err == nil {
		t.Error("send --from to the running network succeeded: it uses [sms] sender")
	}
	waitFor("message 1 delivered", 30*time.Second, func() bool {
		o, _, err := smsIn(t, "show", "--socket", sock, "1")
		return err == nil && strings.Contains(o, "state:     delivered") && strings.Contains(o, "hello from the operator")
	})

	// To a subscriber whose phone is off: it waits, and is cancelled.
	if err := api.do(ctx, "POST", "/api/subscribers", map[string]string{"imsi": "001010000009999", "msisdn": "3000"}, nil); err != nil {
		t.Fatal(err)
	}
	o, _, err = smsIn(t, "send", "--socket", sock, "3000", strings.Repeat("Ünïcode and a long text for a phone that is off. ", 4))
	if err != nil || !strings.Contains(o, "sent 3 messages (1 recipients), IDs 2..4") {
		t.Fatalf("send long: %v\n%s", err, o)
	}
	o, _, err = smsIn(t, "list", "--socket", sock)
	if err != nil || !strings.Contains(o, "3000") || strings.Count(o, "queued") != 3 {
		t.Fatalf("list: %v\n%s", err, o)
	}
	o, e, err = smsIn(t, "cancel", "--socket", sock, "2", "3", "4", "1")
	if err == nil || !strings.Contains(o, "cancelled 2\ncancelled 3\ncancelled 4\n") || !strings.Contains(err.Error(), "message 1 is not queued") {
		t.Errorf("cancel: %v\n%s%s", err, o, e)
	}

	// A broadcast reaches every subscriber with a number.
	o, _, err = smsIn(t, "broadcast", "--socket", sock, "the well is fixed")
	if err != nil || !strings.Contains(o, "(4 recipients)") {
		t.Errorf("broadcast: %v\n%s", err, o)
	}

	// From elsewhere: HTTPS with a token (read scope to list; write to
	// send).
	var tok struct {
		Token string `json:"token"`
	}
	if err := api.do(ctx, "POST", "/api/tokens", map[string]any{"name": "ro", "scopes": []string{"read"}}, &tok); err != nil {
		t.Fatal(err)
	}
	url := regexp.MustCompile(`console: (https://[0-9.:]+)/`).FindStringSubmatch(out.String())[1]
	o, e, err = smsIn(t, "list", "--url", url, "--token", tok.Token, "--all", "--json")
	if err != nil || !strings.Contains(e, "the running network (console at "+url) {
		t.Fatalf("list --url: %v\n%s%s", err, o, e)
	}
	var l console.SMSList
	if err := json.Unmarshal([]byte(o), &l); err != nil || len(l.Messages) < 8 {
		t.Fatalf("list --url --json: %v, %d messages\n%s", err, len(l.Messages), o)
	}
	states := map[uint64]string{}
	for _, m := range l.Messages {
		states[m.ID] = m.State
	}
	if states[1] != "delivered" || states[2] != "cancelled" || states[4] != "cancelled" {
		t.Errorf("states over --url: %v", states)
	}
	if _, _, err := smsIn(t, "send", "--url", url, "--token", tok.Token, "2001", "x"); err == nil || !strings.Contains(err.Error(), "scope") {
		t.Errorf("send with a read-only token: %v", err)
	}

	// The network stopped: the same command on its file, and it says so.
	stop()
	o, e, err = smsIn(t, "list", "--all", "--db", filepath.Join(dir, "sms.db"))
	if err != nil || !strings.Contains(e, "no network running: the queue file") || !strings.Contains(o, "cancelled") {
		t.Errorf("list on the file: %v\n%s%s", err, o, e)
	}
}
