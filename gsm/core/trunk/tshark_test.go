package trunk

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/trunk/trunktest"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// A call to baresip (REGISTER, INVITE with proxy authentication, 200,
// ACK, RTP both ways with RFC 4733 events, BYE) captured on the loopback
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
	g.Hangup(1, cc.CauseNormalClearing)
	b.Wait("CALL_CLOSED", 5*time.Second)
	c.end()
	noLeak(t, g, tm)
	time.Sleep(300 * time.Millisecond)
	cap.Process.Signal(syscall.SIGTERM)
	cap.Wait()

	pkts := testtool.Dissect(t, pcap, "-d", fmt.Sprintf("udp.port==%d,sip", kport), "-d", fmt.Sprintf("udp.port==%d,sip", sport),
		"-o", "rtp.heuristic_rtp:TRUE")
	sip, rtp := 0, 0
	methods := map[string]bool{}
	var lastSeq, lastTS int64 = -1, -1
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
		pt := p.Get("rtp.p_type")
		if lastSeq >= 0 && seq != (lastSeq+1)%65536 {
			t.Errorf("RTP packet %d: sequence %d after %d", i+1, seq, lastSeq)
		}
		if pt == "8" || pt == "0" {
			if lastTS >= 0 && (ts-lastTS)%160 != 0 {
				t.Errorf("RTP packet %d: timestamp %d after %d", i+1, ts, lastTS)
			}
			lastTS = ts
		}
		lastSeq = seq
	}
	t.Logf("%d packets: %d SIP (%v), %d RTP from gsmbox", len(pkts), sip, methods, rtp)
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
