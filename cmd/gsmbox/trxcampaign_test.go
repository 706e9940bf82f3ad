package main

import (
	"context"
	"math/rand/v2"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/trxproto"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// The hostile-input campaign's TRX cases, replayed on loopback (issue
// 11): garbage datagrams on every port of both sides, spoofed clocks,
// out-of-band and non-duplex tunes. Nothing panics, each side ends with
// its summary (the bad input counted there), and the logs stay bounded:
// a flood gives a line a second, not a line a datagram.

// flood sends n datagrams of random bytes (some of them almost TRXC)
// from one socket to each of ports in turn, paced so that the loopback
// queues mostly keep up.
func flood(t *testing.T, ports []int, n int, seed uint64) int {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := rand.New(rand.NewPCG(seed, 1))
	prefixes := []string{"", "CMD ", "RSP ", "IND ", "IND CLOCK ", "CMD SETSLOT ", "\x00"}
	buf := make([]byte, 400)
	sent := 0
	for i := range n {
		k := r.IntN(len(buf))
		for j := range k {
			buf[j] = byte(r.UintN(256))
		}
		b := append([]byte(prefixes[r.IntN(len(prefixes))]), buf[:k]...)
		if len(b) >= 2 && b[0] < 0x10 {
			b[1] = 0xff // never a readable TRXD PDU by chance (FN beyond the hyperframe)
		}
		to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: ports[i%len(ports)]}
		if _, err := c.WriteToUDP(b, to); err == nil {
			sent++
		}
		if i%100 == 99 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	return sent
}

func warnLines(log string) int { return strings.Count(log, "level=WARN") }

func counter(t *testing.T, out, pattern string) int {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("summary lacks %q:\n%s", pattern, out)
	}
	return atoiT(m[1])
}

// Both sides running, 40,000 garbage datagrams spread over their six
// ports and a stream of spoofed clock indications: the cell keeps its
// schedule (bursts on time at the transceiver, no clock move), and both
// logs stay short.
func TestTRXCampaignFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("real time, about 4 s")
	}
	b := 30000 + int(time.Now().UnixNano()/1000%1000)*4
	base := strconv.Itoa(b)
	var trxOut, trxErr, btsOut, btsErr testtool.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"gsmbox", "trx", "--base-port", base, "--duration", "4s"}, &trxOut, &trxErr)
	}()
	for end := time.Now().Add(5 * time.Second); !strings.Contains(trxOut.String(), "transceiver on") && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	btsDone := make(chan error, 1)
	go func() {
		btsDone <- run(context.Background(), []string{"gsmbox", "bts", "--trx", "127.0.0.1:" + base, "--duration", "3500ms"}, &btsOut, &btsErr)
	}()
	time.Sleep(500 * time.Millisecond) // initialised, the clock followed
	o := trxproto.ClientOffset
	sent := flood(t, []int{b, b + 1, b + 2, b + o, b + o + 1, b + o + 2}, 40000, 1)
	spoof, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: b + o})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the readers drain the flood
	for i := range 150 {
		spoof.Write([]byte("IND CLOCK " + strconv.Itoa(100000+i*1000)))
		time.Sleep(5 * time.Millisecond)
	}
	spoof.Close()
	if err := <-btsDone; err != nil {
		t.Fatalf("gsmbox bts: %v\n%s", err, btsErr.String())
	}
	if err := <-done; err != nil {
		t.Fatalf("gsmbox trx: %v\n%s", err, trxErr.String())
	}
	t.Logf("sent %d garbage datagrams\ntrx: %s\nbts: %s", sent, trxOut.String(), btsOut.String())
	trxBad := counter(t, trxOut.String(), `(\d+) unreadable datagrams`) + counter(t, trxOut.String(), `early, (\d+) unreadable\)`)
	btsBad := counter(t, btsOut.String(), `(\d+) not followed`) + counter(t, btsOut.String(), `clock moves, (\d+) unreadable`) +
		counter(t, btsOut.String(), `dropped, (\d+) unreadable`) + counter(t, btsOut.String(), `stale replies, (\d+) unreadable`)
	// UDP on a busy host drops datagrams, so not every one sent arrives;
	// every one that arrives is counted (the counts' own tests are in
	// gsm/trxproto and firmware/node/trxserver).
	if trxBad == 0 || btsBad == 0 || trxBad > sent || btsBad > sent+150 {
		t.Errorf("of %d datagrams the transceiver counted %d and the layer 1 %d bad: want some, and no more than were sent", sent, trxBad, btsBad)
	}
	if n := counter(t, btsOut.String(), `(\d+) not followed`); n == 0 {
		t.Errorf("the layer 1 followed every clock indication: none of the 150 spoofed ones arrived, or all were followed")
	}
	if n := counter(t, btsOut.String(), `(\d+) clock moves`); n != 0 {
		t.Errorf("spoofed clock indications moved the layer 1's clock %d times", n)
	}
	got, late := counter(t, trxOut.String(), `(\d+) bursts received from L1`), counter(t, trxOut.String(), `from L1 \((\d+) late`)
	if got < 8*217 || late > got/20 {
		t.Errorf("transceiver got %d bursts, %d late; want ≥ %d, ≤ 5%% late despite the flood", got, late, 8*217)
	}
	if n, m := warnLines(trxErr.String()), warnLines(btsErr.String()); n > 60 || m > 60 {
		t.Errorf("the flood gave %d WARN lines from the transceiver and %d from the layer 1, want at most 60 each", n, m)
	}
}

// A layer 1 that tunes the transceiver out of its band, or off the
// duplex pair once it is on the air, is refused, and the transceiver
// keeps running and says so in its summary.
func TestTRXCampaignTunes(t *testing.T) {
	b := 34000 + int(time.Now().UnixNano()/1000%1000)*4
	var out, errOut testtool.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"gsmbox", "trx", "--base-port", strconv.Itoa(b), "--duration", "1500ms"}, &out, &errOut)
	}()
	for end := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "transceiver on") && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	l1, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.BTSSide, Base: b})
	if err != nil {
		t.Fatal(err)
	}
	defer l1.Close()
	steps := []struct {
		cmd    trxproto.Message
		status int
	}{
		{trxproto.Command("RXTUNE", "1710200"), 1}, // DCS1800 on a GSM900 cell
		{trxproto.Command("TXTUNE", "2400000"), 1}, // not GSM at all
		{trxproto.Command("TXTUNE", "947300"), 1},  // off the raster
		{trxproto.Command("RXTUNE", "902400"), 0},
		{trxproto.Command("TXTUNE", "947600"), 0}, // not the pair, but off the air
		{trxproto.Command("POWERON"), 1},          // refused: not a duplex pair
		{trxproto.Command("TXTUNE", "947400"), 0},
		{trxproto.Command("POWERON"), 0},
		{trxproto.Command("TXTUNE", "947600"), 1}, // on the air: off the pair
		{trxproto.Command("RXTUNE", "902800"), 1},
		{trxproto.Command("SETPOWER", "-1000"), 0}, // clamped
		{trxproto.Command("POWEROFF"), 0},
	}
	for _, s := range steps {
		r, err := l1.Command(s.cmd, 500*time.Millisecond, 2)
		if r.Status != s.status || s.status == 0 && err != nil {
			t.Errorf("%v = %v, %v; want status %d", s.cmd, r, err, s.status)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("gsmbox trx: %v\n%s", err, errOut.String())
	}
	if n := counter(t, out.String(), `\((\d+) refused`); n != 6 {
		t.Errorf("summary counts %d refused commands, want 6:\n%s", n, out.String())
	}
}
