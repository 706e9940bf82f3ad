package lapdm

import (
	"bytes"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// MaxMessage is the longest L3 message an entity sends or reassembles
// (TS 44.006 §5.8.5 leaves it to L3; 251 octets is the RR maximum).
const MaxMessage = 256

// TxQueueLen is the number of L3 messages that can wait for acknowledged
// transfer, and separately the number of UI frames that can wait.
const TxQueueLen = 8

// State is the state of a data link entity (TS 44.006 §8.4–§8.8, and the LAPD states of ITU-T Q.921).
type State uint8

// States.
const (
	// StateIdle: no multiple frame operation (TEI-assigned, released).
	StateIdle State = iota
	// StateEstablishing: SABM sent, awaiting UA.
	StateEstablishing
	// StateEstablished: multiple frame established.
	StateEstablished
	// StateTimerRecovery: T200 expired in multiple frame operation.
	StateTimerRecovery
	// StateReleasing: DISC sent, awaiting UA.
	StateReleasing
)

var stateNames = [...]string{"idle", "establishing", "established", "timer recovery", "releasing"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Kind is the kind of an Indication to L3 (the DL- and MDL- primitives of
// TS 44.006 §4).
type Kind uint8

// Indication kinds.
const (
	// EstablishInd: the peer established the link (SABM received). On the
	// network side of SAPI 0 Msg is the contention resolution L3 message
	// the mobile sent in the SABM, the first message of the connection.
	EstablishInd Kind = iota + 1
	// EstablishConf: the link this side asked for is established (UA
	// received and, on the MS, contention resolution passed).
	EstablishConf
	// DataInd: a complete (reassembled) L3 message in acknowledged mode.
	DataInd
	// UnitDataInd: an L3 message in a UI frame.
	UnitDataInd
	// ReleaseInd: the link was released by the peer or failed; Cause
	// tells which (CauseNone for a DISC from the peer).
	ReleaseInd
	// ReleaseConf: the release this side asked for is done.
	ReleaseConf
	// ErrorInd: MDL-ERROR-INDICATION, a protocol error (Cause). The link
	// stays as it is unless another indication says otherwise.
	ErrorInd
)

var kindNames = [...]string{EstablishInd: "DL-ESTABLISH-IND", EstablishConf: "DL-ESTABLISH-CONF",
	DataInd: "DL-DATA-IND", UnitDataInd: "DL-UNIT-DATA-IND", ReleaseInd: "DL-RELEASE-IND",
	ReleaseConf: "DL-RELEASE-CONF", ErrorInd: "MDL-ERROR-IND"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Indication is one event for L3.
type Indication struct {
	Kind  Kind
	SAPI  uint8
	Cause Cause
	// Msg is the L3 message of EstablishInd, DataInd and UnitDataInd. It
	// points into the entity's buffers and is valid until the next call of
	// any method of the entity (or of the Link holding it); copy it to
	// keep it.
	Msg []byte
}

func (i Indication) String() string {
	s := fmt.Sprintf("%v SAPI%d", i.Kind, i.SAPI)
	if i.Kind == ReleaseInd || i.Kind == ErrorInd {
		s += " (" + i.Cause.String() + ")"
	}
	if i.Msg != nil {
		s += fmt.Sprintf(" % x", i.Msg)
	}
	return s
}

type message struct {
	n   int
	buf [MaxMessage]byte
}

type uiFrame struct {
	n   int
	buf [N201DCCH]byte
}

// ctl is a pending supervisory or unnumbered frame.
type ctl struct {
	t  Type // 0: none
	pf bool
}

// Entity is the LAPDm data link entity of one SAPI on one channel, at the
// network or the mobile end (TS 44.006 §8): unacknowledged transfer with UI
// frames, and multiple frame acknowledged operation with window size k = 1
// (§5.8.4): establishment with contention resolution, I frames with
// piggy-backed acknowledgements, RR/REJ, T200 and N200 with timer recovery,
// segmentation and reassembly with the M bit, normal and local release,
// and recovery from sequence errors.
//
// It is a pure state machine: events go in (Receive, Tick, the requests)
// and actions come out (Indications, and the frame Next returns). Timers
// are frame-number deadlines. An Entity is not safe for concurrent use;
// the per-cell loop (or a virtual phone) owns it. Receive, Tick and Next do
// not allocate.
type Entity struct {
	cfg  Config
	n201 int
	// uiOnly: SAPI 0 on SACCH, UI frames only. Downlink frames there are
	// format B4 (SI5/SI6 need the 19 octets); uplink ones (measurement
	// reports) are format B with a length indicator, as Wireshark and the
	// Osmocom stacks also treat them.
	uiOnly bool
	b4     bool // send in format B4 (network side of uiOnly)
	b4Rx   bool // receive in format B4 (MS side of uiOnly)

	state      State
	vs, va, vr uint8
	rc         int
	t200On     bool
	t200At     tdma.FN // deadline
	now        tdma.FN // the last frame number seen
	peerBusy   bool
	rejExc     bool // reject exception condition

	// pending frames for Next
	resp    ctl  // UA or DM response
	sendEst bool // (re)transmit SABM
	sendRel bool // (re)transmit DISC
	sendI   bool // (re)transmit the outstanding I frame
	sendIP  bool // ... with P = 1
	sresp   ctl  // RR or REJ response
	enquiry bool // RR command with P = 1
	ackDue  bool // an RR response is owed for a received I frame

	// contention resolution: the SABM information field (sent on the
	// initiating side, received on the responding side)
	cr    [N201DCCH]byte
	crLen int
	uaCR  bool // the pending UA echoes cr

	// acknowledged transmit queue; txq[txHead] is being sent, txOff is
	// the start of the outstanding (or next) segment
	txq          [TxQueueLen]message
	txHead, txN  int
	txOff, txSeg int

	uiq         [TxQueueLen]uiFrame
	uiHead, uiN int

	rx     [MaxMessage]byte
	rxLen  int
	rxDrop bool // discard segments until the last one (overflow)
	uiRx   [BlockLen]byte
	ind    [4]Indication
	nind   int
	stats  EntityStats
}

// EntityStats counts an entity's frames of interest to the release
// procedure: every DISC sent, and how many of them were repetitions after
// T200 expired (TS 44.006 §5.4.4.3: the DISC is repeated up to N200
// times until a UA or DM answers).
type EntityStats struct {
	DISC, DISCRepeated uint64
	// IRepeated counts I frames sent again after T200 expired or a REJ
	// (TS 44.006 §5.5.7, timer recovery).
	IRepeated uint64
}

// Stats returns the entity's counters; they survive releases.
func (e *Entity) Stats() EntityStats { return e.stats }

// Outstanding returns how many L3 messages are queued or not yet
// completely acknowledged in acknowledged mode. It falls to 0 when the
// peer has acknowledged the last one, or when the link is released
// (which discards the queue).
func (e *Entity) Outstanding() int { return e.txN }

// NewEntity returns an entity in the idle state.
func NewEntity(cfg Config) (*Entity, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &Entity{cfg: cfg, n201: cfg.Channel.N201()}
	e.uiOnly = cfg.Channel == SACCH && cfg.SAPI == 0
	e.b4 = e.uiOnly && cfg.Side == Network
	e.b4Rx = e.uiOnly && cfg.Side == MS
	if e.b4 {
		e.n201 = N201B4
	}
	return e, nil
}

// Config returns the entity's configuration with defaults filled in.
func (e *Entity) Config() Config { return e.cfg }

// State returns the entity's state.
func (e *Entity) State() State { return e.state }

// Pending reports whether the entity has frames to send or unacknowledged
// data: queued L3 messages, UI frames, or a pending control frame.
func (e *Entity) Pending() bool {
	return e.txN > 0 || e.uiN > 0 || e.resp.t != 0 || e.sendEst || e.sendRel ||
		e.sendI || e.sresp.t != 0 || e.enquiry || e.ackDue
}

// ---- requests from L3 ----

// Establish asks for multiple frame operation (DL-ESTABLISH-REQ, TS 44.006
// §8.4.1). On the MS, l3 is the initial L3 message for contention
// resolution (at most N201 octets), sent in the SABM; pass nil for a link
// without contention resolution (e.g. SAPI 3). An EstablishConf follows
// (or a ReleaseInd on failure). Queued I frames are discarded.
func (e *Entity) Establish(l3 []byte) error {
	if e.uiOnly {
		return fmt.Errorf("%w: no acknowledged mode for SAPI 0 on SACCH", ErrState)
	}
	if len(l3) > e.n201 {
		return fmt.Errorf("%w: %d octets in a SABM, max %d", ErrTooLong, len(l3), e.n201)
	}
	if e.state != StateIdle {
		return fmt.Errorf("%w: establish in state %v", ErrState, e.state)
	}
	e.crLen = copy(e.cr[:], l3)
	e.startEstablish()
	return nil
}

// Send queues an L3 message for acknowledged transfer (DL-DATA-REQ, TS
// 44.006 §8). Messages longer than N201 are segmented with the M bit. It may be
// called while the link is being established.
func (e *Entity) Send(l3 []byte) error {
	if len(l3) == 0 || len(l3) > MaxMessage {
		return fmt.Errorf("%w: %d-octet message (1..%d)", ErrTooLong, len(l3), MaxMessage)
	}
	if e.state != StateEstablished && e.state != StateTimerRecovery && e.state != StateEstablishing {
		return fmt.Errorf("%w: data in state %v", ErrState, e.state)
	}
	if e.txN == TxQueueLen {
		return fmt.Errorf("%w: %d messages waiting", ErrQueueFull, e.txN)
	}
	m := &e.txq[(e.txHead+e.txN)%TxQueueLen]
	m.n = copy(m.buf[:], l3)
	e.txN++
	return nil
}

// SendUnitData queues an L3 message for a UI frame (DL-UNIT-DATA-REQ, TS
// 44.006 §8.3); at most N201 octets, in any state.
func (e *Entity) SendUnitData(l3 []byte) error {
	if len(l3) > e.n201 {
		return fmt.Errorf("%w: %d octets in a UI frame, max %d", ErrTooLong, len(l3), e.n201)
	}
	if e.uiN == TxQueueLen {
		return fmt.Errorf("%w: %d UI frames waiting", ErrQueueFull, e.uiN)
	}
	u := &e.uiq[(e.uiHead+e.uiN)%TxQueueLen]
	u.n = copy(u.buf[:], l3)
	e.uiN++
	return nil
}

// Release asks for normal release (DL-RELEASE-REQ, TS 44.006 §8): a
// DISC is sent and a ReleaseConf follows. In the idle state it does
// nothing; while establishing it releases locally.
func (e *Entity) Release() {
	switch e.state {
	case StateEstablished, StateTimerRecovery:
		e.toIdle()
		e.state = StateReleasing
		e.sendRel = true
	case StateEstablishing:
		e.toIdle()
	}
}

// ReleaseLocal releases the link without any frame (local end release,
// TS 44.006 §8), as L3 does after a channel release or when the
// channel is gone. Queues are discarded; no indication follows.
func (e *Entity) ReleaseLocal() {
	e.toIdle()
	e.uiN = 0
	e.resp = ctl{}
}

// Suspend stops multiple frame operation for a channel change
// (DL-SUSPEND-REQ, TS 44.006 §4, used by the assignment and handover
// procedures of TS 44.018 §3.4.3, §3.4.4) without sending a frame. The L3
// messages not yet completely acknowledged, a partly sent one from its
// first segment, stay queued for Resume on the new channel; the entity is
// idle meanwhile.
func (e *Entity) Suspend() {
	head, n := e.txHead, e.txN
	e.toIdle()
	e.txHead, e.txN = head, n
	e.resp = ctl{}
	e.uiN = 0
}

// Resume establishes multiple frame operation on this entity's channel
// (DL-RESUME-REQ, or DL-RECONNECT-REQ back on the old channel) and takes
// over the messages from, a suspended entity (which may be e itself), to
// send them once the link is up. The SABM carries no information; an
// EstablishConf follows. from is left idle and empty.
func (e *Entity) Resume(from *Entity) error {
	if e.uiOnly {
		return fmt.Errorf("%w: no acknowledged mode for SAPI 0 on SACCH", ErrState)
	}
	if e.state != StateIdle || from.state != StateIdle {
		return fmt.Errorf("%w: resume from %v to %v", ErrState, from.state, e.state)
	}
	var msgs [TxQueueLen]message
	n := from.txN
	for i := range n {
		msgs[i] = from.txq[(from.txHead+i)%TxQueueLen]
	}
	from.txN, from.txHead = 0, 0
	e.crLen = 0
	e.startEstablish()
	e.txHead, e.txN = 0, n
	copy(e.txq[:n], msgs[:n])
	return nil
}

// ---- events ----

// Tick advances the entity's clock to fn and handles an expired T200. The
// owner calls it at least once per block of the channel, before Next. The
// returned indications are valid until the next call.
func (e *Entity) Tick(fn tdma.FN) []Indication {
	e.nind = 0
	e.now = fn
	if e.t200On && fn.Sub(e.t200At) >= 0 {
		e.t200On = false
		e.expired()
	}
	if e.state == StateTimerRecovery && !e.t200On && !e.sendI && !e.enquiry {
		e.enquiry = true // timer recovery always has its poll pending or T200 running
	}
	return e.ind[:e.nind]
}

// Receive handles one received block of the entity's channel: 23 octets
// on SDCCH and FACCH, the whole 23-octet block with its L1 header on
// SACCH. Frames of another SAPI or LPD and undecodable blocks are ignored
// (invalid frames are discarded, TS 44.006 §8). The
// returned indications are valid until the next call of any method.
func (e *Entity) Receive(fn tdma.FN, b []byte) []Indication {
	e.nind = 0
	e.now = fn
	var f Frame
	if !e.decode(b, &f) || f.SAPI != e.cfg.SAPI || f.LPD != 0 {
		return e.ind[:0]
	}
	e.handle(&f)
	return e.ind[:e.nind]
}

func (e *Entity) decode(b []byte, f *Frame) bool {
	if e.cfg.Channel == SACCH {
		if len(b) < SACCHL1HeaderLen {
			return false
		}
		b = b[SACCHL1HeaderLen:]
		if e.b4Rx {
			return f.UnmarshalB4(b) == nil && f.Type == TypeUI
		}
	}
	return f.Unmarshal(b) == nil && f.Format == FormatB
}

// command reports whether a received frame is a command (TS 44.006
// §3.3.2): commands from the network have C/R 1, from the MS C/R 0.
func (e *Entity) command(f *Frame) bool {
	return f.CR == (e.cfg.Side == MS)
}

func (e *Entity) indicate(k Kind, c Cause, msg []byte) {
	if e.nind < len(e.ind) {
		e.ind[e.nind] = Indication{Kind: k, SAPI: e.cfg.SAPI, Cause: c, Msg: msg}
		e.nind++
	}
}

func (e *Entity) handle(f *Frame) {
	cmd := e.command(f)
	if f.Type != TypeI && f.M {
		e.badFrame(f)
		return
	}
	switch f.Type {
	case TypeUI:
		if !cmd || len(f.Info) == 0 && !e.b4Rx {
			return // a response, or a fill frame (TS 44.006 §5.4.2.3)
		}
		n := copy(e.uiRx[:], f.Info)
		e.indicate(UnitDataInd, 0, e.uiRx[:n])
		return
	case TypeSABM:
		if cmd && !e.uiOnly {
			e.rxSABM(f)
		}
		return
	case TypeDISC:
		if cmd && !e.uiOnly {
			e.rxDISC(f)
		}
		return
	case TypeUA:
		if !cmd && !e.uiOnly {
			e.rxUA(f)
		}
		return
	case TypeDM:
		if !cmd && !e.uiOnly {
			e.rxDM(f)
		}
		return
	}
	if e.uiOnly {
		return
	}
	// I and S frames
	if e.state != StateEstablished && e.state != StateTimerRecovery {
		if e.state == StateIdle && cmd && f.PF {
			e.resp = ctl{TypeDM, true} // a command with P=1 while idle (Q.921 §5.4)
		}
		return
	}
	if f.Type == TypeI {
		if !cmd {
			return
		}
		e.rxI(f)
		return
	}
	if len(f.Info) != 0 {
		e.indicate(ErrorInd, CauseSFrameParams, nil)
		return
	}
	e.rxS(f, cmd)
}

func (e *Entity) badFrame(f *Frame) {
	if f.Type == TypeRR || f.Type == TypeRNR || f.Type == TypeREJ {
		e.indicate(ErrorInd, CauseSFrameParams, nil)
	} else {
		e.indicate(ErrorInd, CauseUFrameParams, nil)
	}
}

// rxSABM: the responder of TS 44.006 §8.4.1 with contention resolution on
// the network side (§5.4.1.4 / §8.4.1.4): a repeated SABM with the same
// information is answered with UA again, one with other information
// (another mobile) is not taken.
func (e *Entity) rxSABM(f *Frame) {
	if len(f.Info) > e.n201 {
		return
	}
	switch e.state {
	case StateIdle:
	case StateEstablished, StateTimerRecovery:
		if len(f.Info) > 0 && bytes.Equal(f.Info, e.cr[:e.crLen]) {
			// the peer did not get our UA: repeat it, nothing new for L3
			e.resp = ctl{TypeUA, f.PF}
			e.uaCR = true
			return
		}
		if len(f.Info) == 0 && e.crLen == 0 && e.vs == 0 && e.va == 0 && e.vr == 0 {
			// nothing transferred since our UA, which was lost: repeat it
			e.resp = ctl{TypeUA, f.PF}
			return
		}
		if len(f.Info) > 0 {
			// a different initial message on a running link: not allowed
			e.indicate(ErrorInd, CauseSABMInfoNotAllowed, nil)
			return
		}
		e.indicate(ErrorInd, CauseSABMEstablished, nil)
	case StateEstablishing:
		// both sides sent SABM: answer it and wait for our UA (Q.921 §5.5.1.3 collision)
		e.resp = ctl{TypeUA, f.PF}
		e.uaCR = false
		return
	case StateReleasing:
		e.resp = ctl{TypeDM, f.PF}
		return
	}
	e.reset()
	e.state = StateEstablished
	e.crLen = copy(e.cr[:], f.Info)
	e.resp = ctl{TypeUA, f.PF}
	e.uaCR = e.crLen > 0
	var msg []byte
	if e.crLen > 0 {
		msg = e.cr[:e.crLen]
	}
	e.indicate(EstablishInd, 0, msg)
}

func (e *Entity) rxDISC(f *Frame) {
	switch e.state {
	case StateIdle, StateEstablishing:
		e.resp = ctl{TypeDM, f.PF}
	case StateReleasing:
		e.resp = ctl{TypeUA, f.PF}
	default:
		e.toIdle()
		e.resp = ctl{TypeUA, f.PF}
		e.indicate(ReleaseInd, CauseNone, nil)
	}
}

func (e *Entity) rxUA(f *Frame) {
	switch e.state {
	case StateEstablishing:
		if !f.PF {
			e.indicate(ErrorInd, CauseUnsolicitedUA, nil)
			return
		}
		if !bytes.Equal(f.Info, e.cr[:e.crLen]) {
			// §5.4.1.4: another mobile won the contention on this channel
			e.toIdle()
			e.indicate(ReleaseInd, CauseContentionMismatch, nil)
			return
		}
		e.t200On = false
		e.sendEst = false
		e.state = StateEstablished
		e.rc = 0
		e.indicate(EstablishConf, 0, nil)
	case StateReleasing:
		if !f.PF {
			e.indicate(ErrorInd, CauseUnsolicitedUA, nil)
			return
		}
		e.toIdle()
		e.indicate(ReleaseConf, 0, nil)
	default:
		e.indicate(ErrorInd, CauseUnsolicitedUA, nil)
	}
}

func (e *Entity) rxDM(f *Frame) {
	switch e.state {
	case StateEstablishing:
		if f.PF {
			e.toIdle()
			e.indicate(ReleaseInd, CauseUnsolicitedDM, nil)
		}
	case StateReleasing:
		if f.PF {
			e.toIdle()
			e.indicate(ReleaseConf, 0, nil)
		}
	case StateEstablished, StateTimerRecovery:
		if f.PF {
			e.indicate(ErrorInd, CauseUnsolicitedDM, nil)
			return
		}
		e.indicate(ErrorInd, CauseUnsolicitedDMEst, nil)
		e.recover()
	}
}

// validNR reports V(A) <= N(R) <= V(S) modulo 8 .
func (e *Entity) validNR(nr uint8) bool {
	return (nr-e.va)&7 <= (e.vs-e.va)&7
}

// ackTo sets V(A) to nr, releasing the acknowledged segment.
func (e *Entity) ackTo(nr uint8) {
	if nr == e.va {
		return
	}
	e.va = nr
	// k = 1: one outstanding segment, now acknowledged
	e.txOff += e.txSeg
	e.txSeg = 0
	if e.txN > 0 && e.txOff >= e.txq[e.txHead].n {
		e.txHead = (e.txHead + 1) % TxQueueLen
		e.txN--
		e.txOff = 0
	}
	if e.sendIP {
		e.enquiry = true // the poll of timer recovery is still to be made
	}
	e.sendI, e.sendIP = false, false
}

func (e *Entity) rxI(f *Frame) {
	// N(R) first: it is processed even when N(S) is out of sequence.
	if !e.validNR(f.NR) {
		e.indicate(ErrorInd, CauseSequenceError, nil)
		e.recover()
		return
	}
	if e.state == StateEstablished {
		e.ackTo(f.NR)
		if e.va == e.vs {
			e.t200On = false
			e.rc = 0
		}
	} else {
		e.ackTo(f.NR)
	}
	if f.NS != e.vr {
		// N(S) sequence error: discard, REJ once, then RR (Q.921 §5.8.1)
		if !e.rejExc {
			e.rejExc = true
			e.sresp = ctl{TypeREJ, f.PF}
		} else if f.PF {
			e.sresp = ctl{TypeRR, true}
		}
		return
	}
	switch {
	case len(f.Info) == 0:
		e.indicate(ErrorInd, CauseIFrameLength, nil)
		return
	case f.M && len(f.Info) != e.n201:
		e.indicate(ErrorInd, CauseIFrameMBit, nil)
		return
	}
	e.vr = (e.vr + 1) & 7
	e.rejExc = false
	if f.PF {
		e.sresp = ctl{TypeRR, true}
	} else {
		e.ackDue = true
	}
	if !e.rxDrop && e.rxLen+len(f.Info) > len(e.rx) {
		e.rxDrop = true
		e.indicate(ErrorInd, CauseIFrameLength, nil)
	}
	if !e.rxDrop {
		e.rxLen += copy(e.rx[e.rxLen:], f.Info)
	}
	if !f.M {
		if !e.rxDrop {
			e.indicate(DataInd, 0, e.rx[:e.rxLen])
		}
		e.rxLen = 0
		e.rxDrop = false
	}
}

func (e *Entity) rxS(f *Frame, cmd bool) {
	if cmd && f.PF {
		t := TypeRR
		if e.rejExc {
			t = TypeREJ
		}
		e.sresp = ctl{t, true}
	}
	if !e.validNR(f.NR) {
		e.indicate(ErrorInd, CauseSequenceError, nil)
		e.recover()
		return
	}
	e.peerBusy = f.Type == TypeRNR
	if e.state == StateTimerRecovery {
		if !cmd && f.PF {
			// the peer answered the poll: back to normal
			e.ackTo(f.NR)
			e.t200On = false
			e.rc = 0
			e.state = StateEstablished
			if e.vs != e.va {
				e.sendI = true // retransmit the outstanding frame
			}
			if e.peerBusy {
				e.startT200Idle()
			}
			return
		}
		e.ackTo(f.NR)
		return
	}
	if !cmd && f.PF {
		e.indicate(ErrorInd, CauseUnsolicitedS, nil)
	}
	e.ackTo(f.NR)
	switch f.Type {
	case TypeREJ:
		e.t200On = false
		e.rc = 0
		if e.vs != e.va {
			e.sendI = true
		}
	case TypeRR:
		if e.va == e.vs {
			e.t200On = false
			e.rc = 0
		}
	case TypeRNR:
		e.startT200Idle()
	}
}

// startT200Idle runs T200 to poll a busy peer; the deadline counts from the
// frame just received, there being no frame sent.
func (e *Entity) startT200Idle() {
	if !e.t200On {
		e.t200On = true
		e.t200At = e.now.Add(e.cfg.T200)
	}
}

// expired handles T200 expiry (TS 44.006 §8, §5.8.1, §5.8.2).
func (e *Entity) expired() {
	switch e.state {
	case StateEstablishing:
		if e.rc >= e.cfg.N200 {
			e.toIdle()
			e.indicate(ReleaseInd, CauseT200, nil)
			return
		}
		e.rc++
		e.sendEst = true
	case StateReleasing:
		if e.rc >= e.cfg.N200 {
			e.toIdle()
			e.indicate(ReleaseInd, CauseT200, nil)
			return
		}
		e.rc++
		e.sendRel = true
	case StateEstablished:
		e.rc = 1
		e.state = StateTimerRecovery
		e.pollPeer()
	case StateTimerRecovery:
		if e.rc >= e.cfg.N200 {
			e.toIdle()
			e.indicate(ReleaseInd, CauseT200, nil)
			return
		}
		e.rc++
		e.pollPeer()
	}
}

// pollPeer retransmits the outstanding I frame with P = 1 (LAPDm does this
// instead of an RR enquiry when a frame is outstanding, TS 44.006 §8), or sends
// an RR command with P = 1.
func (e *Entity) pollPeer() {
	if e.vs != e.va {
		e.sendI, e.sendIP = true, true
		return
	}
	e.enquiry = true
}

// recover handles errors that need re-establishment (TS 44.006 §8,
// Q.921 §5.7–§5.8): the mobile and SAPI 3 re-establish the link, which discards the
// queues; on the network side of SAPI 0, where re-establishment is L3's
// decision, the link is released with a ReleaseInd.
func (e *Entity) recover() {
	if e.cfg.Side == Network && e.cfg.SAPI == 0 {
		e.toIdle()
		e.indicate(ReleaseInd, CauseSequenceError, nil)
		return
	}
	e.toIdle()
	e.crLen = 0
	e.startEstablish()
}

func (e *Entity) startEstablish() {
	e.reset()
	e.txN = 0
	e.state = StateEstablishing
	e.sendEst = true
	e.rc = 0
}

// reset clears the sequence variables and pending acknowledged-mode work
// but keeps the transmit queue.
func (e *Entity) reset() {
	e.vs, e.va, e.vr = 0, 0, 0
	e.rc = 0
	e.t200On = false
	e.peerBusy, e.rejExc = false, false
	e.sendEst, e.sendRel, e.sendI, e.sendIP = false, false, false, false
	e.sresp = ctl{}
	e.enquiry, e.ackDue = false, false
	e.uaCR = false
	e.txOff, e.txSeg = 0, 0
	e.rxLen, e.rxDrop = 0, false
}

func (e *Entity) toIdle() {
	e.reset()
	e.state = StateIdle
	e.txN, e.txHead = 0, 0
	e.crLen = 0
}

// Next writes the frame to send in the block whose first frame is fn into
// dst and returns true, or returns false when the entity has nothing to
// send (L1 then sends its fill frame). The gsm/l1 Source calls it once per
// block of the channel, after Tick(fn). On SACCH dst is the whole block:
// octets 0 and 1 (the L1 header) are set to 0 for L1 to fill in. It does
// not allocate.
//
// Order: a UA or DM response; SABM or DISC (re)transmission; the
// retransmission of the outstanding I frame; an RR or REJ response; a new
// I frame (acknowledging received ones on the way); an RR response still
// owed; an RR enquiry; a UI frame.
func (e *Entity) Next(fn tdma.FN, dst *[BlockLen]byte) bool {
	e.now = fn
	var f Frame
	if !e.next(fn, &f) {
		return false
	}
	b := dst[:]
	if e.cfg.Channel == SACCH {
		dst[0], dst[1] = 0, 0
		b = dst[SACCHL1HeaderLen:]
	}
	if _, err := f.MarshalTo(b); err != nil {
		panic("lapdm: own frame does not encode: " + err.Error()) // programmer error
	}
	return true
}

func (e *Entity) next(fn tdma.FN, f *Frame) bool {
	cmdCR := e.cfg.Side == Network
	f.SAPI = e.cfg.SAPI
	f.Format = FormatB
	if e.b4 {
		f.Format = FormatB4
	}
	if e.resp.t != 0 {
		f.Type, f.PF, f.CR = e.resp.t, e.resp.pf, !cmdCR
		if f.Type == TypeUA && e.uaCR {
			f.Info = e.cr[:e.crLen]
		}
		e.resp, e.uaCR = ctl{}, false
		return true
	}
	switch e.state {
	case StateEstablishing:
		if e.sendEst {
			f.Type, f.PF, f.CR = TypeSABM, true, cmdCR
			if e.crLen > 0 {
				f.Info = e.cr[:e.crLen]
			}
			e.sendEst = false
			e.setT200(fn)
			return true
		}
	case StateReleasing:
		if e.sendRel {
			f.Type, f.PF, f.CR = TypeDISC, true, cmdCR
			e.sendRel = false
			e.stats.DISC++
			if e.rc > 0 {
				e.stats.DISCRepeated++
			}
			e.setT200(fn)
			return true
		}
	case StateEstablished, StateTimerRecovery:
		if e.sresp.t != 0 && e.sresp.pf || e.sresp.t == TypeREJ {
			e.sFrame(f, e.sresp.t, e.sresp.pf, !cmdCR)
			e.sresp = ctl{}
			return true
		}
		if e.sendI && e.txN > 0 && e.vs != e.va {
			e.stats.IRepeated++
			e.iFrame(f, e.va, e.sendIP, cmdCR)
			e.sendI, e.sendIP = false, false
			e.setT200(fn)
			return true
		}
		if e.sresp.t != 0 {
			e.sFrame(f, e.sresp.t, e.sresp.pf, !cmdCR)
			e.sresp = ctl{}
			return true
		}
		if e.state == StateEstablished && !e.peerBusy && e.vs == e.va && e.txN > 0 {
			e.iFrame(f, e.vs, false, cmdCR)
			e.vs = (e.vs + 1) & 7
			e.setT200(fn)
			return true
		}
		if e.ackDue {
			e.sFrame(f, TypeRR, false, !cmdCR)
			return true
		}
		if e.enquiry {
			e.sFrame(f, TypeRR, true, cmdCR)
			e.enquiry = false
			e.setT200(fn)
			return true
		}
	}
	if e.uiN > 0 {
		u := &e.uiq[e.uiHead]
		f.Type, f.CR, f.Info = TypeUI, cmdCR, u.buf[:u.n]
		e.uiHead = (e.uiHead + 1) % TxQueueLen
		e.uiN--
		return true
	}
	return false
}

func (e *Entity) setT200(fn tdma.FN) {
	e.t200On = true
	e.t200At = fn.Add(e.cfg.T200)
}

func (e *Entity) sFrame(f *Frame, t Type, pf, cr bool) {
	f.Type, f.PF, f.CR, f.NR = t, pf, cr, e.vr
	e.ackDue = false
}

// iFrame builds the I frame with N(S) ns carrying the segment at txOff:
// V(S) for a new frame, V(A) for the retransmission of the outstanding one.
func (e *Entity) iFrame(f *Frame, ns uint8, p, cr bool) {
	m := &e.txq[e.txHead]
	seg := min(m.n-e.txOff, e.n201)
	e.txSeg = seg
	f.Type, f.PF, f.CR = TypeI, p, cr
	f.NS, f.NR = ns, e.vr
	f.M = e.txOff+seg < m.n
	f.Info = m.buf[e.txOff : e.txOff+seg]
	e.ackDue = false
}
