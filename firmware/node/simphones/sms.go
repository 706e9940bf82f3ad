package simphones

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// SMSPlan is the phones' SMS traffic (gsmbox sim --sms M): each phone
// sends PerPhone messages to random other phones, a mix of GSM 7-bit,
// UCS2 and 3-part long messages, while Cycle of the phones are switched
// off for a while and come back. It needs Config.Provision: the phones'
// numbers are the provisioned ones (2000 + index).
type SMSPlan struct {
	PerPhone int
	// Gap is the mean wait between one phone's messages (virtual time);
	// 0 means 10 s.
	Gap time.Duration
	// Cycle is how many phones go off once, for OffFor (0 means 30 s),
	// at a random moment while they still have messages to receive.
	Cycle  int
	OffFor time.Duration
	// SCAddress is the service centre number the phones use.
	SCAddress string
	// StatusReports makes every message ask for a status report.
	StatusReports bool
	// Tag, when set, goes into every message's id (<Tag.phone.n>): a run
	// whose ids must differ from an earlier run's (the appliance's
	// phones after each start of the cell).
	Tag string
	// OnEvent, when not nil, hears each message accepted by the network
	// (every part RP-ACKed), refused, and shown in an inbox, from the
	// phones' goroutines: the ledger kept outside the process (the
	// appliance logs it on its console, which outlives a power cut).
	OnEvent func(SMSEvent)
}

// SMSEvent is one step of a message, for SMSPlan.OnEvent.
type SMSEvent struct {
	Event string // "accepted", "refused", "received"
	ID    string // <tag.phone.n>
	Phone int    // the sender (accepted, refused) or the recipient (received)
	Kind  string
	Parts int
}

// MSISDN is the number Provision gives phone i.
func MSISDN(i int) string { return strconv.Itoa(2000 + i) }

// sentMsg is one message a phone sent, as the ledger knows it.
type sentMsg struct {
	from, to int
	text     string
	kind     string
	parts    int
	at       int64 // the sender's frame when it was queued
	accepted int   // parts acknowledged with RP-ACK
	refused  int
	got      int   // times it showed up in the recipient's inbox
	latency  int64 // frames from queued to the inbox, first time
}

// Ledger follows every message from sender to inbox, across phones;
// safe from any goroutine.
type Ledger struct {
	mu   sync.Mutex
	msgs map[string]*sentMsg
	dups int
	// tag and onEvent are SMSPlan's, set before the phones start.
	tag     string
	onEvent func(SMSEvent)
}

// SMSReport is the traffic's outcome: the `sms` object of the report.
type SMSReport struct {
	Sent        int `json:"sent"`         // messages queued by phones
	Parts       int `json:"parts"`        // their parts
	Accepted    int `json:"accepted"`     // every part acknowledged by the network (RP-ACK)
	Refused     int `json:"refused"`      // some part refused (RP-ERROR)
	Delivered   int `json:"delivered"`    // in the recipient's inbox
	Duplicated  int `json:"duplicated"`   // shown again in an inbox (a second copy stored)
	PhoneDups   int `json:"phone_dups"`   // parts a phone received twice and showed once
	Lost        int `json:"lost"`         // accepted, not delivered and not queued
	StillQueued int `json:"still_queued"` // waiting in the network's queue at the end
	Pending     int `json:"pending"`      // not yet accepted (in a phone's outbox)
	// Undelivered counts the messages accepted (every part RP-ACKed)
	// and not in their recipient's inbox: Lost plus those still queued.
	Undelivered int `json:"undelivered"`
	// End-to-end air latency of single-part messages to a recipient
	// that was on: from the send to the recipient's inbox.
	LatencyMedianS float64 `json:"latency_median_s"`
	LatencyP95S    float64 `json:"latency_p95_s"`
	LatencyWorstS  float64 `json:"latency_worst_s"`
	LatencyCount   int     `json:"latency_count"`
	PowerCycles    int     `json:"power_cycles"`
	// Alphabets breaks Sent and Delivered down by kind of message
	// (gsm7_extension, ucs2, 8bit, long_gsm7, long_ucs2).
	Alphabets map[string]KindCount `json:"alphabets,omitempty"`
}

// KindCount is one kind of message's share of the traffic.
type KindCount struct {
	Sent      int `json:"sent"`
	Parts     int `json:"parts"`
	Delivered int `json:"delivered"`
}

// smsPhone is one phone's traffic state, on its goroutine.
type smsPhone struct {
	plan   *SMSPlan
	ledger *Ledger
	n      int // phones
	rng    *rand.Rand
	queued int
	nextAt int64
	offAt  int64 // -1: never
	onAt   int64
	off    bool
	cycles int
	// started: every phone has registered (or a minute of air has
	// passed), so the storm does not starve the location updates.
	started bool
	all     func() bool
}

func (ps *Phones) smsSetup(sp *Phone, rng *rand.Rand) {
	p := ps.cfg.SMS
	if p == nil || p.PerPhone <= 0 {
		return
	}
	gap := p.Gap
	if gap <= 0 {
		gap = 10 * time.Second
	}
	off := p.OffFor
	if off <= 0 {
		off = 30 * time.Second
	}
	t := &smsPhone{plan: p, ledger: ps.ledger, n: ps.cfg.N, rng: rand.New(rand.NewPCG(rng.Uint64(), 0x736d73)), offAt: -1,
		all: func() bool { return ps.Registered() == ps.cfg.N }}
	// First message after registration and a random share of the gap.
	t.nextAt = frames(gap) / 2 * int64(1+t.rng.IntN(4))
	if sp.idx < p.Cycle {
		t.offAt = frames(gap) * int64(1+t.rng.IntN(max(p.PerPhone, 1)))
		t.onAt = t.offAt + frames(off)
	}
	sp.sms = t
	u := sp.up.SMS
	u.OnSent = func(s ms.Sent) { ps.ledger.sent(sp.idx, s) }
	u.OnReceived = func(r ms.Received) { ps.ledger.received(sp.idx, r, int64(sp.radio.FN())) }
}

func frames(d time.Duration) int64 { return int64(d / frameDuration) }

// smsTick runs the phone's traffic once a frame, on its goroutine: power
// cycles and the next message.
func (sp *Phone) smsTick() {
	t := sp.sms
	if t == nil {
		return
	}
	fn := int64(sp.radio.FN())
	if !t.started {
		if fn%26 != 0 || !t.all() && fn < frames(time.Minute) {
			return
		}
		// The plan's times count from here.
		t.started = true
		t.nextAt += fn
		if t.offAt >= 0 {
			t.offAt += fn
			t.onAt += fn
		}
	}
	switch {
	case t.offAt >= 0 && !t.off && fn >= t.offAt:
		t.off, t.offAt = true, -1
		t.cycles++
		sp.phone.PowerOff()
		return
	case t.off && fn >= t.onAt:
		t.off = false
		sp.phone.PowerOn()
	}
	if t.off || t.queued >= t.plan.PerPhone || fn < t.nextAt || !sp.up.Registered() || t.n < 2 {
		return
	}
	u := sp.up.SMS
	if u.Outbox() > 0 {
		return // one message at a time, as a person types them
	}
	to := t.rng.IntN(t.n - 1)
	if to >= sp.idx {
		to++
	}
	id := fmt.Sprintf("<%d.%d>", sp.idx, t.queued)
	if t.plan.Tag != "" {
		id = fmt.Sprintf("<%s.%d.%d>", t.plan.Tag, sp.idx, t.queued)
	}
	kind := smsKinds[t.queued%len(smsKinds)]
	text := smsText(kind, id, sp.idx)
	tag := uint64(sp.idx)<<16 | uint64(t.queued)
	var parts int
	var err error
	if kind == Kind8Bit {
		parts, err = u.SendData(MSISDN(to), []byte(text), tag)
	} else {
		parts, err = u.Send(MSISDN(to), text, kind == KindUCS2 || kind == KindLongUCS2, tag)
	}
	if err != nil {
		return
	}
	t.ledger.queue(id, sp.idx, to, text, kind, parts, fn)
	t.queued++
	gap := t.plan.Gap
	if gap <= 0 {
		gap = 10 * time.Second
	}
	t.nextAt = fn + frames(gap)/2 + t.rng.Int64N(frames(gap)+1)
}

// The kinds of message the phones send, in turn: every alphabet of
// TS 23.038 and concatenated messages in two of them (TS 23.040
// §9.2.3.24.1).
const (
	KindGSM7Ext  = "gsm7_extension" // GSM 7-bit with characters of the extension table
	KindUCS2     = "ucs2"
	Kind8Bit     = "8bit" // 8-bit data
	KindLongGSM7 = "long_gsm7"
	KindLongUCS2 = "long_ucs2"
)

var smsKinds = []string{KindGSM7Ext, KindUCS2, Kind8Bit, KindLongGSM7, KindLongUCS2}

// smsText is a message of kind with its ledger id first; an 8-bit one is
// the octets of the returned string, the id in ASCII and then every
// octet value.
func smsText(kind, id string, from int) string {
	switch kind {
	case KindGSM7Ext:
		return id + " Hello from phone " + strconv.Itoa(from) + ", meet at the well {5pm} €3 [~^|\\]"
	case KindUCS2:
		return id + " Привет! Жду тебя у колодца. 你好 👋"
	case Kind8Bit:
		b := []byte(id + " ")
		for i := range 256 - len(b) {
			b = append(b, byte(i))
		}
		return string(b[:min(len(b), 200)])
	case KindLongUCS2:
		return id + " " + string([]rune(strings.Repeat("Длинное сообщение в трёх частях; 长消息. ", 5))[:150])
	}
	return id + " " + strings.Repeat("A long message that needs three parts to travel; ", 8)[:380]
}

// powered is the phone's L1 as its radio sees it: the phone, with the
// SMS traffic and power cycles run at the start of each frame (a phone
// switched off hears and sends nothing while its radio keeps the air's
// pace).
type powered struct {
	*ms.Phone
	sp *Phone
}

func (p *powered) Listen(fn tdma.FN, plan *phy.Plan) {
	p.sp.smsTick()
	p.Phone.Listen(fn, plan)
}

func (l *Ledger) queue(id string, from, to int, text, kind string, parts int, at int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.msgs == nil {
		l.msgs = map[string]*sentMsg{}
	}
	l.msgs[id] = &sentMsg{from: from, to: to, text: text, kind: kind, parts: parts, at: at}
}

func idOf(text string) string {
	if i := strings.IndexByte(text, '>'); strings.HasPrefix(text, "<") && i > 0 {
		return text[:i+1]
	}
	return ""
}

func (l *Ledger) sent(from int, s ms.Sent) {
	l.mu.Lock()
	id := fmt.Sprintf("<%d.%d>", from, s.Tag&0xffff)
	if l.tag != "" {
		id = fmt.Sprintf("<%s.%d.%d>", l.tag, from, s.Tag&0xffff)
	}
	m := l.msgs[id]
	if m == nil {
		l.mu.Unlock()
		return
	}
	var ev *SMSEvent
	if s.Accepted {
		m.accepted++
		if m.accepted == m.parts {
			ev = &SMSEvent{Event: "accepted", ID: id, Phone: from, Kind: m.kind, Parts: m.parts}
		}
	} else {
		m.refused++
		if m.refused == 1 {
			ev = &SMSEvent{Event: "refused", ID: id, Phone: from, Kind: m.kind, Parts: m.parts}
		}
	}
	l.mu.Unlock()
	if ev != nil && l.onEvent != nil {
		l.onEvent(*ev)
	}
}

func (l *Ledger) received(to int, r ms.Received, fn int64) {
	text := r.Text
	if r.Data != nil {
		text = string(r.Data)
	}
	id := idOf(text)
	if l.onEvent != nil && id != "" {
		// Every message shown, known to this process's ledger or not:
		// after a power cut the sender's record is in another life.
		l.onEvent(SMSEvent{Event: "received", ID: id, Phone: to, Parts: r.Parts})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.msgs[id]
	if m == nil || m.to != to || m.text != text {
		return
	}
	m.got++
	if m.got > 1 {
		l.dups++
		return
	}
	m.latency = fn - m.at
}

// Report sums the ledger up; queued is the network's queue at the end,
// phoneDups the parts the phones saw twice, cycles the power cycles.
func (l *Ledger) Report(queued, phoneDups, cycles int) SMSReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := SMSReport{StillQueued: queued, PhoneDups: phoneDups, PowerCycles: cycles, Duplicated: l.dups}
	var lat []float64
	for _, m := range l.msgs {
		r.Sent++
		r.Parts += m.parts
		if m.kind != "" {
			if r.Alphabets == nil {
				r.Alphabets = map[string]KindCount{}
			}
			k := r.Alphabets[m.kind]
			k.Sent++
			k.Parts += m.parts
			if m.got > 0 {
				k.Delivered++
			}
			r.Alphabets[m.kind] = k
		}
		switch {
		case m.accepted == m.parts:
			r.Accepted++
		case m.refused > 0:
			r.Refused++
		default:
			r.Pending++
		}
		if m.got == 0 && m.accepted == m.parts {
			r.Undelivered++
		}
		if m.got > 0 {
			r.Delivered++
			if m.parts == 1 {
				lat = append(lat, float64(m.latency)*frameDuration.Seconds())
			}
		}
	}
	// Lost: accepted and not delivered. While the network still holds
	// parts (queued counts parts, not messages) it is a lower bound.
	r.Lost = max(r.Accepted-r.Delivered-queued, 0)
	if len(lat) > 0 {
		slices.Sort(lat)
		r.LatencyCount = len(lat)
		r.LatencyMedianS = lat[len(lat)/2]
		r.LatencyP95S = lat[min(len(lat)*95/100, len(lat)-1)]
		r.LatencyWorstS = lat[len(lat)-1]
	}
	return r
}

// SMS returns the traffic's report; queued is the network's queue at the
// end (core.SMSStats.Queued). Call it after Stop.
func (ps *Phones) SMS(queued int) SMSReport {
	dups, cycles := 0, 0
	for _, sp := range ps.phones {
		dups += int(sp.up.SMS.Stats.Duplicates)
		if sp.sms != nil {
			cycles += sp.sms.cycles
		}
	}
	return ps.ledger.Report(queued, dups, cycles)
}

// SMSDone reports whether every phone has queued all its messages and
// its outbox is empty, as last seen (racy by a frame; for stopping runs).
func (ps *Phones) SMSDone() bool {
	if ps.cfg.SMS == nil {
		return true
	}
	r := ps.ledger.Report(0, 0, 0)
	return r.Sent == ps.cfg.N*ps.cfg.SMS.PerPhone && r.Pending == 0 && r.Delivered+r.Refused >= r.Sent
}

// Inbox returns the phone's inbox; call it after Stop.
func (sp *Phone) Inbox() []ms.Received { return sp.up.SMS.Inbox }
