package main

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// The stack ("gsmbox bts") and the transceiver ("gsmbox trx") in one
// process, joined by the TRX protocol on loopback: the stack initialises
// the transceiver, sends its bursts in time, and decodes the channel
// requests of the transceiver's test phone from the uplink PDUs. Real
// time, about 2 s per TRXD version.
func TestTRXLoopback(t *testing.T) {
	for _, v := range []string{"0", "1"} {
		t.Run("TRXDv"+v, func(t *testing.T) { trxLoopback(t, v) })
	}
}

func trxLoopback(t *testing.T, version string) {
	base := strconv.Itoa(20000 + int(time.Now().UnixNano()/1000%2000)*4)
	var trxOut, trxErr, btsOut, btsErr testtool.Buffer
	done := make(chan error, 1)
	go func() {
		// The transceiver outlives the stack's run however late the
		// stack starts on a loaded machine.
		done <- run(context.Background(), []string{"gsmbox", "trx", "--base-port", base, "--duration", "4s", "--test-rach", "250ms", "-v"}, &trxOut, &trxErr)
	}()
	for end := time.Now().Add(5 * time.Second); !strings.Contains(trxOut.String(), "transceiver on") && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	if err := run(context.Background(), []string{"gsmbox", "bts", "--trx", "127.0.0.1:" + base, "--duration", "1800ms", "--trxd-version", version}, &btsOut, &btsErr); err != nil {
		t.Fatalf("gsmbox bts: %v\n%s", err, btsErr.String())
	}
	if err := <-done; err != nil {
		t.Fatalf("gsmbox trx: %v\n%s", err, trxErr.String())
	}
	t.Logf("trx: %s\nbts: %s", trxOut.String(), btsOut.String())
	if want := `cmd="CMD SETFORMAT ` + version + `" rsp="RSP SETFORMAT ` + version + " " + version + `"`; !strings.Contains(trxErr.String(), want) {
		t.Errorf("transceiver log lacks %s", want)
	}
	m := regexp.MustCompile(`(\d+) bursts received from L1 \((\d+) late`).FindStringSubmatch(trxOut.String())
	if m == nil {
		t.Fatalf("gsmbox trx summary missing:\n%s", trxOut.String())
	}
	// Every burst the stack sent reaches the transceiver, few late; and
	// the stack ran at least a second of frames.
	ms := regexp.MustCompile(`(\d+) bursts sent`).FindStringSubmatch(btsOut.String())
	if ms == nil {
		t.Fatalf("gsmbox bts summary missing:\n%s", btsOut.String())
	}
	if n, late, sent := atoiT(m[1]), atoiT(m[2]), atoiT(ms[1]); sent < 8*217 || n < sent*95/100 || late > n/20 {
		t.Errorf("stack sent %d bursts, transceiver got %d, %d late; want ≥ %d sent, ≥ 95%% of them received, ≤ 5%% late", sent, n, late, 8*217)
	}
	// The uplink PDUs carry RSSI in dBm (TS 45.008 §8.1.4), calibrated as
	// the in-process cell's receiver: the test phone, 30 dB above the
	// simulated air's -110 dBm noise with no path loss, is read near
	// -80 dBm, not at the receiver's dBFS (a few dB below 0), which a
	// layer 1's MS power control would take for a phone far too loud.
	m = regexp.MustCompile(`mean RSSI (-?[\d.]+) dBm`).FindStringSubmatch(trxOut.String())
	if m == nil {
		t.Fatalf("gsmbox trx summary lacks the uplink RSSI:\n%s", trxOut.String())
	}
	if rssi, _ := strconv.ParseFloat(m[1], 64); rssi > -50 || rssi < -105 {
		t.Errorf("uplink RSSI %v dBm: want a level in dBm (-105..-50) for a phone 30 dB above a -110 dBm noise floor", rssi)
	}
	m = regexp.MustCompile(`(\d+) channel requests`).FindStringSubmatch(btsOut.String())
	if m == nil || atoiT(m[1]) < 3 {
		t.Errorf("gsmbox bts decoded %v channel requests, want ≥ 3\n%s", m, btsErr.String())
	}
}

func atoiT(s string) int { v, _ := strconv.Atoi(s); return v }

// RF safety: only channels of the configured band, on a board that has it.
func TestCheckTune(t *testing.T) {
	board, err := boards.Lookup("sim")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		up   bool
		hz   int64
		band tdma.Band
		ok   bool
	}{
		{false, 947_400_000, tdma.GSM900, true},
		{true, 902_400_000, tdma.GSM900, true},
		{true, 947_400_000, tdma.GSM900, false},  // a downlink frequency on the uplink
		{false, 947_300_000, tdma.GSM900, false}, // off the 200 kHz raster
		{false, 1_842_000_000, tdma.GSM900, false},
		{false, 1_842_000_000, tdma.DCS1800, true},
	}
	for _, c := range cases {
		err := checkTune(board, c.band, c.up, c.hz)
		if (err == nil) != c.ok {
			t.Errorf("checkTune(%v, uplink %v, %d Hz) = %v, want ok %v", c.band, c.up, c.hz, err, c.ok)
		}
	}
}

// A call in the two-process split: "gsmbox trx --phones 2 --calls 1"
// places the call once both phones have registered with "gsmbox bts"
// over the TRX protocol, speech crosses both ways through the cell's
// relay, and the caller hangs up. Real time, about 20 s.
func TestTRXSplitCall(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	base := strconv.Itoa(24000 + int(time.Now().UnixNano()/1000%1000)*4)
	var trxOut, trxErr, btsOut, btsErr testtool.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"gsmbox", "trx", "--base-port", base, "--phones", "2", "--calls", "1", "--talk", "2s", "--duration", "90s"}, &trxOut, &trxErr)
	}()
	for end := time.Now().Add(5 * time.Second); !strings.Contains(trxOut.String(), "transceiver on") && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	btsDone := make(chan error, 1)
	go func() {
		btsDone <- run(ctx, []string{"gsmbox", "bts", "--trx", "127.0.0.1:" + base, "--db", t.TempDir() + "/subscribers.db", "--provision-phones", "2"}, &btsOut, &btsErr)
	}()
	err := <-done
	cancel()
	if berr := <-btsDone; berr != nil && !errors.Is(berr, context.Canceled) {
		t.Errorf("gsmbox bts: %v", berr)
	}
	if err != nil {
		t.Fatalf("gsmbox trx: %v\n%s", err, trxErr.String())
	}
	t.Logf("trx:\n%s", trxOut.String())
	if !strings.Contains(trxOut.String(), "1 calls placed") {
		t.Fatalf("no call placed:\n%s\nbts:\n%s", trxOut.String(), btsErr.String())
	}
	m := regexp.MustCompile(`\n0 +\d+ +\d+ \(\d+\) +\S+ +[\d.]+ s +[\d.]+ s +(\d+)/(\d+)/(\d+) +(true|false) +(\d+)/(\d+)/(\d+) +(true|false) +(.*)`).FindStringSubmatch(trxOut.String())
	if m == nil {
		t.Fatalf("no connected call in the calls table:\n%s", trxOut.String())
	}
	if atoiT(m[2]) == 0 || atoiT(m[6]) == 0 || m[4] != "true" || m[8] != "true" {
		t.Errorf("speech heard A→B %s, B→A %s, matching %s/%s: want speech both ways, matching", m[2], m[6], m[4], m[8])
	}
	if !strings.Contains(m[9], "normal call clearing") {
		t.Errorf("call ended with %q, want normal call clearing", m[9])
	}
}
