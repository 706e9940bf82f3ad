package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

var (
	splitCuts   = flag.Int("split.cuts", 5, "TestSplitSMSPowerCut: SIGKILLs of the network process")
	splitPhones = flag.Int("split.phones", 3, "TestSplitSMSPowerCut: phones in the transceiver process")
	splitEach   = flag.Int("split.each", 3, "TestSplitSMSPowerCut: messages each phone sends")
)

// TestSplitHelper is a gsmbox process of TestSplitSMSPowerCut: the
// command line in GSMBOX_SPLIT_ARGS (separated by US, 0x1f).
func TestSplitHelper(t *testing.T) {
	args := os.Getenv("GSMBOX_SPLIT_ARGS")
	if args == "" {
		t.Skip("run by TestSplitSMSPowerCut")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, append([]string{"gsmbox"}, strings.Split(args, "\x1f")...), os.Stdout, os.Stderr); err != nil {
		t.Fatal(err)
	}
}

// The two-process split under power cuts (issue 12): the phones and
// their inboxes live in the transceiver process ("gsmbox trx --phones N
// --sms M", in this test's process), the cell, the core, the registry
// and the SMS queue in the network process ("gsmbox bts", a child),
// which is SIGKILLed at random instants of the SMS storm and restarted on
// the same files each time. At the end every message the network
// accepted (RP-ACK to its sender) is in its recipient's inbox, a message
// shows in an inbox at most once, the redeliveries the phones recognised
// stay inside the window (a kill between a phone's RP-ACK and the
// durable record can catch at most one delivery per phone), and the
// registry and the queue open cleanly with nothing left queued.
//
// What the split adds to gsm/core's TestSMSPowerCut (200 kills of a
// process holding the core and the phones, with the phones' memory in a
// ledger file): here the phones are real processes' state that survives,
// the network is the shipped command, reached over the TRX protocol, and
// it loses its radio, its sessions and its in-memory queue with each
// kill, as an appliance does. Real time: about 75 s (loaded).
func TestSplitSMSPowerCut(t *testing.T) {
	if testing.Short() {
		t.Skip("real time, minutes")
	}
	if os.Getenv("GSMBOX_SPLIT_ARGS") != "" {
		t.Skip("helper")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gsmbox.toml")
	// Short retries: a restarted network tries its queue again soon.
	if err := os.WriteFile(cfg, []byte("[sms]\nretry = [\"5s\", \"10s\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := 40000 + int(time.Now().UnixNano()/1000%1000)*4
	report := filepath.Join(dir, "trx.json")
	var trxOut, trxErr testtool.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trxDone := make(chan error, 1)
	go func() {
		trxDone <- run(ctx, []string{"gsmbox", "trx", "--config", cfg, "--base-port", strconv.Itoa(base), "--phones", strconv.Itoa(*splitPhones),
			"--sms", strconv.Itoa(*splitEach), "--report", report, "--duration", "8m"}, &trxOut, &trxErr)
	}()
	for end := time.Now().Add(10 * time.Second); !strings.Contains(trxOut.String(), "transceiver on") && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	btsArgs := []string{"bts", "--config", cfg, "--trx", "127.0.0.1:" + strconv.Itoa(base), "--db", filepath.Join(dir, "subscribers.db"),
		"--provision-phones", strconv.Itoa(*splitPhones)}
	start := func(k int) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^TestSplitHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "GSMBOX_SPLIT_ARGS="+strings.Join(btsArgs, "\x1f"))
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("bts%d.log", k)))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return cmd
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	began := time.Now()
	kills := 0
	var trxErrV error
	trxFinished := false
	for kills < *splitCuts && !trxFinished {
		cmd := start(kills)
		// The first run registers the phones; later ones are cut
		// anywhere in the storm.
		wait := time.Duration(3000+rng.IntN(12000)) * time.Millisecond
		if kills == 0 {
			wait += 8 * time.Second
		}
		select {
		case <-time.After(wait):
		case trxErrV = <-trxDone:
			trxFinished = true
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++
		t.Logf("%6.1f s: SIGKILL %d of the network process", time.Since(began).Seconds(), kills)
		time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
	}
	final := start(kills)
	if !trxFinished {
		select {
		case trxErrV = <-trxDone:
		case <-time.After(5 * time.Minute):
			cancel()
			trxErrV = <-trxDone
		}
	}
	final.Process.Signal(os.Interrupt)
	final.Wait()
	if trxErrV != nil {
		t.Fatalf("gsmbox trx: %v\n%s", trxErrV, trxOut.String())
	}
	t.Logf("trx:\n%s", trxOut.String())
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		SMS *simphones.SMSReport `json:"sms"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || rep.SMS == nil {
		t.Fatalf("report: %v\n%s", err, b)
	}
	r := rep.SMS
	want := *splitPhones * *splitEach
	if r.Sent != want {
		t.Errorf("the phones sent %d messages, want %d", r.Sent, want)
	}
	if r.Accepted == 0 || r.Undelivered != 0 {
		t.Errorf("%d messages accepted, %d of them not delivered: want every accepted message delivered", r.Accepted, r.Undelivered)
	}
	if r.Duplicated != 0 {
		t.Errorf("%d messages shown twice in an inbox, want 0", r.Duplicated)
	}
	if r.PhoneDups > kills**splitPhones {
		t.Errorf("%d redeliveries after %d kills: more than the window allows (one per phone and kill)", r.PhoneDups, kills)
	}
	// The files open cleanly, and nothing is left queued.
	rdb, err := registry.Open(filepath.Join(dir, "subscribers.db"), &registry.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the registry does not open after the kills: %v", err)
	}
	rdb.Close()
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
	for _, rec := range recs {
		if rec.State == smsc.Queued {
			queued++
		}
	}
	if queued != 0 {
		t.Errorf("%d records still queued at the end", queued)
	}
	t.Logf("%d SIGKILLs in %v: %d sent, %d accepted (%d refused or given up by the phone, %d pending), %d delivered, %d redeliveries recognised by phones (window %d), %d shown twice; %d records, %d queued",
		kills, time.Since(began).Round(time.Second), r.Sent, r.Accepted, r.Refused, r.Pending, r.Delivered, r.PhoneDups, kills**splitPhones, r.Duplicated, len(recs), queued)
}
