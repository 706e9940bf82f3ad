package core

import (
	"fmt"
	"strings"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// Calls to and from the outside world (issue #14). The switch does not
// speak SIP: it calls a Trunk (gsm/core/trunk implements it over SIP;
// the node wires it), and the trunk reports back with TrunkEvent, which
// crosses to the core's goroutine through a bounded queue. Speech goes
// between the phone's TCH/F and the trunk's media session through an
// rsl.SpeechPort joined by rsl.TrafficConnect, in the cell's frame loop.
//
// Outgoing: a dialled number that is no local MSISDN and that the trunk
// routes (or an emergency call with no local target, when the trunk takes
// them) goes out: Call Proceeding and the TCH/F (FR: the transcoder's
// codec) at once, then Trunk.Dial. TrunkRinging gives Alerting;
// TrunkEarlyMedia gives Alerting with progress indicator #8 (in-band
// information, TS 24.008 §10.5.4.21) and joins the speech path at once so
// that the provider's ringback reaches the phone; TrunkAnswered gives
// Connect.
//
// Incoming: TrunkIncoming names the MSISDN the DID maps to; the switch
// looks it up (#1 unknown), refuses a busy subscriber (#17) or a detached
// one (#18), pages it, and presents the Setup; Alerting gives
// Trunk.Ringing, Connect Trunk.Answer.
//
// Either side may end the call at any time: TrunkEnded clears the phone
// with the cause the trunk mapped from SIP; the phone's clearing (or any
// failure of ours) calls Trunk.Hangup once with a TS 24.008 cause, which
// the trunk maps to CANCEL, BYE or a failure response.

// Trunk is the switch's way out. Every method is called on the core's
// goroutine and must not block: the trunk does its SIP work on its own
// goroutines and reports through Network.TrunkEvent.
type Trunk interface {
	// Route reports whether the trunk takes calls to number (as
	// dialled); emergency says it is an emergency call.
	Route(number string, emergency bool) bool
	// Dial places outgoing call id from the subscriber's MSISDN to
	// number. The trunk answers with TrunkRinging, TrunkEarlyMedia,
	// TrunkAnswered and TrunkEnded events carrying id.
	Dial(id uint32, from, to string, emergency bool)
	// Ringing: the phone of incoming call id is alerting (180).
	Ringing(id uint32)
	// Answer: the phone of incoming call id answered (200).
	Answer(id uint32)
	// Hangup ends call id with cause, in any state; the trunk sends no
	// event for it afterwards and frees the call's media.
	Hangup(id uint32, cause cc.CauseValue)
	// DTMF passes a key the phone pressed (start) or released (TS
	// 24.008 §5.5.7) to the far end (RFC 4733).
	DTMF(id uint32, key byte, start bool)
}

// IncomingCall is set in the id of every call the trunk starts, so that
// its ids and the switch's never meet.
const IncomingCall uint32 = 1 << 31

// TrunkEventKind says what a TrunkEvent reports.
type TrunkEventKind uint8

const (
	// TrunkIncoming: a call for To (an MSISDN) from From (the external
	// number) arrived on trunk Trunk; Call has IncomingCall set; Port is
	// its media.
	TrunkIncoming TrunkEventKind = iota + 1
	// TrunkRinging: the far end of outgoing call Call rings (180).
	TrunkRinging
	// TrunkEarlyMedia: the far end sends early media (183 with SDP) on
	// Port.
	TrunkEarlyMedia
	// TrunkAnswered: the far end answered (200); Port is the media.
	TrunkAnswered
	// TrunkEnded: the trunk ended the call (a failure response, CANCEL,
	// BYE, a timeout) with Cause.
	TrunkEnded
)

func (k TrunkEventKind) String() string {
	switch k {
	case TrunkIncoming:
		return "incoming"
	case TrunkRinging:
		return "ringing"
	case TrunkEarlyMedia:
		return "early media"
	case TrunkAnswered:
		return "answered"
	case TrunkEnded:
		return "ended"
	}
	return fmt.Sprintf("TrunkEventKind(%d)", uint8(k))
}

// TrunkEvent is one report from the trunk.
type TrunkEvent struct {
	Kind     TrunkEventKind
	Call     uint32
	Trunk    string
	From, To string
	Cause    cc.CauseValue
	Port     *rsl.SpeechPort
}

// DefaultTrunkQueue is the length of the queue of trunk events.
const DefaultTrunkQueue = 256

// TrunkEvent hands an event to the core. Safe from any goroutine; it
// never blocks: a full queue returns ErrInboxFull (the trunk then ends
// the call itself).
func (n *Network) TrunkEvent(ev TrunkEvent) error {
	select {
	case n.trunkq <- ev:
		return nil
	default:
		return ErrInboxFull
	}
}

func (n *Network) trunkEvents() {
	for {
		select {
		case ev := <-n.trunkq:
			n.trunkEvent(ev)
		default:
			return
		}
	}
}

// extLeg is the outside party of a trunk call.
type extLeg struct {
	id     uint32
	in     bool
	trunk  string
	number string
	port   *rsl.SpeechPort
	early  bool // early media joined before the answer
	ended  bool // the trunk ended it
	hungup bool // we told the trunk
}

func (e *extLeg) over() bool { return e.ended || e.hungup }

func (n *Network) trunk() Trunk { return n.callCfg().Trunk }

// hangupExt tells the trunk the call is over, once.
func (n *Network) hangupExt(c *call, cause cc.CauseValue) {
	e := c.ext
	if e == nil || e.over() {
		return
	}
	e.hungup = true
	if t := n.trunk(); t != nil {
		t.Hangup(e.id, cause)
	}
}

// mobile is the phone's leg of a trunk call.
func (c *call) mobile() *leg {
	if c.a != nil {
		return c.a
	}
	return c.b
}

// outgoing sends call c out of the trunk.
func (n *Network) outgoing(c *call) {
	sw := &n.sw
	a := c.a
	if !a.bearer.Supports(cc.FRv1) {
		n.clearCall(c, cc.CauseBearerNotAvailable, "network")
		return
	}
	sw.stats.TrunkOut++
	c.ext = &extLeg{id: c.id, number: c.dialled}
	sw.ext[c.id] = c
	c.res.Direction, c.res.External = "out", c.dialled
	// The transcoder's codec is FR (gsm/core/media).
	c.codec, c.hasCodec = cc.FRv1, true
	n.legActs(a, a.cc.Proceed(n.now, &cc.CallProceeding{}, nil))
	a.mode = rr.ModeSpeechV1
	n.assign(a)
	c.phase = phTrunk
	n.trunk().Dial(c.id, c.res.Caller, c.dialled, c.emergency)
}

// trunkEvent handles one trunk event on the core's goroutine.
func (n *Network) trunkEvent(ev TrunkEvent) {
	sw := &n.sw
	sw.init()
	n.log.Debug("trunk event", "kind", ev.Kind.String(), "call", ev.Call, "trunk", ev.Trunk, "cause", int(ev.Cause), "known", sw.ext[ev.Call] != nil)
	if ev.Kind == TrunkIncoming {
		n.incoming(ev)
		return
	}
	c := sw.ext[ev.Call]
	if c == nil || c.ext.over() {
		return // a late event for a call already over
	}
	e := c.ext
	if e.trunk == "" {
		e.trunk = ev.Trunk
		c.res.Trunk = ev.Trunk
	}
	a := c.mobile()
	switch ev.Kind {
	case TrunkRinging, TrunkEarlyMedia:
		if e.in || c.phase >= phActive || a == nil || a.released {
			return
		}
		acts := a.cc.Alert(n.now, nil)
		if ev.Kind == TrunkEarlyMedia && ev.Port != nil {
			inBand := cc.ProgressIndicator{Coding: 3, Location: 2, Description: cc.ProgressInBand}
			again := e.early
			e.port, e.early = ev.Port, true
			for _, x := range acts {
				if m, ok := x.Msg.(*cc.Alerting); ok {
					// In-band information (the provider's ringback)
					// follows: the phone plays it instead of its own
					// tone (TS 24.008 §5.2.1.1.5 and §10.5.4.21).
					m.HasProgress, m.Progress = true, inBand
				}
			}
			if len(acts) == 0 && !again {
				// 180 came first (its Alerting had no indicator):
				// Progress #8 has the phone attach the user
				// connection now (TS 24.008 §5.5.1).
				n.legActs(a, a.cc.Progress(n.now, inBand, nil))
			}
		}
		if len(acts) > 0 {
			c.res.Alerting = n.now
			sw.stats.Alerted++
		}
		n.legActs(a, acts)
		n.relay(c)
	case TrunkAnswered:
		if e.in || c.phase >= phActive || a == nil || a.released {
			return
		}
		if ev.Port != nil {
			e.port = ev.Port
		}
		c.res.Connected, c.res.Answer = n.now, n.now
		c.phase = phActive
		sw.stats.Answered++
		n.legActs(a, a.cc.Connect(n.now, nil))
		n.relay(c)
	case TrunkEnded:
		e.ended = true
		by := "callee"
		if e.in {
			by = "caller"
		}
		cause := ev.Cause
		if cause == 0 {
			cause = cc.CauseNormalClearing
		}
		n.clearCall(c, cause, by)
	}
}

// incoming starts a call from the trunk to a local subscriber.
func (n *Network) incoming(ev TrunkEvent) {
	sw := &n.sw
	t := n.trunk()
	if ev.Call&IncomingCall == 0 || sw.ext[ev.Call] != nil {
		if t != nil {
			t.Hangup(ev.Call, cc.CauseTemporaryFailure)
		}
		return
	}
	sw.nextID++
	sw.stats.TrunkIn++
	c := &call{id: sw.nextID, msisdn: ev.To}
	c.ext = &extLeg{id: ev.Call, in: true, trunk: ev.Trunk, number: ev.From, port: ev.Port}
	sw.ext[ev.Call] = c
	sw.calls = append(sw.calls, c)
	c.res.Setup = n.now
	c.res.Caller, c.res.Callee, c.res.Dialled = ev.From, ev.To, ev.To
	c.res.Trunk, c.res.Direction, c.res.External = ev.Trunk, "in", ev.From
	if !n.hlrPut(hlrJob{dir: c.msisdn, call: c.id}) {
		n.clearCall(c, cc.CauseSwitchingCongestion, "network")
	}
}

// incomingFound continues an incoming call once the directory answered.
func (n *Network) incomingFound(c *call, d hlrDone) {
	sw := &n.sw
	if !d.found {
		sw.stats.Unknown++
		n.clearCall(c, cc.CauseUnassignedNumber, "network")
		return
	}
	c.callee = d.callee
	c.res.CalleeIMSI = d.callee.IMSI
	if sw.byIMSI[d.callee.IMSI] != nil || sw.paging[d.callee.IMSI] != nil || n.busy(d.callee.IMSI) {
		sw.stats.Busy++
		n.clearCall(c, cc.CauseUserBusy, "network")
		return
	}
	if !d.callee.Attached {
		n.clearCall(c, cc.CauseNoUserResponding, "network")
		return
	}
	c.phase = phPaging
	c.pageUntil = n.now.Add(n.pageTimeout())
	sw.paging[d.callee.IMSI] = c
	n.command(command{page: MTRequest{IMSI: d.callee.IMSI, TMSI: d.callee.TMSI, What: "call", At: n.now}})
}

// callingNumber is the Calling Party BCD Number of an external caller
// (TS 24.008 §10.5.4.9): "+" makes it international; only digits stay.
func callingNumber(s string) (cc.Number, bool) {
	num := cc.Number{TON: 0, NPI: 1}
	if strings.HasPrefix(s, "+") {
		num.TON, s = 1, s[1:]
	}
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '*' || r == '#' {
			return r
		}
		return -1
	}, s)
	if d == "" || len(d) > 20 || len(d) != len(s) {
		return cc.Number{}, false
	}
	num.Digits = d
	return num, true
}

// relayExt joins a trunk call's phone to its media port.
func (n *Network) relayExt(c *call) {
	l, e := c.mobile(), c.ext
	if c.relayed || l == nil || e.port == nil || !l.onTCH || l.modifying || l.released {
		return
	}
	if c.phase != phActive && !e.early {
		return
	}
	c.relayed = true
	n.sw.stats.Relays++
	n.down(rsl.Down{Kind: rsl.TrafficConnect, Cell: l.tch.cell, Chan: l.tch.ch, Ref: l.tchRef, Port: e.port})
}
