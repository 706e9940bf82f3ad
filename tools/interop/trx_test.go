package interop

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// proc is a background program of a test, stopped with SIGTERM.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  testtool.Buffer
	done chan error
}

// waitFor waits until the program has printed s.
func (p *proc) waitFor(t *testing.T, s string, limit time.Duration) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if bytes.Contains(p.out.Bytes(), []byte(s)) {
			return
		}
	}
	t.Fatalf("%s did not print %q within %v:\n%s", p.name, s, limit, tail(p.out.Bytes(), 2000))
}

// waitTCP waits until something listens on addr.
func waitTCP(t *testing.T, addr string, limit time.Duration) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing listens on %s after %v", addr, limit)
}

func start(t *testing.T, ctx context.Context, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: filepath.Base(name), done: make(chan error, 1)}
	p.cmd = exec.CommandContext(ctx, name, args...)
	p.cmd.Cancel = func() error { return p.cmd.Process.Signal(syscall.SIGTERM) }
	p.cmd.WaitDelay = 5 * time.Second
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	return p
}

// wait waits for the program to end by itself (with a bound) and returns
// its output.
func (p *proc) wait(t *testing.T, limit time.Duration) []byte {
	t.Helper()
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("%s: %v\n%s", p.name, err, tail(p.out.Bytes(), 3000))
		}
	case <-time.After(limit):
		t.Errorf("%s did not finish within %v", p.name, limit)
		p.stop()
	}
	return p.out.Bytes()
}

// stop ends the program with SIGTERM and waits for it.
func (p *proc) stop() []byte {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	return p.out.Bytes()
}

func testDir(t *testing.T, name string) string {
	if keep := os.Getenv("GSMBOX_INTEROP_KEEP"); keep != "" {
		dir := filepath.Join(keep, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Logf("keeping files in %s", dir)
		return dir
	}
	return t.TempDir()
}

func writeConfig(t *testing.T, dir string, cfg *config.Config) string {
	b, err := cfg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "gsmbox.toml")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// trxDecodeAs makes tshark dissect the TRX protocol on base port b (the
// dissectors are not bound to ports by default).
func trxDecodeAs(b int) []string {
	return []string{"-d", fmt.Sprintf("udp.port==%d,osmo_trxc", b), "-d", fmt.Sprintf("udp.port==%d,osmo_trxc", b+1),
		"-d", fmt.Sprintf("udp.port==%d,osmo_trxd", b+2)}
}

// trxcRow is one TRXC message as tshark's osmo_trxc dissector reads it.
type trxcRow struct{ typ, verb, status, params string }

// dissectTRX runs tshark's osmo_trxc and osmo_trxd dissectors over a
// capture of the TRX protocol on base port b: it fails on anything
// malformed or flagged, checks that every TRXD PDU was dissected with its
// frame number and timeslot, and returns the TRXC messages and the count
// of TRXD PDUs per direction (1 = L1 → TRX, 2 = TRX → L1).
func dissectTRX(t *testing.T, pcap string, b int) ([]trxcRow, map[string]int) {
	t.Helper()
	run := func(args ...string) string {
		cmd := exec.Command("tshark", append(append([]string{"-r", pcap}, trxDecodeAs(b)...), args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark %v: %v\n%s", args, err, stderr.Bytes())
		}
		return string(out)
	}
	if s := strings.TrimSpace(run("-Y", `_ws.malformed || _ws.expert.severity >= "warning"`)); s != "" {
		t.Errorf("tshark finds malformed or suspicious TRX packets in %s:\n%s", filepath.Base(pcap), tail([]byte(s), 2000))
	}
	var rows []trxcRow
	for _, l := range strings.Split(run("-Y", "osmo_trxc", "-T", "fields", "-E", "separator=|",
		"-e", "osmo_trxc.type", "-e", "osmo_trxc.verb", "-e", "osmo_trxc.status", "-e", "osmo_trxc.params"), "\n") {
		f := strings.Split(l, "|")
		if len(f) == 4 {
			rows = append(rows, trxcRow{f[0], f[1], f[2], f[3]})
		}
	}
	dirs := map[string]int{}
	for _, l := range strings.Split(run("-Y", "osmo_trxd", "-T", "fields", "-E", "separator=|",
		"-e", "osmo_trx.direction", "-e", "osmo_trxd.tdma.fn", "-e", "osmo_trxd.tdma.tn"), "\n") {
		f := strings.Split(l, "|")
		if len(f) != 3 {
			continue
		}
		if f[1] == "" || f[2] == "" {
			t.Errorf("TRXD PDU dissected without FN/TN: %q", l)
		}
		dirs[f[0]]++
	}
	if total := len(rows) + dirs["1"] + dirs["2"]; total == 0 {
		t.Errorf("tshark dissected no TRX packet in %s", pcap)
	}
	return rows, dirs
}

// checkTRXCExchange checks that every command got its response (in
// order, with the command's parameters where osmo-bts-trx matches on
// them), that POWERON was answered 0 and every SETSLOT was answered 0.
// It returns the commands by verb.
func checkTRXCExchange(t *testing.T, rows []trxcRow) map[string][]trxcRow {
	t.Helper()
	cmds := map[string][]trxcRow{}
	var pending []trxcRow
	for _, r := range rows {
		switch r.typ {
		case "CMD", "0":
			pending = append(pending, r)
			cmds[r.verb] = append(cmds[r.verb], r)
		case "RSP", "1":
			if len(pending) == 0 {
				t.Errorf("response without command: %+v", r)
				continue
			}
			c := pending[0]
			pending = pending[1:]
			if c.verb != r.verb {
				t.Errorf("CMD %s %s answered by RSP %s %s %s", c.verb, c.params, r.verb, r.status, r.params)
				continue
			}
			switch c.verb {
			case "POWERON", "SETSLOT":
				if r.status != "0" {
					t.Errorf("CMD %s %s answered with status %s, want 0", c.verb, c.params, r.status)
				}
				if c.verb == "SETSLOT" && r.params != c.params {
					t.Errorf("RSP SETSLOT params %q, want %q", r.params, c.params)
				}
			}
		}
	}
	if len(pending) > 0 {
		t.Errorf("commands left unanswered: %+v", pending)
	}
	if len(cmds["POWERON"]) == 0 {
		t.Errorf("no POWERON in the exchange: %v", rows)
	}
	return cmds
}

var statsRE = regexp.MustCompile(`(\d+) bursts received from L1 \((\d+) late`)

// checkBurstsOnTime reads gsmbox trx's summary and checks that the layer
// 1's bursts came and at most one in maxLate of them late.
func checkBurstsOnTime(t *testing.T, out []byte, maxLate int) {
	t.Helper()
	m := statsRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("gsmbox trx printed no summary:\n%s", tail(out, 2000))
	}
	got, late := atoi(string(m[1])), atoi(string(m[2]))
	t.Logf("gsmbox trx: %d bursts from the layer 1, %d late", got, late)
	if got < 8*217*3 || late > got/maxLate {
		t.Errorf("transceiver got %d bursts, %d late: want ≥ %d, at most 1 in %d late", got, late, 8*217*3, maxLate)
	}
}

// TestTRXSplit runs gsmbox as two processes joined by the TRX protocol:
// "gsmbox bts" (the cell's stack) drives "gsmbox trx" (the DSP), which
// writes the downlink IQ. gr-gsm decodes our System Information from it,
// and tshark dissects the TRX traffic captured at both ends.
func TestTRXSplit(t *testing.T) {
	testtool.Short(t)
	testtool.Need(t, "grgsm_decode")
	testtool.Need(t, "tshark")
	bin := gsmboxBinary(t)
	seed := interopSeed(t)
	t.Logf("configuration drawn with GSMBOX_INTEROP_SEED=%d", seed)
	cfg := randomCell(rand.New(rand.NewPCG(seed, 0x747278)))
	dir := testDir(t, "trx-split")
	cfgPath := writeConfig(t, dir, cfg)
	const base = 6710
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	iq := filepath.Join(dir, "downlink.cfile")
	srv := start(t, ctx, bin, "trx", "--config", cfgPath, "--base-port", strconv.Itoa(base), "--iq-out", iq,
		"--pcap", filepath.Join(dir, "trx.pcap"), "--duration", "9s", "--test-rach", "1s")
	srv.waitFor(t, "transceiver on", 10*time.Second)
	cli := start(t, ctx, bin, "bts", "--config", cfgPath, "--trx", "127.0.0.1:"+strconv.Itoa(base),
		"--pcap", filepath.Join(dir, "bts.pcap"), "--duration", "8s")
	cliOut := cli.wait(t, time.Minute)
	srvOut := srv.wait(t, time.Minute)
	t.Logf("gsmbox bts:\n%s", tail(cliOut, 1500))
	t.Logf("gsmbox trx:\n%s", tail(srvOut, 1500))
	checkBurstsOnTime(t, srvOut, 20)
	// The test phone's channel requests went up through TRXD and the
	// stack decoded them.
	if m := regexp.MustCompile(`(\d+) channel requests`).FindSubmatch(cliOut); m == nil || atoi(string(m[1])) < 5 {
		t.Errorf("gsmbox bts decoded %s channel requests from the test phone, want ≥ 5", m)
	}
	for _, pc := range []string{"trx.pcap", "bts.pcap"} {
		rows, dirs := dissectTRX(t, filepath.Join(dir, pc), base)
		checkTRXCExchange(t, rows)
		t.Logf("%s: %d TRXC messages, TRXD %d downlink, %d uplink", pc, len(rows), dirs["1"], dirs["2"])
		if dirs["1"] < 8*217*3 || dirs["2"] < 217*3 {
			t.Errorf("%s: TRXD %d downlink, %d uplink PDUs, want ≥ %d and ≥ %d", pc, dirs["1"], dirs["2"], 8*217*3, 217*3)
		}
	}
	mode := "BCCH_SDCCH4"
	if !cfg.Cell.CombinedCCCH {
		mode = "BCCH"
	}
	pcap, stdout := grgsmDecode(t, ctx, dir, iq, parseRate(t, srvOut), cfg.Cell.ARFCN, mode)
	checkBSIC(t, stdout, cfg.BSIC())
	checkSystemInformation(t, pcap, cfg)
	checkNothingMalformed(t, pcap)
}

// TestTRXClientSurvivesRestart stops the transceiver under a running
// "gsmbox bts" and starts a new one: the stack notices the lost clock,
// initialises the new transceiver and feeds it bursts in time.
func TestTRXClientSurvivesRestart(t *testing.T) {
	testtool.Short(t)
	testtool.Need(t, "tshark")
	bin := gsmboxBinary(t)
	dir := testDir(t, "trx-restart")
	const base = 6730
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	first := start(t, ctx, bin, "trx", "--base-port", strconv.Itoa(base), "--duration", "3s")
	first.waitFor(t, "transceiver on", 10*time.Second)
	// TRXD v0 here (v1 in the other tests), so tshark reads both versions.
	cli := start(t, ctx, bin, "bts", "--trx", "127.0.0.1:"+strconv.Itoa(base), "--lost", "1s", "--duration", "11s", "--trxd-version", "0")
	first.wait(t, 30*time.Second)
	time.Sleep(1500 * time.Millisecond)
	second := start(t, ctx, bin, "trx", "--base-port", strconv.Itoa(base), "--duration", "5s", "--pcap", filepath.Join(dir, "trx2.pcap"), "--test-rach", "500ms")
	out2 := second.wait(t, 30*time.Second)
	cliOut := cli.wait(t, 30*time.Second)
	t.Logf("gsmbox bts:\n%s", tail(cliOut, 2000))
	if !bytes.Contains(cliOut, []byte("transceiver lost")) {
		t.Errorf("gsmbox bts did not report the lost transceiver")
	}
	if m := regexp.MustCompile(`(\d+) initialisation attempts`).FindSubmatch(cliOut); m == nil || atoi(string(m[1])) < 2 {
		t.Errorf("gsmbox bts initialised the transceiver %s times, want ≥ 2", m)
	}
	checkBurstsOnTime(t, out2, 20)
	rows, dirs := dissectTRX(t, filepath.Join(dir, "trx2.pcap"), base)
	checkTRXCExchange(t, rows)
	if dirs["1"] == 0 || dirs["2"] == 0 {
		t.Errorf("trx2.pcap: TRXD v0 %d downlink, %d uplink PDUs, want some of each", dirs["1"], dirs["2"])
	}
	if m := regexp.MustCompile(`(\d+) channel requests`).FindSubmatch(cliOut); m == nil || atoi(string(m[1])) < 3 {
		t.Errorf("gsmbox bts decoded %s channel requests over TRXD v0, want ≥ 3", m)
	}
}

// TestOsmoBTSOnGsmboxTRX brings a cell up with Osmocom's own programs
// through gsmbox's transceiver: osmo-bsc (Abis over IPA/TCP, MSC link
// down) configures osmo-bts-trx, which drives "gsmbox trx". The TRXC
// exchange completes, gr-gsm decodes the cell's System Information from
// our IQ, and it carries the MCC/MNC/LAC/CI configured in osmo-bsc
// (testdata/osmo/osmo-bsc.cfg).
func TestOsmoBTSOnGsmboxTRX(t *testing.T) {
	testtool.Short(t)
	bsc := testtool.Need(t, "osmo-bsc")
	btsTRX := testtool.Need(t, "osmo-bts-trx")
	testtool.Need(t, "grgsm_decode")
	testtool.Need(t, "tshark")
	bin := gsmboxBinary(t)
	dir := testDir(t, "osmo-bts-trx")
	const base = 5700 // as in testdata/osmo/osmo-bts-trx.cfg
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := config.Default()           // GSM900, as osmo-bsc.cfg's band
	cfg.Cell.NCC, cfg.Cell.BCC = 5, 3 // the test phone's channel requests are coded for BSIC 43
	cfgPath := writeConfig(t, dir, cfg)
	iq := filepath.Join(dir, "downlink.cfile")
	trxPcap := filepath.Join(dir, "trx.pcap")
	srv := start(t, ctx, bin, "trx", "--config", cfgPath, "--base-port", strconv.Itoa(base), "--iq-out", iq,
		"--pcap", trxPcap, "--duration", "20s", "-v", "--test-rach", "2s")
	srv.waitFor(t, "transceiver on", 10*time.Second)
	b := start(t, ctx, bsc, "-c", filepath.Join("testdata", "osmo", "osmo-bsc.cfg"))
	waitTCP(t, "127.0.0.1:4242", 10*time.Second) // its VTY: up and configured
	bt := start(t, ctx, btsTRX, "-c", filepath.Join("testdata", "osmo", "osmo-bts-trx.cfg"))
	srvOut := srv.wait(t, time.Minute)
	btsOut := bt.stop()
	bscOut := b.stop()
	os.WriteFile(filepath.Join(dir, "osmo-bts-trx.log"), btsOut, 0o644)
	os.WriteFile(filepath.Join(dir, "osmo-bsc.log"), bscOut, 0o644)
	os.WriteFile(filepath.Join(dir, "gsmbox-trx.log"), srvOut, 0o644)
	t.Logf("gsmbox trx:\n%s", tail(srvOut, 1500))
	defer func() {
		if t.Failed() {
			t.Logf("osmo-bts-trx:\n%s", tail(btsOut, 3000))
			t.Logf("osmo-bsc:\n%s", tail(bscOut, 3000))
		}
	}()

	rows, dirs := dissectTRX(t, trxPcap, base)
	cmds := checkTRXCExchange(t, rows)
	slots := map[string]bool{}
	for _, c := range cmds["SETSLOT"] {
		slots[strings.Fields(c.params)[0]] = true
	}
	if len(slots) != 8 {
		t.Errorf("SETSLOT for timeslots %v, want all 8", slots)
	}
	t.Logf("TRXC commands: %d verbs, TRXD %d downlink and %d uplink PDUs", len(cmds), dirs["1"], dirs["2"])
	// osmo-bts-trx's own frame timer slips on a loaded host ("We were 36 FN
	// slower than TRX" in its log), and what it then sends late is lost.
	checkBurstsOnTime(t, srvOut, 10)
	// Uplink: the test phone's access bursts, demodulated by gsmbox,
	// decoded by osmo-bts-trx and reported to osmo-bsc over Abis RSL.
	rqd := regexp.MustCompile(`CHAN RQD: .*ra=0xe[0-9a-f]`).FindAll(bscOut, -1)
	t.Logf("osmo-bsc received %d channel requests from the test phone", len(rqd))
	if len(rqd) < 3 {
		t.Errorf("osmo-bsc logged %d CHAN RQD with the test phone's RA 0xe0.., want ≥ 3", len(rqd))
	}

	pcap, stdout := grgsmDecode(t, ctx, dir, iq, parseRate(t, srvOut), 62, "BCCH_SDCCH4")
	checkBSIC(t, stdout, tdma.BSICFromValue(43))
	checkNothingMalformed(t, pcap)
	// What osmo-bsc.cfg configures: MCC 262, MNC 42, LAC 1234, CI 5678.
	got := tsharkFields(t, pcap, "gsm_a.dtap.msg_rr_type == 0x1b || gsm_a.dtap.msg_rr_type == 0x1c",
		"gsm_a.dtap.msg_rr_type", "e212.lai.mcc", "e212.lai.mnc", "gsm_a.lac", "gsm_a.bssmap.cell_ci")
	var si3 int
	for _, r := range got {
		if r["e212.lai.mcc"] != "262" || first(r["e212.lai.mnc"]) != "42" || parseInt(r["gsm_a.lac"]) != 1234 {
			t.Errorf("SI %s: PLMN %s/%s LAC %s, want 262/42 LAC 1234", r["gsm_a.dtap.msg_rr_type"], r["e212.lai.mcc"], r["e212.lai.mnc"], r["gsm_a.lac"])
		}
		if parseInt(r["gsm_a.dtap.msg_rr_type"]) == 0x1b {
			si3++
			if parseInt(r["gsm_a.bssmap.cell_ci"]) != 5678 {
				t.Errorf("SI3: CI %s, want 5678", r["gsm_a.bssmap.cell_ci"])
			}
		}
	}
	if si3 == 0 || len(got) < 4 {
		t.Errorf("gr-gsm decoded %d SI3 and %d SI3/SI4 in all, want some of each", si3, len(got))
	}
	t.Logf("gr-gsm decoded %d SI3/SI4 messages carrying 262/42, LAC 1234 (SI3: CI 5678)", len(got))
}

// TestTRXSplitPhonesRegister puts virtual phones on the transceiver's air
// ("gsmbox trx --phones") while the cell and the core network run in
// "gsmbox bts": the phones find the cell, send channel requests, and
// register (location update accepted) through TRXD in both directions.
func TestTRXSplitPhonesRegister(t *testing.T) {
	testtool.Short(t)
	bin := gsmboxBinary(t)
	const base, phones = 6750, 3
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := start(t, ctx, bin, "trx", "--base-port", strconv.Itoa(base), "--phones", strconv.Itoa(phones), "--duration", "24s")
	srv.waitFor(t, "transceiver on", 10*time.Second)
	cli := start(t, ctx, bin, "bts", "--trx", "127.0.0.1:"+strconv.Itoa(base), "--duration", "23s")
	cliOut := cli.wait(t, time.Minute)
	srvOut := srv.wait(t, time.Minute)
	t.Logf("gsmbox trx:\n%s", tail(srvOut, 1500))
	if !bytes.Contains(srvOut, []byte(fmt.Sprintf("%d of %d phones registered", phones, phones))) {
		t.Errorf("not every phone registered through the split")
	}
	if n := bytes.Count(cliOut, []byte(`procedure="location update" outcome=accepted`)); n < phones {
		t.Errorf("gsmbox bts logged %d accepted location updates, want %d:\n%s", n, phones, tail(cliOut, 3000))
	}
}
