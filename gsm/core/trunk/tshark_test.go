package trunk

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/trunk/trunktest"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// A call to baresip (REGISTER, INVITE with proxy authentication, 200,
// ACK, RTP both ways with RFC 4733 events, BYE with Reason, then an
// incoming call whose BYE has one too) captured on the loopback
// and dissected by tshark: every SIP message and every RTP packet
// dissects with nothing malformed, and gsmbox's RTP stream has continuous
// sequence numbers and timestamps that advance by 160 per 20 ms.
func TestCallInTshark(t *testing.T) {
	testtool.Short(t)
	testtool.Need(t, "tshark")
	dumpcap := testtool.Need(t, "dumpcap")
	kport := trunktest.FreePort(t)
	sport := trunktest.FreePort(t)
	pcap := filepath.Join(t.TempDir(), "sip.pcap")
	cap := exec.Command(dumpcap, "-q", "-i", "lo", "-w", pcap,
		"-f", fmt.Sprintf("udp port %d or udp port %d or udp portrange 40000-40999", kport, sport))
	if err := cap.Start(); err != nil {
		t.Skip("no capture: ", err)
	}
	time.Sleep(500 * time.Millisecond)
	trunktest.StartKamailio(t, kport)
	tm := &testMedia{}
	ev := newEvents()
	tr, g := startTrunk(t, kport, trunktest.TrunkPass, ev, tm, func(c *Config) { c.Listen = fmt.Sprintf("127.0.0.1:%d", sport) })
	waitState(t, tr, "registered", 5*time.Second)
	b := trunktest.StartBaresip(t, kport, 440, "auto")
	g.Dial(1, "1001", "4930200", false)
	ans := ev.next(t, core.TrunkAnswered, 5*time.Second)
	c := runCell(ans.Port, 1000)
	time.Sleep(2 * time.Second)
	g.DTMF(1, '3', true)
	time.Sleep(150 * time.Millisecond)
	g.DTMF(1, '3', false)
	time.Sleep(time.Second)
	// The outgoing call's BYE carries the cause too (#31, to tell the
	// two BYEs apart).
	g.Hangup(1, cc.CauseNormalUnspecified)
	b.Wait("CALL_CLOSED", 5*time.Second)
	c.end()
	// An incoming call the phone's side ends: BYE with the cause.
	b.Command("dial", fmt.Sprintf("sip:5551000@127.0.0.1:%d", kport))
	in := ev.next(t, core.TrunkIncoming, 5*time.Second)
	g.Answer(in.Call)
	b.Wait("CALL_ESTABLISHED", 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	g.Hangup(in.Call, cc.CauseNormalClearing)
	b.Wait("CALL_CLOSED", 5*time.Second)
	noLeak(t, g, tm)
	time.Sleep(300 * time.Millisecond)
	cap.Process.Signal(syscall.SIGTERM)
	cap.Wait()

	pkts := testtool.Dissect(t, pcap, "-d", fmt.Sprintf("udp.port==%d,sip", kport), "-d", fmt.Sprintf("udp.port==%d,sip", sport),
		"-o", "rtp.heuristic_rtp:TRUE")
	sip, rtp := 0, 0
	methods := map[string]bool{}
	lastSeq, lastTS := map[string]int64{}, map[string]int64{} // per SSRC
	for i, p := range pkts {
		if pr := p.Problems(); len(pr) > 0 {
			t.Errorf("packet %d: %v\n%s", i+1, pr, p.Text)
		}
		if p.Get("sip.Method") != "" || p.Get("sip.Status-Code") != "" {
			sip++
			methods[p.Get("sip.Method")+p.Get("sip.Status-Code")] = true
		}
		if p.Get("rtp.ssrc") == "" || p.Get("udp.srcport") != strconv.Itoa(int(mustPort(p.Get("udp.srcport")))) {
			continue
		}
		src := mustPort(p.Get("udp.srcport"))
		if src < 40000 || src > 40999 || src%2 != 0 {
			continue // baresip's stream, or RTCP
		}
		rtp++
		seq, _ := strconv.ParseInt(p.Get("rtp.seq"), 10, 64)
		ts, _ := strconv.ParseInt(p.Get("rtp.timestamp"), 10, 64)
		pt, ssrc := p.Get("rtp.p_type"), p.Get("rtp.ssrc")
		if last, ok := lastSeq[ssrc]; ok && seq != (last+1)%65536 {
			t.Errorf("RTP packet %d: sequence %d after %d", i+1, seq, last)
		}
		if pt == "8" || pt == "0" {
			if last, ok := lastTS[ssrc]; ok && (ts-last)%160 != 0 {
				t.Errorf("RTP packet %d: timestamp %d after %d", i+1, ts, last)
			}
			lastTS[ssrc] = ts
		}
		lastSeq[ssrc] = seq
	}
	t.Logf("%d packets: %d SIP (%v), %d RTP from gsmbox in %d streams", len(pkts), sip, methods, rtp, len(lastSeq))
	for _, want := range []string{"Q.850;cause=31", "Q.850;cause=16"} {
		reason := false
		for _, p := range pkts {
			if p.Get("sip.Method") == "BYE" && strings.Contains(p.Text, want) {
				reason = true
			}
		}
		if !reason {
			t.Errorf("no BYE with Reason: %s (RFC 3326)", want)
		}
	}
	for _, m := range []string{"REGISTER", "401", "INVITE", "407", "200", "ACK", "BYE"} {
		if !methods[m] {
			t.Errorf("no SIP %s in the capture", m)
		}
	}
	if rtp < 100 {
		t.Errorf("%d RTP packets from gsmbox, want ≥ 100", rtp)
	}
}

func mustPort(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
