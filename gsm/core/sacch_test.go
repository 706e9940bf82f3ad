package core

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// handsetWorld is tier 2 with calls and SMS at once: a cell with TCH/Fs,
// the switch and the SMSC, and phones with the whole CM layer.
type handsetWorld struct {
	*world
	hs   []*ms.Handset
	sent []ms.Sent
}

func newHandsetWorld(t *testing.T, veryEarly bool, tap l1.Tap, edit ...func(*Config)) *handsetWorld {
	t.Helper()
	reg, _ := registrytest.NewRegistry(t, registry.Policy{Mode: registry.ModeClosed})
	st, err := smsc.Open(filepath.Join(t.TempDir(), "sms.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{t: t, reg: reg, epoch: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	cfg := Config{MM: mm.Config{LAI: cellLAI}, HLR: NewHLR(reg), Rand: rand.NewChaCha8([32]byte{1}), SyncHLR: true,
		SMS: SMSConfig{Store: st}, Calls: CallConfig{CDR: &memCDR{}},
		OnResult: func(r mm.Result) { w.ended = append(w.ended, r) }}
	for _, e := range edit {
		e(&cfg)
	}
	net, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.net = net
	c := rr.DefaultCellConfig()
	c.PLMN, c.LAC, c.CI = cellLAI.PLMN, cellLAI.LAC, 7
	c.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
	c.Band, c.ARFCN = tdma.GSM900, 62
	w.cell, err = bts.New(bts.Config{Cell: c, ID: 1, Up: net.Up(), TCHF: []tdma.TN{2, 3, 4, 5}, VeryEarlyAssignment: veryEarly, Tap: tap})
	if err != nil {
		t.Fatal(err)
	}
	net.AddCell(1, w.cell.Down())
	return &handsetWorld{world: w}
}

// add adds a provisioned subscriber with msisdn and a phone with calls
// and SMS.
func (w *handsetWorld) add(imsi, msisdn string, k *talker) (*ms.Phone, *ms.Handset) {
	s := sim(imsi, crypto.COMP128v3)
	if _, err := w.reg.Add(registry.Subscriber{IMSI: s.IMSI, MSISDN: msisdn, Algorithm: s.Algorithm, Ki: s.Ki}); err != nil {
		w.t.Fatal(err)
	}
	var cfg ms.CallConfig
	if k != nil {
		cfg.Mouth, cfg.Ear = k.mouth, k.ear
	}
	cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
	mcfg := &mm.MSConfig{Classmark1: cm1, IMEI: "490154203237518", Classmark2: l3.Classmark2{Classmark1: cm1, A53: true}}
	h := ms.NewHandset(ms.NewMM(mcfg, s), cfg, ms.SMSConfig{SCAddress: DefaultSMSSCAddress})
	h.OnSent = func(r ms.Sent) { w.sent = append(w.sent, r) }
	p, err := ms.New(ms.Config{SIM: s, Seed: uint64(len(w.phones) + 1), Upper: h})
	if err != nil {
		w.t.Fatal(err)
	}
	p.PowerOn()
	w.phones = append(w.phones, p)
	w.origin = append(w.origin, 31*len(w.phones))
	w.hs = append(w.hs, h)
	return p, h
}

// A call is up between A and B, and C is idle. C texts A: the message
// reaches A over A's call connection (SAPI 3 on the SACCH of its TCH/F,
// no paging). A texts C and B during the call: each goes up after a CM
// Service Request for SMS on the call's connection, over the SACCH; B's
// copy comes down B's SACCH too. The call stays up on the same TCHs
// throughout, the speech is intact both ways, and after the hang-up
// every channel is free.
func TestSMSDuringCall(t *testing.T) {
	w := newHandsetWorld(t, true, nil)
	ka, kb := newTalker(11), newTalker(12)
	pa, a := w.add("001010000000401", "6201", ka)
	pb, b := w.add("001010000000402", "6202", kb)
	pc, c := w.add("001010000000403", "6203", nil)
	if !w.runUntil(51*400, func() bool {
		for _, p := range w.phones {
			if !p.Stats().Registered || p.State() != ms.StateIdle {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("phones did not register: %+v %+v %+v", pa.Stats(), pb.Stats(), pc.Stats())
	}
	if !a.Dial("6202", false) {
		t.Fatal("Dial refused")
	}
	if !w.runUntil(51*200, func() bool { return a.Info().Active && b.Info().Active }) {
		t.Fatalf("call not active: A %+v, B %+v", a.Info(), b.Info())
	}
	cha, _ := pa.Channel()
	chb, _ := pb.Channel()
	if cha.Kind != l1.ChanTCHF || chb.Kind != l1.ChanTCHF {
		t.Fatalf("A on %v, B on %v, want TCH/Fs", cha, chb)
	}
	pagesBefore := w.net.Stats().Pages

	// MT during the call: C → A.
	c.Send("6201", "to A while A talks", false, 1)
	if !w.runUntil(51*600, func() bool { return len(a.Inbox) == 1 }) {
		t.Fatalf("A did not get C's text: inbox %+v; sms %+v", a.Inbox, w.net.SMSStats())
	}
	if a.Inbox[0].Text != "to A while A talks" || a.Inbox[0].From != "6203" {
		t.Errorf("A's inbox %+v", a.Inbox)
	}
	if p := w.net.Stats().Pages - pagesBefore; p != 0 {
		t.Errorf("%d paging commands for A, who is on a TCH", p)
	}

	// MO during the call: A → C and A → B (MT to B in its call).
	a.Send("6203", "from A during the call", false, 2)
	a.Send("6202", "from A to B, both talking", false, 3)
	if !w.runUntil(51*1200, func() bool { return len(c.Inbox) == 1 && len(b.Inbox) == 1 }) {
		t.Fatalf("texts from A not delivered: C %+v, B %+v; A outbox %d, sent %+v; sms %+v", c.Inbox, b.Inbox, a.Outbox(), w.sent, w.net.SMSStats())
	}
	if c.Inbox[0].Text != "from A during the call" || b.Inbox[0].Text != "from A to B, both talking" || b.Inbox[0].From != "6201" {
		t.Errorf("inboxes: C %+v, B %+v", c.Inbox, b.Inbox)
	}
	if !a.Info().Active || !b.Info().Active {
		t.Fatalf("call no longer active: A %+v, B %+v", a.Info(), b.Info())
	}
	if ch, _ := pa.Channel(); ch != cha {
		t.Errorf("A moved from %v to %v", cha, ch)
	}
	if ch, _ := pb.Channel(); ch != chb {
		t.Errorf("B moved from %v to %v", chb, ch)
	}
	w.runUntil(26*20, func() bool { return false })
	a.Hangup()
	if !w.runUntil(51*100, func() bool { return pa.State() == ms.StateIdle && pb.State() == ms.StateIdle }) {
		t.Fatalf("not idle after hang-up: A %v %+v, B %v %+v", pa.State(), a.Info(), pb.State(), b.Info())
	}
	for _, k := range []struct {
		name     string
		to, from *talker
	}{{"A→B", kb, ka}, {"B→A", ka, kb}} {
		if len(k.to.heard) < 300 || !contiguous(k.to.heard, k.from.sent) || k.to.bad > 0 {
			t.Errorf("%s: heard %d frames (%d bad) of %d sent; contiguous %v", k.name, len(k.to.heard), k.to.bad,
				len(k.from.sent), contiguous(k.to.heard, k.from.sent))
		}
	}
	w.runUntil(51*10, func() bool { return false })
	for i, st := range w.cell.Channels() {
		if st != bts.ChanFree {
			t.Errorf("channel %v is %v after the call", w.cell.ChannelList()[i], st)
		}
	}
	accepted := 0
	for _, s := range w.sent {
		if s.Accepted {
			accepted++
		}
	}
	if accepted != 3 {
		t.Errorf("sent %+v, want 3 accepted", w.sent)
	}
	t.Logf("sms %+v", w.net.SMSStats())
}

// TestSMSDuringCallInTshark: the cell's GSMTAP of a call during which
// one party receives and sends a text. Wireshark's dissectors find the
// CM Service Request for SMS on the FACCH/F of the call, every RP
// message of the exchange on the SACCH of the TCH/F (GSMTAP TCH/F with
// the ACCH flag) on LAPDm SAPI 3, the texts as sent, and nothing
// malformed.
func TestSMSDuringCallInTshark(t *testing.T) {
	testtool.Need(t, "tshark")
	path := filepath.Join(t.TempDir(), "sacch.pcap")
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
	tap := bts.GSMTAPTap(gsmtap.NewSender(pt, nil), tdma.GSM900)
	relabelled := 0
	w := newHandsetWorld(t, true, func(ev *l1.TapEvent) {
		// Wireshark (since 2.4, bug 14105) takes every downlink SACCH
		// frame for format B4, which has no length octet: right for the
		// UI frames of SAPI 0 (SI5/SI6), wrong for the I frames of SAPI
		// 3, which are format B (TS 44.006 §2.1). Those go to the
		// capture as they are but without the L1 header and under the
		// TCH/F's own channel type, where format B is dissected.
		if !ev.Uplink && ev.Chan.Kind == l1.ChanSACCHTF && len(ev.Data) == 23 && ev.Data[2]>>2&7 == 3 {
			e := *ev
			e.Chan.Kind = l1.ChanFACCHF
			e.Data = ev.Data[2:]
			relabelled++
			tap(&e)
			return
		}
		tap(ev)
	})
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
	pa, a := w.add("001010000000411", "6211", newTalker(21))
	pb, b := w.add("001010000000412", "6212", newTalker(22))
	if !step(51*400, func() bool {
		return pa.Stats().Registered && pb.Stats().Registered && pa.State() == ms.StateIdle && pb.State() == ms.StateIdle
	}) {
		t.Fatal("phones did not register")
	}
	a.Dial("6212", false)
	if !step(51*200, func() bool { return a.Info().Active && b.Info().Active }) {
		t.Fatalf("call not active: A %+v, B %+v", a.Info(), b.Info())
	}
	start := fn
	const text = "Talking and texting {at once} €"
	a.Send("6212", text, false, 1)
	if !step(51*1200, func() bool { return len(b.Inbox) == 1 && w.net.SMSStats().Delivered == 1 }) {
		t.Fatalf("text not delivered: %+v", w.net.SMSStats())
	}
	end := fn
	step(26*10, func() bool { return false })
	a.Hangup()
	step(51*60, func() bool { return pa.State() == ms.StateIdle && pb.State() == ms.StateIdle })
	if err := f.Close(); err != nil || pt.err != nil {
		t.Fatal(err, pt.err)
	}
	pk := testtool.Dissect(t, path)
	var texts []string
	rpOn := map[string]int{}
	cmSMS := 0
	for i, p := range pk {
		for _, pr := range p.Problems() {
			t.Errorf("packet %d: %s", i+1, pr)
		}
		fnp, _ := strconv.Atoi(p.Get("gsmtap.frame_nr"))
		during := fnp >= int(start) && fnp <= int(end)
		if !during {
			continue
		}
		texts = append(texts, p.Values("gsm_sms.sms_text")...)
		for _, m := range p.Values("gsm_a.rp.msg_type") {
			rpOn[fmt.Sprintf("rp %s chan %s sapi %s up %s", m, p.Get("gsmtap.chan_type"), p.Get("lapdm.sapi"), p.Get("gsmtap.uplink"))]++
		}
		if p.Get("gsm_a.dtap.msg_mm_type") == "0x24" && p.Get("gsm_a.dtap.service_type") == "4" {
			cmSMS++
			if ct := p.Get("gsmtap.chan_type"); ct != "9" {
				t.Errorf("CM Service Request for SMS on GSMTAP channel %s, want 9 (TCH/F)", ct)
			}
		}
	}
	t.Logf("%d packets; during the text: RP %v, CM Service Requests for SMS %d, texts %q", len(pk), rpOn, cmSMS, texts)
	if cmSMS != 1 {
		t.Errorf("%d CM Service Requests for SMS during the call, want 1", cmSMS)
	}
	// RP-DATA up (0x00) and down (0x01), RP-ACK down (0x03) and up
	// (0x02), on SAPI 3 of the SACCH of a TCH/F: uplink under GSMTAP
	// TCH/F with the ACCH flag (137); downlink relabelled as TCH/F (9),
	// every one of them taken from the SACCH (above).
	for _, k := range []string{"rp 0x00 chan 137 sapi 3 up 1", "rp 0x03 chan 9 sapi 3 up 0", "rp 0x01 chan 9 sapi 3 up 0", "rp 0x02 chan 137 sapi 3 up 1"} {
		if rpOn[k] == 0 {
			t.Errorf("no %s", k)
		}
	}
	for k := range rpOn {
		if !strings.Contains(k, "chan 137 sapi 3 up 1") && !strings.Contains(k, "chan 9 sapi 3 up 0") {
			t.Errorf("%s: an RP message off the SACCH of the TCH", k)
		}
	}
	if relabelled == 0 {
		t.Error("no SAPI 3 frame on the downlink SACCH")
	}
	if n := strings.Count(strings.Join(texts, "\x00"), text); n != 2 {
		t.Errorf("the text shows %d times (want SMS-SUBMIT and SMS-DELIVER): %q", n, texts)
	}
}

// Two phones whose round trips are 1 and 2 symbols sit in a call on
// their TCH/Fs without speech for a minute. The cell's timing advance
// loop (TS 45.010 §5.5, on the SACCH/TF) orders each the advance its
// distance needs and keeps it there: the uplink bursts of a phone that
// applies its advance arrive on time, so the loop has nothing to move.
// (With a burst-level air that ignored the phone's advance, the loop ran
// the advance of a phone "at 1 symbol" up to 63.)
func TestTimingAdvanceOnTCH(t *testing.T) {
	w := newHandsetWorld(t, true, nil)
	w.add("001010000000421", "6221", nil) // round trip 0 (world.step: i%4)
	pa, a := w.add("001010000000422", "6222", nil)
	pb, b := w.add("001010000000423", "6223", nil)
	if !w.runUntil(51*400, func() bool {
		for _, p := range w.phones {
			if !p.Stats().Registered || p.State() != ms.StateIdle {
				return false
			}
		}
		return true
	}) {
		t.Fatal("phones did not register")
	}
	a.Dial("6223", false)
	if !w.runUntil(51*200, func() bool { return a.Info().Active && b.Info().Active }) {
		t.Fatalf("call not active: A %+v, B %+v", a.Info(), b.Info())
	}
	adj := w.cell.Stats().Dedicated.TimingAdjusted
	for range 60 {
		w.runUntil(217, func() bool { return false }) // one second
		for i, p := range []*ms.Phone{pa, pb} {
			if ta, want := int(p.TA()), i+1; ta < want-1 || ta > want+1 {
				t.Fatalf("phone %d (round trip %d symbols) has TA %d after %d frames of call", i+1, want, ta, w.frames)
			}
		}
	}
	if ch, _ := pa.Channel(); ch.Kind != l1.ChanTCHF {
		t.Fatalf("A on %v", ch)
	}
	if n := w.cell.Stats().Dedicated.TimingAdjusted - adj; n > 4 {
		t.Errorf("%d timing advance changes during a minute of call, want a settled loop", n)
	}
}

// TestCallSetupTime: twelve calls, one after another, between two idle
// registered phones on the default cell layout with TCH/Fs (combined
// CCCH, SDCCH/4, BS_PA_MFRMS 2), each dialled at another point of the
// paging cycle; the callee answers at once. With the defaults (very
// early assignment for both parties: the callee is paged with "TCH/F
// needed", TS 44.018 §10.5.2.8; a key reused by CKSN instead of a new
// authentication, TS 24.008 §4.3.2.4) the median from dial to alerting
// is under 1.5 s of air; authenticating every connection is logged for
// comparison.
func TestCallSetupTime(t *testing.T) {
	run := func(every int) (alert, connect []time.Duration) {
		w := newHandsetWorld(t, true, nil, func(c *Config) { c.MM.AuthEvery = every })
		pa, a := w.add("001010000000431", "6231", nil)
		pb, b := w.add("001010000000432", "6232", nil)
		idle := func() bool {
			return pa.Stats().Registered && pb.Stats().Registered && pa.State() == ms.StateIdle && pb.State() == ms.StateIdle
		}
		if !w.runUntil(51*400, idle) {
			t.Fatal("phones did not register")
		}
		for i := range 12 {
			w.runUntil(51*20+37*i, func() bool { return false }) // another phase each time
			if !a.Dial("6232", false) {
				t.Fatalf("call %d: Dial refused", i)
			}
			if !w.runUntil(51*200, func() bool { return a.Info().Active }) {
				t.Fatalf("call %d not active: A %+v, B %+v", i, a.Info(), b.Info())
			}
			ia := a.Info()
			alert = append(alert, time.Duration(ia.Alerting-ia.Dialled)*frameDuration)
			connect = append(connect, time.Duration(ia.Connected-ia.Dialled)*frameDuration)
			a.Hangup()
			if !w.runUntil(51*100, idle) {
				t.Fatalf("call %d: not idle after hang-up", i)
			}
		}
		slices.Sort(alert)
		slices.Sort(connect)
		return alert, connect
	}
	for _, every := range []int{1, 0} {
		alert, connect := run(every)
		name := "1"
		if every == 0 {
			name = fmt.Sprintf("%d (default)", mm.DefaultAuthEvery)
		}
		t.Logf("auth_every %s: dial→alerting median %v, worst %v; dial→connect median %v, worst %v (12 calls)", name,
			alert[6].Round(time.Millisecond), alert[11].Round(time.Millisecond), connect[6].Round(time.Millisecond), connect[11].Round(time.Millisecond))
		if every == 0 && alert[6] >= 1500*time.Millisecond {
			t.Errorf("median dial→alerting %v, want under 1.5 s", alert[6])
		}
	}
}
