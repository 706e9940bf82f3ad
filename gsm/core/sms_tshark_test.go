package core

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// pcapTap writes the cell's GSMTAP packets into a pcap file as UDP.
type pcapTap struct {
	w   *gsmtap.PcapWriter
	fn  *tdma.FN
	err error
}

func (p *pcapTap) Write(b []byte) (int, error) {
	ts := time.Unix(1700000000, 0).Add(time.Duration(*p.fn) * frameDuration)
	src := netip.MustParseAddrPort("127.0.0.1:40000")
	dst := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), gsmtap.Port)
	if err := p.w.WriteUDP(ts, src, dst, b); err != nil && p.err == nil {
		p.err = err
	}
	return len(b), nil
}

// TestSMSInTshark: phones exchange SMS and USSD over the air (cell, core
// and phones, no DSP) with the cell mirroring every block as GSMTAP.
// Wireshark's dissectors find the MO and MT messages with the texts sent
// (GSM 7-bit, UCS2 and the parts of a concatenated one), the status
// report, and the USSD request and answer; nothing is malformed.
func TestSMSInTshark(t *testing.T) {
	testtool.Need(t, "tshark")
	path := filepath.Join(t.TempDir(), "sms.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	var fn tdma.FN
	pt := &pcapTap{w: pw, fn: &fn}
	smsTap = bts.GSMTAPTap(gsmtap.NewSender(pt, nil), tdma.GSM900)
	w := newSMSWorld(t, SMSConfig{})
	smsTap = nil
	w.net.cfg.USSD = &USSDConfig{}
	a := w.addSMSPhoneCfg(sim("001010000000861", crypto.COMP128v1), 17, ms.SMSConfig{SCAddress: "100", StatusReports: true})
	b := w.addSMSPhone(sim("001010000000862", crypto.COMP128v1), 300)
	step := func(frames int, cond func() bool) bool {
		for range frames {
			w.step()
			fn = w.fn
			if cond() {
				return true
			}
		}
		return false
	}
	if !step(51*300, w.registered) {
		t.Fatal("phones did not register")
	}
	text7 := "Meet at the well {5pm} @ €3"
	textU := "Привет, как дела? 你好"
	long := strings.Repeat("Long message over three parts. ", 13)[:400]
	a.Send(w.msisdn(1), text7, false, 1)
	a.Send(w.msisdn(1), textU, false, 2)
	a.Send(w.msisdn(1), long, false, 3)
	b.DialUSSD("*#100#")
	if !step(51*2000, func() bool { return len(b.Inbox) == 3 && a.Stats.StatusReports >= 5 && len(b.USSDAnswers()) == 1 }) {
		t.Fatalf("traffic incomplete: inbox %d, reports %d, ussd %q", len(b.Inbox), a.Stats.StatusReports, b.USSDAnswers())
	}
	step(51*40, func() bool { return false })
	if err := f.Close(); err != nil || pt.err != nil {
		t.Fatal(err, pt.err)
	}
	pk := testtool.Dissect(t, path)
	var texts, ussd []string
	counts := map[string]int{}
	for i, p := range pk {
		for _, pr := range p.Problems() {
			t.Errorf("packet %d: %s", i+1, pr)
		}
		texts = append(texts, p.Values("gsm_sms.sms_text")...)
		ussd = append(ussd, p.Values("gsm_map.ussd_string")...)
		for _, m := range p.Values("gsm_a.rp.msg_type") {
			counts["rp "+m]++
		}
		for _, m := range p.Values("gsm_sms.tp-mti") {
			up := p.Get("gsmtap.uplink")
			counts[fmt.Sprintf("tp-mti %s up %s", m, up)]++
		}
	}
	all := strings.Join(texts, "\x00")
	for _, want := range []string{text7, textU} {
		if !strings.Contains(all, want) {
			t.Errorf("tshark does not show %q; texts %q", want, texts)
		}
	}
	// The long one: its parts, in order, make up the text (each part
	// shows twice: SMS-SUBMIT up, SMS-DELIVER down).
	joined := ""
	for _, s := range texts {
		if strings.HasPrefix(long[len(joined):], s) && s != "" {
			joined += s
		}
	}
	if joined != long {
		t.Errorf("the concatenated message's parts make %q, want %q", joined, long)
	}
	if !strings.Contains(strings.Join(ussd, "|"), "*#100#") || !strings.Contains(strings.Join(ussd, "|"), "Your number is "+w.msisdn(1)) {
		t.Errorf("USSD strings %q", ussd)
	}
	t.Logf("%d packets; SMS texts %d, USSD %q, counts %v", len(pk), len(texts), ussd, counts)
	// MO RP-DATA (0x00) and MT RP-DATA (0x01), with SMS-SUBMIT (tp-mti 1
	// up), SMS-DELIVER (0 down) and SMS-STATUS-REPORT (2 down).
	for _, k := range []string{"rp 0x00", "rp 0x01", "rp 0x02", "rp 0x03", "tp-mti 1 up 1", "tp-mti 0 up 0", "tp-mti 2 up 0"} {
		if counts[k] == 0 {
			t.Errorf("no %s in the capture: %v", k, counts)
		}
	}
}
