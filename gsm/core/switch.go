package core

import (
	"slices"
	"time"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core/cdr"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// The switch: speech calls between the network's own subscribers (TS
// 24.008 §5 on each leg, joined here).
//
// A mobile-originated Setup names the called MSISDN. The switch looks it
// up on the registry worker (Directory), refuses an unknown number (#1)
// or a subscriber already in a call (#17), answers Call Proceeding and
// moves the caller from its SDCCH to a TCH/F at once (early assignment,
// TS 44.018 §3.4.3: CHAN ACTIV of any free TCH/F, then the Assignment
// Command; no TCH free gives #34), and pages the callee. When the callee
// answers paging and its MM connection is up, it gets the Setup; its Call
// Confirmed brings its bearer capability, and the speech version both
// phones support (cc.CommonSpeech, in CallConfig.Codecs order) is the
// channel mode of its TCH/F (and of the caller's, by Channel Mode Modify
// when the caller was assigned another). The callee gets its TCH/F when
// it alerts, so that its Alerting reaches the caller without waiting for
// the channel change. Alerting and Connect are passed
// to the caller; when the callee answers and both are on their TCH/F the
// cell relays the speech frames between them (rsl.TrafficConnect), as
// they are (transcoder-free; gsm/bts tch.go explains why the relay is
// the cell's). A clearing on one leg clears the other with its cause; the
// callee not answering within CallConfig.NoAnswer (T301) gives #19, not
// answering paging #18, a leg whose radio link fails #41 on the other.
// Every call that got as far as the lookup leaves a CDR, written on the
// registry worker.
//
// Emergency calls (Emergency Setup, or a number in EmergencyNumbers) go
// to CallConfig.Emergency, a local MSISDN; with mm.Config.EmergencyCalls
// they are accepted from phones with no SIM or not registered (TS 22.101
// §10.1, TS 24.008 §4.5.1.5).
//
// Not done: calls between cells (the relay is within one cell), call
// waiting, hold, DTMF relay (acknowledged, not passed on), handover.

// CallConfig sets up the switch.
type CallConfig struct {
	// NoAnswer is how long the callee may ring (T301, TS 24.008 Table
	// 11.3); 0 means DefaultNoAnswer.
	NoAnswer time.Duration
	// Emergency is the MSISDN emergency calls go to; "" refuses them
	// (#63 service not available).
	Emergency string
	// EmergencyNumbers are the numbers that are emergency calls when
	// dialled in a normal Setup; nil means 112 and 911 (TS 22.101 §10.1.1).
	EmergencyNumbers []string
	// Codecs is the network's order of speech versions; nil means EFR,
	// then FR.
	Codecs []cc.SpeechVersion
	// CC holds the CC timers other than T301.
	CC cc.Config
	// CDR receives a record of every call when it ends, on the registry
	// worker (it may block on the disk). Nil keeps none.
	CDR CDRSink
	// OnCall, when not nil, is called with every call's outcome when it
	// ends, on the core's goroutine: it must not block.
	OnCall func(CallResult)
	// Trunk, when not nil, takes the calls to numbers that are no local
	// MSISDN and that it routes, and brings calls in (trunk.go).
	Trunk Trunk
}

// DefaultNoAnswer is the default ringing time.
const DefaultNoAnswer = 60 * time.Second

// CDRSink takes call detail records (cdr.Log implements it).
type CDRSink interface {
	Append(cdr.Record) error
}

// Directory is what the switch asks of the subscribers: who has an
// MSISDN. The HLR implements it over the registry; it is called on the
// registry worker only.
type Directory interface {
	LookupMSISDN(msisdn string) (Callee, bool)
}

// Callee is a subscriber found by MSISDN.
type Callee struct {
	IMSI     string
	TMSI     uint32 // mm.NoTMSI for none
	Attached bool
}

// LookupMSISDN implements Directory.
func (h *HLR) LookupMSISDN(msisdn string) (Callee, bool) {
	s, err := h.reg.ByMSISDN(msisdn)
	if err != nil {
		return Callee{}, false
	}
	t := uint32(s.TMSI)
	if s.TMSI == 0xffffffff {
		t = mm.NoTMSI
	}
	return Callee{IMSI: s.IMSI, TMSI: t, Attached: s.Attached}, true
}

// CallResult is one call's outcome.
type CallResult struct {
	cdr.Record
	Codec cc.SpeechVersion
	// Dial is when the Setup arrived; Alerting and Connected when the
	// caller was told (zero: never).
	Alerting, Connected time.Time
	// Cell and the two TCH/Fs the call used (zero if none).
	Cell      rsl.CellID
	CallerTCH l1.Chan
	CalleeTCH l1.Chan
}

// CallStats counts the switch's calls.
type CallStats struct {
	Setups     uint64 // mobile-originated Setups (and Emergency Setups)
	Emergency  uint64
	Alerted    uint64
	Answered   uint64
	Ended      uint64
	Unknown    uint64 // #1
	Busy       uint64 // #17
	NoChannel  uint64 // #34
	NoAnswer   uint64 // #19
	NoPage     uint64 // #18
	RadioLost  uint64 // legs lost mid-call
	Assigned   uint64 // assignments completed
	AssignFail uint64
	Modified   uint64 // Channel Mode Modify acknowledged
	Relays     uint64 // speech relays set up
	CDRs       uint64 // records written
	CDRFails   uint64
	TrunkOut   uint64 // calls sent out of the trunk
	TrunkIn    uint64 // calls the trunk brought in
}

// Call phases.
type callPhase uint8

const (
	phLookup callPhase = iota
	phPaging
	phMT    // the callee has its Setup
	phTrunk // an outgoing trunk call waits for the far end
	phActive
	phClearing
)

// call is one call between two legs.
type call struct {
	id        uint32
	a, b      *leg
	dialled   string
	msisdn    string // the callee's
	emergency bool
	callee    Callee
	phase     callPhase
	pageUntil time.Time
	codec     cc.SpeechVersion
	hasCodec  bool
	res       CallResult
	by        string // who cleared first
	relayed   bool
	done      bool
	ext       *extLeg // the outside party of a trunk call (trunk.go)
}

// leg is one side of a call: a connection's CC transaction and its TCH.
type leg struct {
	call      *call
	conn      *conn
	cc        *cc.Call
	caller    bool
	bearer    cc.BearerCapability
	tag       uint32
	tch       connKey
	tchRef    uint32
	tchDesc   rr.ChannelDesc
	mode      rr.ChannelMode
	onTCH     bool
	modifying bool
	released  bool
	// clearPending is the cause of a clearing that waits for the
	// assignment to complete (0: none).
	clearPending cc.CauseValue
}

// switchboard is the switch's state in the Network.
type switchboard struct {
	nextID    uint32
	calls     []*call                    // in order, for determinism
	byTag     map[uint32]*leg            // CHAN ACTIV outstanding
	assigning map[connKey]*leg           // TCH activated, Assignment Command sent
	paging    map[string]*call           // callee IMSI → call being paged
	byIMSI    map[string]*leg            // subscribers in a call
	iaDesc    map[connKey]rr.ChannelDesc // TCH/Fs given by Immediate Assignment
	ext       map[uint32]*call           // trunk calls by the trunk's id
	stats     CallStats
}

func (s *switchboard) init() {
	if s.byTag == nil {
		s.byTag, s.assigning = map[uint32]*leg{}, map[connKey]*leg{}
		s.paging, s.byIMSI = map[string]*call{}, map[string]*leg{}
		s.iaDesc = map[connKey]rr.ChannelDesc{}
		s.ext = map[uint32]*call{}
	}
}

func (n *Network) callCfg() *CallConfig { return &n.cfg.Calls }

func (n *Network) codecs() []cc.SpeechVersion {
	if c := n.callCfg().Codecs; c != nil {
		return c
	}
	return []cc.SpeechVersion{cc.FRv2, cc.FRv1}
}

func (n *Network) ccConfig(mt bool) cc.Config {
	c := n.callCfg().CC
	if mt {
		c.T301 = n.callCfg().NoAnswer
		if c.T301 <= 0 {
			c.T301 = DefaultNoAnswer
		}
	}
	return c
}

func (n *Network) isEmergencyNumber(d string) bool {
	nums := n.callCfg().EmergencyNumbers
	if nums == nil {
		nums = []string{"112", "911"}
	}
	return slices.Contains(nums, d)
}

// modeOf is the channel mode of a speech version (TS 44.018 §10.5.2.6).
func modeOf(v cc.SpeechVersion) rr.ChannelMode {
	if v == cc.FRv2 {
		return rr.ModeSpeechV2
	}
	return rr.ModeSpeechV1
}

// bestFor is the first of the network's codecs a bearer supports.
func (n *Network) bestFor(b *cc.BearerCapability) cc.SpeechVersion {
	for _, v := range n.codecs() {
		if b.Supports(v) {
			return v
		}
	}
	return cc.FRv1
}

// legActs carries out a leg's CC actions.
func (n *Network) legActs(l *leg, acts []cc.Action) {
	for _, a := range acts {
		switch a.Kind {
		case cc.ActSend:
			l.conn.sendCC(a.Msg)
		case cc.ActNotify:
			n.legEvent(l, a)
		case cc.ActReleaseMM:
			l.released = true
			n.legReleased(l)
		}
	}
}

// legEvent handles what a leg's Call reports.
func (n *Network) legEvent(l *leg, a cc.Action) {
	c := l.call
	sw := &n.sw
	now := n.now
	switch a.Event {
	case cc.EvProceeding:
		// The callee's Call Confirmed: its bearer picks the codec.
		if m, ok := a.Msg.(*cc.CallConfirmed); ok && m.HasBearer {
			l.bearer = m.Bearer
		} else {
			l.bearer = cc.SpeechBearer(0, cc.FRv1)
		}
		if c.ext != nil {
			// A trunk call: FR, the transcoder's codec.
			if !l.bearer.Supports(cc.FRv1) {
				n.clearCall(c, cc.CauseBearerNotAvailable, "network")
				return
			}
			c.codec, c.hasCodec = cc.FRv1, true
			l.mode = modeOf(cc.FRv1)
			return
		}
		v, ok := cc.CommonSpeech(&c.a.bearer, &l.bearer, n.codecs())
		if !ok {
			n.clearCall(c, cc.CauseBearerNotAvailable, "network")
			return
		}
		c.codec, c.hasCodec = v, true
		l.mode = modeOf(v)
		if c.a.onTCH && c.a.mode != l.mode {
			n.modify(c.a, l.mode)
		}
	case cc.EvAlerting:
		// The callee's TCH/F is assigned while it rings, after its
		// Alerting has gone to the caller: assigned at Call Confirmed,
		// the Alerting would wait in LAPDm for the channel change.
		n.assign(l)
		if c.ext != nil {
			if c.phase < phActive && c.res.Alerting.IsZero() {
				c.res.Alerting = now
				sw.stats.Alerted++
				n.trunk().Ringing(c.ext.id)
			}
			return
		}
		if c.phase < phActive && !c.a.released {
			c.res.Alerting = now
			sw.stats.Alerted++
			n.legActs(c.a, c.a.cc.Alert(now, nil))
		}
	case cc.EvConnect:
		n.assign(l) // answered without ringing
		c.res.Connected, c.res.Answer = now, now
		c.phase = phActive
		sw.stats.Answered++
		if c.ext != nil {
			n.trunk().Answer(c.ext.id)
		} else {
			n.legActs(c.a, c.a.cc.Connect(now, nil))
		}
		n.relay(c)
	case cc.EvDisconnect, cc.EvReleased:
		if c.by == "" {
			c.by = "caller"
			if !l.caller {
				c.by = "callee"
			}
			if a.Timer != cc.TimerNone {
				c.by = "network"
			}
			c.res.Cause = uint8(a.Cause.Value)
			if a.Timer == cc.T301 {
				sw.stats.NoAnswer++
			}
		}
		cause := a.Cause.Value
		if a.Timer == cc.T301 {
			cause = cc.CauseNoAnswer
		}
		c.phase = phClearing
		if peer := n.peer(l); peer != nil {
			n.clearLeg(peer, cause)
		} else {
			delete(sw.paging, c.callee.IMSI)
		}
		n.hangupExt(c, cause)
	case cc.EvDTMFStart, cc.EvDTMFStop:
		if c.ext != nil && c.phase == phActive {
			n.trunk().DTMF(c.ext.id, a.Key, a.Event == cc.EvDTMFStart)
		}
	}
}

func (n *Network) peer(l *leg) *leg {
	if l.call.a == l {
		return l.call.b
	}
	return l.call.a
}

// clearLeg clears one leg with cause: a Setup not yet answered is
// rejected (Release Complete), otherwise Disconnect.
func (n *Network) clearLeg(l *leg, cause cc.CauseValue) {
	if l == nil || l.released {
		return
	}
	if l.tchRef != 0 && !l.onTCH && n.sw.assigning[l.tch] == l {
		// The MS is moving to its TCH/F: no layer 3 message reaches it
		// until it is there (TS 44.018 §3.4.3); the clearing waits for
		// the Assignment Complete (or the assignment's failure, which
		// clears the call anyway).
		l.clearPending = cause
		return
	}
	now := n.now
	var out []cc.Action
	if l.cc.State() == cc.StateCallInitiated {
		out = l.cc.Reject(now, cc.NewCause(cause), out)
	} else {
		out = l.cc.Disconnect(now, cc.NewCause(cause), out)
	}
	if l.cc.State() == cc.StateNull && !l.cc.Ended() {
		out = l.cc.Abort(now, cc.NewCause(cause), out)
	}
	n.legActs(l, out)
}

// clearCall clears both legs with cause; by says who.
func (n *Network) clearCall(c *call, cause cc.CauseValue, by string) {
	if c.by == "" {
		c.by, c.res.Cause = by, uint8(cause)
	}
	c.phase = phClearing
	delete(n.sw.paging, c.callee.IMSI)
	n.hangupExt(c, cause)
	n.clearLeg(c.a, cause)
	n.clearLeg(c.b, cause)
	n.maybeEnd(c)
}

// legReleased: the leg's transaction is over; its channel goes once no
// other transaction uses the connection.
func (n *Network) legReleased(l *leg) {
	c := l.call
	sw := &n.sw
	if sw.byIMSI[l.conn.imsi] == l {
		delete(sw.byIMSI, l.conn.imsi)
	}
	l.conn.leg = nil
	if l.tag != 0 {
		delete(sw.byTag, l.tag)
	}
	if sw.assigning[l.tch] == l {
		delete(sw.assigning, l.tch)
		// The MS never came to the TCH: free it.
		n.down(rsl.Down{Kind: rsl.ChanRelease, Cell: l.tch.cell, Chan: l.tch.ch, Ref: l.tchRef})
	}
	l.conn.ccDone()
	if peer := n.peer(l); peer != nil && !peer.released {
		n.clearLeg(peer, cc.CauseValue(c.res.Cause))
	}
	if c.ext != nil {
		cause := cc.CauseValue(c.res.Cause)
		if cause == 0 {
			cause = cc.CauseNormalClearing
		}
		n.hangupExt(c, cause)
	}
	n.maybeEnd(c)
}

// maybeEnd finishes a call whose legs are both over.
func (n *Network) maybeEnd(c *call) {
	if c.done || (c.a != nil && !c.a.released) || (c.b != nil && !c.b.released) {
		return
	}
	if c.phase == phPaging && c.by == "" {
		return
	}
	if c.ext != nil && !c.ext.over() {
		return
	}
	c.done = true
	sw := &n.sw
	delete(sw.paging, c.callee.IMSI)
	if c.ext != nil && sw.ext[c.ext.id] == c {
		delete(sw.ext, c.ext.id)
	}
	if i := slices.Index(sw.calls, c); i >= 0 {
		sw.calls = slices.Delete(sw.calls, i, i+1)
	}
	sw.stats.Ended++
	c.res.End = n.now
	c.res.ClearedBy = c.by
	if c.hasCodec {
		c.res.Record.Codec = c.codec.String()
	}
	c.res.Codec = c.codec
	if c.a != nil && c.a.tchRef != 0 {
		c.res.CallerTCH = c.a.tch.ch
	}
	if c.b != nil && c.b.tchRef != 0 {
		c.res.CalleeTCH = c.b.tch.ch
	}
	if n.callCfg().CDR != nil {
		rec := c.res.Record
		n.hlrPut(hlrJob{cdr: &rec, sink: n.callCfg().CDR})
	}
	if f := n.callCfg().OnCall; f != nil {
		f(c.res)
	}
}

// --- the mobile-originated side ---

// moSetup starts a call from l's Setup (or Emergency Setup).
func (n *Network) moSetup(l *leg, m cc.Message) {
	sw := &n.sw
	sw.init()
	sw.nextID++
	c := &call{id: sw.nextID, a: l}
	l.call, l.caller = c, true
	sw.calls = append(sw.calls, c)
	sw.stats.Setups++
	r := l.conn.mm.Result()
	c.res.Setup = n.now
	c.res.Caller, c.res.CallerIMSI = r.MSISDN, r.IMSI
	c.res.Cell = l.conn.key.cell
	switch m := m.(type) {
	case *cc.Setup:
		l.bearer = m.Bearer
		c.dialled = m.Called.Digits
		c.emergency = n.isEmergencyNumber(c.dialled)
	case *cc.EmergencySetup:
		l.bearer = cc.SpeechBearer(0, cc.FRv1)
		if m.HasBearer {
			l.bearer = m.Bearer
		}
		c.dialled, c.emergency = "112", true
	}
	if !l.bearer.IsSpeech() {
		n.clearCall(c, cc.CauseBearerNotImplemented, "network")
		return
	}
	c.res.Dialled, c.res.Emergency = c.dialled, c.emergency
	c.msisdn = c.dialled
	if c.emergency {
		sw.stats.Emergency++
		c.msisdn = n.callCfg().Emergency
		if c.msisdn == "" {
			if t := n.trunk(); t != nil && t.Route(c.dialled, true) {
				n.outgoing(c)
				return
			}
			n.clearCall(c, cc.CauseServiceNotAvailable, "network")
			return
		}
	} else if r.MSISDN == "" && r.IMSI == "" {
		// Only emergency calls come without an identity.
		n.clearCall(c, cc.CauseOperatorBarring, "network")
		return
	}
	c.res.Callee = c.msisdn
	if !n.hlrPut(hlrJob{dir: c.msisdn, call: c.id}) {
		n.clearCall(c, cc.CauseSwitchingCongestion, "network")
	}
}

// dirAnswer continues a call with the callee the directory found.
func (n *Network) dirAnswer(d hlrDone) {
	sw := &n.sw
	var c *call
	for _, x := range sw.calls {
		if x.id == d.call {
			c = x
		}
	}
	if c == nil || c.phase != phLookup || c.by != "" {
		return
	}
	if c.ext != nil && c.ext.in {
		n.incomingFound(c, d)
		return
	}
	if !d.found {
		if t := n.trunk(); t != nil && t.Route(c.dialled, c.emergency) {
			n.outgoing(c)
			return
		}
		sw.stats.Unknown++
		n.clearCall(c, cc.CauseUnassignedNumber, "network")
		return
	}
	c.callee = d.callee
	c.res.CalleeIMSI = d.callee.IMSI
	if d.callee.IMSI == c.res.CallerIMSI || sw.byIMSI[d.callee.IMSI] != nil || sw.paging[d.callee.IMSI] != nil || n.busy(d.callee.IMSI) {
		sw.stats.Busy++
		n.clearCall(c, cc.CauseUserBusy, "network")
		return
	}
	if !d.callee.Attached {
		n.clearCall(c, cc.CauseNoUserResponding, "network")
		return
	}
	a := c.a
	n.legActs(a, a.cc.Proceed(n.now, &cc.CallProceeding{}, nil))
	a.mode = modeOf(n.bestFor(&a.bearer))
	n.assign(a)
	c.phase = phPaging
	c.pageUntil = n.now.Add(n.pageTimeout())
	sw.paging[d.callee.IMSI] = c
	n.command(command{page: MTRequest{IMSI: d.callee.IMSI, TMSI: d.callee.TMSI, What: "call", At: n.now}})
}

// busy reports whether the subscriber has a connection that is not just
// signalling to be done (any connection: a phone in a location update
// is not called until it is back in idle mode).
func (n *Network) busy(imsi string) bool {
	s := n.sessions[imsi]
	return s != nil && s.conn != nil && s.conn.leg != nil
}

// --- the mobile-terminated side ---

// pagedCall starts the callee's leg when it answered paging for a call;
// false when no call waits for it.
func (n *Network) pagedCall(cn *conn, s *Session) bool {
	sw := &n.sw
	c := sw.paging[cn.imsi]
	if c == nil {
		return false
	}
	keep := s.Pending[:0]
	for _, r := range s.Pending {
		if r.What != "call" {
			keep = append(keep, r)
		}
	}
	s.Pending = keep
	delete(sw.paging, cn.imsi)
	cn.ccInit()
	call := cn.tx.New()
	if call == nil {
		return false
	}
	l := &leg{call: c, conn: cn, cc: call}
	cn.leg = l
	c.b = l
	sw.byIMSI[cn.imsi] = l
	c.phase = phMT
	var setup *cc.Setup
	if a := c.a; a != nil {
		bc := cc.SpeechBearer(0, a.bearer.SpeechVersions()...)
		setup = &cc.Setup{HasBearer: true, Bearer: bc}
		if c.res.Caller != "" {
			setup.HasCalling, setup.Calling = true, cc.Number{TON: 0, NPI: 1, Digits: c.res.Caller}
		}
	} else {
		// From the trunk: FR, the transcoder's codec.
		setup = &cc.Setup{HasBearer: true, Bearer: cc.SpeechBearer(0, cc.FRv1)}
		if num, ok := callingNumber(c.res.Caller); ok {
			setup.HasCalling, setup.Calling = true, num
		}
	}
	n.legActs(l, call.Setup(n.now, setup, nil))
	return true
}

// --- traffic channels ---

// assign activates a TCH/F for l in its cell; the answer continues in
// activated.
func (n *Network) assign(l *leg) {
	sw := &n.sw
	if l.tchRef != 0 || l.tag != 0 {
		return
	}
	if d, ok := sw.iaDesc[l.conn.key]; ok && l.conn.key.ch.Kind == l1.ChanTCHF {
		// Already on a TCH/F in signalling mode (Immediate Assignment
		// with no SDCCH free): only its mode changes (TS 44.018
		// §3.4.6.1).
		l.tch, l.tchRef, l.tchDesc, l.onTCH = l.conn.key, l.conn.ref, d, true
		n.modify(l, l.mode)
		return
	}
	sw.nextID++
	l.tag = sw.nextID
	sw.byTag[l.tag] = l
	cn := l.conn
	n.down(rsl.Down{Kind: rsl.ChanActivate, Cell: cn.key.cell, Chan: l1.Chan{Kind: l1.ChanTCHF}, Tag: l.tag,
		Alg: uint8(cn.cipher), Kc: cn.kc, Peer: cn.key.ch})
}

// activated handles CHAN ACTIV ACK/NACK and the end of a TCH that was
// being assigned; true when the event was the switch's.
func (n *Network) activated(u *rsl.Up) bool {
	sw := &n.sw
	sw.init()
	switch u.Kind {
	case rsl.ChanActivAck, rsl.ChanActivNack:
		l := sw.byTag[u.Tag]
		if l == nil {
			if u.Kind == rsl.ChanActivAck && u.Tag != 0 {
				// The leg is gone: free the channel.
				n.down(rsl.Down{Kind: rsl.ChanRelease, Cell: u.Cell, Chan: u.Chan, Ref: u.Ref})
			}
			return u.Tag != 0
		}
		delete(sw.byTag, u.Tag)
		l.tag = 0
		if u.Kind == rsl.ChanActivNack {
			sw.stats.NoChannel++
			n.clearCall(l.call, cc.CauseNoChannelAvailable, "network")
			return true
		}
		l.tch, l.tchRef = connKey{u.Cell, u.Chan}, u.Ref
		if err := l.tchDesc.Unmarshal(u.Msg); err != nil {
			n.clearCall(l.call, cc.CauseTemporaryFailure, "network")
			return true
		}
		sw.assigning[l.tch] = l
		cmd := rr.AssignmentCommand{Chan: l.tchDesc, HasMode: true, Mode: l.mode}
		k, err := cmd.MarshalTo(l.conn.buf[:])
		if err != nil {
			n.clearCall(l.call, cc.CauseTemporaryFailure, "network")
			return true
		}
		l.conn.send(0, l.conn.buf[:k])
		return true
	case rsl.EstablishInd:
		l := sw.assigning[connKey{u.Cell, u.Chan}]
		if l == nil || l.tchRef != u.Ref || u.SAPI != 0 {
			return false
		}
		// The MS is on its TCH/F: the connection moves there, the SDCCH
		// is freed (TS 44.018 §3.4.3.3).
		cn := l.conn
		old, oldRef := cn.key, cn.ref
		if n.conns[old] == cn {
			delete(n.conns, old)
		}
		cn.key, cn.ref = l.tch, l.tchRef
		n.conns[cn.key] = cn
		cn.log = n.log.With("cell", cn.key.cell, "chan", cn.key.ch.String())
		n.down(rsl.Down{Kind: rsl.ChanRelease, Cell: old.cell, Chan: old.ch, Ref: oldRef})
		return true
	case rsl.ChanReleased, rsl.ConnFailure:
		l := sw.assigning[connKey{u.Cell, u.Chan}]
		if l == nil || l.tchRef != u.Ref {
			return false
		}
		// T3101 on the TCH: the MS never came.
		delete(sw.assigning, l.tch)
		l.tchRef = 0
		sw.stats.AssignFail++
		n.clearCall(l.call, cc.CauseResourcesUnavailable, "network")
		return true
	}
	return false
}

// assignDone handles the MS's answer to the Assignment Command.
func (n *Network) assignDone(cn *conn, ok bool) {
	l := cn.leg
	sw := &n.sw
	if l == nil {
		return
	}
	if sw.assigning[l.tch] == l {
		delete(sw.assigning, l.tch)
	}
	if !ok {
		// Assignment Failure: the MS is back on its SDCCH; the TCH goes.
		sw.stats.AssignFail++
		n.down(rsl.Down{Kind: rsl.ChanRelease, Cell: l.tch.cell, Chan: l.tch.ch, Ref: l.tchRef})
		l.tchRef = 0
		n.clearCall(l.call, cc.CauseResourcesUnavailable, "network")
		return
	}
	if cn.key != l.tch {
		return // Assignment Complete on the SDCCH: not ours
	}
	l.onTCH = true
	sw.stats.Assigned++
	c := l.call
	if cause := l.clearPending; cause != 0 {
		l.clearPending = 0
		n.clearLeg(l, cause)
		return
	}
	if l.caller && c.hasCodec && l.mode != modeOf(c.codec) {
		n.modify(l, modeOf(c.codec))
	}
	n.relay(c)
}

// modify sends Channel Mode Modify (TS 44.018 §3.4.6.1) to a leg on its
// TCH/F.
func (n *Network) modify(l *leg, mode rr.ChannelMode) {
	l.mode = mode
	m := rr.ChannelModeModify{Chan: l.tchDesc, Mode: mode}
	k, err := m.MarshalTo(l.conn.buf[:])
	if err != nil {
		return
	}
	l.modifying = true
	l.conn.send(0, l.conn.buf[:k])
}

// modified handles Channel Mode Modify Acknowledge.
func (n *Network) modified(cn *conn, mode rr.ChannelMode) {
	l := cn.leg
	if l == nil || !l.modifying {
		return
	}
	l.modifying = false
	if mode != l.mode {
		n.clearCall(l.call, cc.CauseBearerNotAvailable, "network")
		return
	}
	n.sw.stats.Modified++
	n.relay(l.call)
}

// relay joins the two TCH/Fs once the callee answered and both phones
// are on them with the same mode.
func (n *Network) relay(c *call) {
	if c.ext != nil {
		n.relayExt(c)
		return
	}
	if c.relayed || c.phase != phActive || c.a == nil || c.b == nil || !c.a.onTCH || !c.b.onTCH ||
		c.a.modifying || c.b.modifying {
		return
	}
	if c.a.tch.cell != c.b.tch.cell {
		n.log.Warn("call between two cells: no speech path", "a", c.a.tch.cell, "b", c.b.tch.cell)
		return
	}
	c.relayed = true
	n.sw.stats.Relays++
	n.down(rsl.Down{Kind: rsl.TrafficConnect, Cell: c.a.tch.cell, Chan: c.a.tch.ch, Ref: c.a.tchRef,
		Peer: c.b.tch.ch, PeerRef: c.b.tchRef})
}

// --- timers and losses ---

// callTimers runs the CC timers of every leg and the paging deadline.
func (n *Network) callTimers() {
	sw := &n.sw
	// A call that ends here leaves sw.calls: the index moves on only
	// past a call still in place, so that the one after it is not
	// skipped until the next step (and nothing is copied).
	for i := 0; i < len(sw.calls); {
		c := sw.calls[i]
		n.callTimer(c)
		if i < len(sw.calls) && sw.calls[i] == c {
			i++
		}
	}
}

func (n *Network) callTimer(c *call) {
	sw := &n.sw
	if c.phase == phPaging && c.by == "" && !n.now.Before(c.pageUntil) {
		sw.stats.NoPage++
		n.clearCall(c, cc.CauseNoUserResponding, "network")
		return
	}
	for _, l := range [2]*leg{c.a, c.b} {
		if l == nil || l.released {
			continue
		}
		if d, _, ok := l.cc.Deadline(); ok && !n.now.Before(d) {
			n.legActs(l, l.cc.Tick(n.now, nil))
		}
	}
}

// legLost: the connection of a leg ended (radio link failure, the MS
// released the channel): the transaction ends without signalling, and
// the other leg is cleared with #41.
func (n *Network) legLost(cn *conn) {
	l := cn.leg
	if l == nil || l.released {
		return
	}
	c := l.call
	if c.by == "" {
		c.by, c.res.Cause = "network", uint8(cc.CauseTemporaryFailure)
		if c.phase == phActive {
			n.sw.stats.RadioLost++
		}
	}
	n.legActs(l, l.cc.Abort(n.now, cc.NewCause(cc.CauseTemporaryFailure), nil))
}

// CallStats returns the switch's counters. Call it from the core's goroutine,
// or read Snapshot.
func (n *Network) CallStats() CallStats { return n.sw.stats }

// noteIA keeps the Channel Description of a TCH/F the cell gave by
// Immediate Assignment, for a Channel Mode Modify when a call follows.
func (n *Network) noteIA(u *rsl.Up) {
	if u.Chan.Kind != l1.ChanTCHF {
		return
	}
	var d rr.ChannelDesc
	if d.Unmarshal(u.Msg) != nil {
		return
	}
	n.sw.init()
	n.sw.iaDesc[connKey{u.Cell, u.Chan}] = d
}
