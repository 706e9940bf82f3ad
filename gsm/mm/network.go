package mm

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// ActionKind says what the caller of Conn must do.
type ActionKind uint8

// Action kinds.
const (
	// ActSend: send Msg, an MM message, to the MS on SAPI 0.
	ActSend ActionKind = iota + 1
	// ActStartCiphering: send the RR Ciphering Mode Command for Cipher
	// with key Kc (TS 44.018 §3.4.7), start deciphering the uplink, and
	// call Conn.CipheringComplete when the MS answers.
	ActStartCiphering
	// ActClassmarkEnquiry: send the RR Classmark Enquiry (TS 44.018
	// §3.4.11) and pass the answer to Conn.Classmark.
	ActClassmarkEnquiry
	// ActCommit: apply Update to the registry.
	ActCommit
	// ActMMConnection: an MM connection for Service is established; the
	// CM layer (CC, SMS, SS) may now use the channel.
	ActMMConnection
	// ActRelease: release the channel (RR Channel Release, TS 44.018
	// §3.4.13); Result says why. Conn is finished.
	ActRelease
	// ActLookup: make Query against the registry and pass the answer to
	// Conn.Answer (only from a Conn made without a Registry). Conn waits
	// for it under the guard timer.
	ActLookup
)

var actionNames = [...]string{"?", "send", "start-ciphering", "classmark-enquiry", "commit", "mm-connection", "release", "lookup"}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) {
		return actionNames[k]
	}
	return "ActionKind(?)"
}

// Action is one thing Conn asks its caller to do, in order.
type Action struct {
	Kind    ActionKind
	Msg     Message     // ActSend
	Cipher  Cipher      // ActStartCiphering
	Kc      crypto.Kc   // ActStartCiphering
	Update  Update      // ActCommit
	Service ServiceType // ActMMConnection
	Query   Query       // ActLookup
}

func (a Action) String() string {
	switch a.Kind {
	case ActSend:
		return fmt.Sprintf("send %v", a.Msg.MsgType())
	case ActStartCiphering:
		return fmt.Sprintf("start-ciphering %v", a.Cipher)
	case ActCommit:
		return fmt.Sprintf("commit %v %s", a.Update.Kind, a.Update.IMSI)
	case ActMMConnection:
		return fmt.Sprintf("mm-connection %v", a.Service)
	case ActLookup:
		return fmt.Sprintf("lookup %v", a.Query.Kind)
	}
	return a.Kind.String()
}

// Procedure is the MM procedure a connection was opened for.
type Procedure uint8

// Procedures.
const (
	ProcNone Procedure = iota
	ProcLocationUpdate
	ProcCMService
	ProcIMSIDetach
	ProcPaging // a mobile-terminated connection: the MS answered paging
)

func (p Procedure) String() string {
	return [...]string{"none", "location update", "CM service", "IMSI detach", "paging"}[min(int(p), 4)]
}

// Outcome is how a connection's procedure ended.
type Outcome uint8

// Outcomes.
const (
	OutcomePending       Outcome = iota // still running
	OutcomeAccepted                     // LU accepted / MM connection established
	OutcomeRejected                     // LU or CM service rejected with Result.Cause
	OutcomeAuthFailed                   // wrong SRES, or the MS refused authentication
	OutcomeTimeout                      // a timer expired (Result.Timer names it)
	OutcomeLost                         // the radio link went away (Conn.Lost)
	OutcomeDetached                     // IMSI detach processed
	OutcomeAborted                      // CM Service Abort
	OutcomeProtocolError                // undecodable or unexpected first message
)

func (o Outcome) String() string {
	return [...]string{"pending", "accepted", "rejected", "authentication failed", "timeout", "lost", "detached", "aborted", "protocol error"}[min(int(o), 8)]
}

// Result is what a connection did, for logs, the registry and the
// simulator's table.
type Result struct {
	Procedure     Procedure
	Type          LUType
	Service       ServiceType
	Outcome       Outcome
	Cause         Cause  // with OutcomeRejected (and the cause sent in other releases)
	Timer         string // with OutcomeTimeout: "T3250", "T3260", "T3270", "guard"
	IMSI          string // "" if never learned
	MSISDN        string
	TMSI          uint32 // the TMSI allocated (NoTMSI if none)
	TMSIConfirmed bool   // the MS confirmed TMSI
	Authenticated bool
	// KeyReused: ciphered with the key of an earlier authentication
	// (Config.Keys), not authenticated on this connection.
	KeyReused bool
	Cipher    Cipher
	Ciphered  bool
}

type state uint8

const (
	stIdle state = iota
	stWaitIdentity
	stWaitIMEI
	stWaitAuth
	stWaitClassmark
	stWaitCipher
	stWaitTMSIComplete
	stConnected // MM connection (or follow-on) active
	stReleased
	stWaitRegistry // an ActLookup is out
)

var stateNames = [...]string{"idle", "wait-identity", "wait-imei", "wait-auth", "wait-classmark", "wait-cipher", "wait-tmsi-complete", "connected", "released", "wait-registry"}

// cont is what a Conn does with the answer to its registry query.
type cont uint8

const (
	contNone cont = iota
	contIdentifyTMSI
	contDetachTMSI
	contDecide
	contAuthVector
	contAllocateLU
	contReallocate
)

// Conn is the network side of MM for one MS on one dedicated channel (TS
// 24.008 §4, the network's view): location updating with identification,
// authentication, ciphering, TMSI allocation and MM Information; IMSI
// detach; CM service requests; TMSI reallocation.
//
// Conn is a pure state machine: events in (uplink MM messages, ciphering
// and classmark results from RR, the time), actions out. Every event
// method takes now, the current time: virtual time in the simulator, the
// wall clock on air. Timers T3250, T3260, T3270 and the guard are
// deadlines against now; the caller calls Tick at or after Deadline. The
// action slice returned by an event method is valid until the next call.
// Conn is not safe for concurrent use.
type Conn struct {
	cfg  *Config
	reg  Registry
	rand io.Reader

	st       state
	deadline time.Time
	timer    string
	dup      DuplicateFilter
	acts     []Action
	res      Result

	lai      l3.LAI // the MS's previous LAI (from its request)
	followOn bool
	cm1      l3.Classmark1
	cm2      l3.Classmark2
	cm3      l3.Classmark3
	hasCM2   bool
	hasCM3   bool
	askedCM  bool
	hasKey   bool
	cksn     uint8
	msCKSN   uint8
	sres     crypto.SRES
	kc       crypto.Kc
	newTMSI  uint32

	// The registry query in flight (async mode: reg is nil).
	waiting  cont
	waitFrom state
	seq      uint32
	detach   time.Time   // contDetachTMSI: the detach's time
	chal     crypto.RAND // contAuthVector: the RAND asked about
}

// NewConn returns a Conn for a new dedicated channel. cfg is shared and
// must not change while Conns use it; reg answers lookups; rand supplies
// the RAND challenges (crypto/rand.Reader on air, a seeded source in
// tests).
//
// With reg nil the Conn is asynchronous: every registry question comes
// out as an ActLookup action and the Conn waits, under the guard timer,
// for its Answer. The owner can then run the registry on a worker, or
// reach an HLR over the network, without blocking its loop.
func NewConn(cfg *Config, reg Registry, rand io.Reader) *Conn {
	return &Conn{cfg: cfg, reg: reg, rand: rand, res: Result{TMSI: NoTMSI}, newTMSI: NoTMSI, cksn: CKSNNone}
}

// Result returns what the connection has done so far.
func (c *Conn) Result() Result { return c.res }

// Done reports whether the connection has been released.
func (c *Conn) Done() bool { return c.st == stReleased }

// State returns the state's name, for logs.
func (c *Conn) State() string { return stateNames[c.st] }

// Deadline returns the time of the running timer, if any.
func (c *Conn) Deadline() (time.Time, bool) {
	return c.deadline, !c.deadline.IsZero() && c.st != stReleased
}

func (c *Conn) start(now time.Time, d time.Duration, name string) {
	c.deadline, c.timer = now.Add(d), name
}

func (c *Conn) stop() { c.deadline, c.timer = time.Time{}, "" }

func (c *Conn) begin() { c.acts = c.acts[:0] }

func (c *Conn) send(m Message) { c.acts = append(c.acts, Action{Kind: ActSend, Msg: m}) }

func (c *Conn) commit(u Update) { c.acts = append(c.acts, Action{Kind: ActCommit, Update: u}) }

func (c *Conn) release(o Outcome) {
	if c.res.Outcome == OutcomePending {
		c.res.Outcome = o
	}
	c.st = stReleased
	c.stop()
	c.kc.Zero()
	c.acts = append(c.acts, Action{Kind: ActRelease})
}

// status answers a message that is wrong for the state or undecodable
// with MM Status (TS 24.008 §8).
func (c *Conn) status(cause Cause) { c.send(&MMStatus{Cause: cause}) }

// reject ends the running procedure with its reject message.
func (c *Conn) reject(cause Cause) {
	c.res.Cause = cause
	switch c.res.Procedure {
	case ProcLocationUpdate:
		c.send(&LocationUpdatingReject{Cause: cause})
	case ProcCMService:
		c.send(&CMServiceReject{Cause: cause})
	}
	c.release(OutcomeRejected)
}

// Handle processes one uplink L3 message of the MM+CC+SS flow on SAPI 0.
// Messages of other protocols are ignored (the caller routes them);
// duplicates (N(SD), TS 24.007 §11.2.3.2.3) are dropped.
func (c *Conn) Handle(now time.Time, b []byte) []Action {
	c.begin()
	if c.st == stReleased {
		return c.acts
	}
	t, _, err := Peek(b)
	if err != nil {
		if errors.Is(err, ErrPD) || errors.Is(err, ErrSkip) || c.st != stIdle {
			return c.acts
		}
		c.release(OutcomeProtocolError)
		return c.acts
	}
	if !c.dup.Accept(b) {
		return c.acts
	}
	m := newMessage(t)
	if m == nil {
		if c.st == stIdle {
			c.release(OutcomeProtocolError)
		} else {
			c.status(CauseMsgTypeNonExistent)
		}
		return c.acts
	}
	if err := m.Unmarshal(b); err != nil {
		c.badMessage(t)
		return c.acts
	}
	c.handle(now, m)
	return c.acts
}

// HandleMessage processes an already decoded uplink MM message (no
// duplicate detection: use Handle for bytes from the air).
func (c *Conn) HandleMessage(now time.Time, m Message) []Action {
	c.begin()
	if c.st != stReleased {
		c.handle(now, m)
	}
	return c.acts
}

// badMessage handles a message with invalid mandatory information (TS
// 24.008 §8.5): an initial LU or CM service request is rejected with #96;
// otherwise MM Status #96.
func (c *Conn) badMessage(t MsgType) {
	if c.st != stIdle {
		c.status(CauseInvalidMandatoryInfo)
		return
	}
	switch t {
	case MsgLocationUpdatingRequest:
		c.res.Procedure = ProcLocationUpdate
		c.reject(CauseInvalidMandatoryInfo)
	case MsgCMServiceRequest:
		c.res.Procedure = ProcCMService
		c.reject(CauseInvalidMandatoryInfo)
	default:
		c.release(OutcomeProtocolError)
	}
}

func (c *Conn) handle(now time.Time, m Message) {
	switch m := m.(type) {
	case *LocationUpdatingRequest:
		if c.st != stIdle {
			c.status(CauseMsgTypeNotCompatible)
			return
		}
		c.onLURequest(now, m)
	case *CMServiceRequest:
		if c.st != stIdle && c.st != stConnected {
			c.status(CauseMsgTypeNotCompatible)
			return
		}
		c.onCMServiceRequest(now, m)
	case *IMSIDetachIndication:
		c.onDetach(now, m)
	case *IdentityResponse:
		c.onIdentityResponse(now, m)
	case *AuthenticationResponse:
		if c.st != stWaitAuth {
			c.status(CauseMsgTypeNotCompatible)
			return
		}
		c.stop()
		if !crypto.VerifySRES(c.sres, m.SRES) {
			if c.cfg.Keys != nil {
				c.cfg.Keys.Forget(c.res.IMSI)
			}
			c.send(&AuthenticationReject{})
			c.res.Cause = CauseIllegalMS
			c.release(OutcomeAuthFailed)
			return
		}
		c.res.Authenticated = true
		if c.cfg.Keys != nil && c.cfg.authEvery() > 1 {
			c.cfg.Keys.put(c.res.IMSI, c.cksn, c.kc, now)
		}
		c.afterAuth(now)
	case *AuthenticationFailure:
		if c.st != stWaitAuth {
			c.status(CauseMsgTypeNotCompatible)
			return
		}
		// GSM authentication carries no AUTN, so the MS has nothing to
		// verify; a failure (#23 GSM authentication unacceptable from a
		// USIM that insists on UMTS AKA) ends the procedure (§4.3.2.6).
		c.res.Cause = m.Cause
		c.release(OutcomeAuthFailed)
	case *TMSIReallocationComplete:
		if c.st != stWaitTMSIComplete {
			c.status(CauseMsgTypeNotCompatible)
			return
		}
		c.stop()
		c.commit(Update{Kind: UpdateTMSI, IMSI: c.res.IMSI, LAI: c.cfg.LAI, NewTMSI: c.newTMSI, Time: now})
		c.res.TMSIConfirmed = true
		c.finish()
	case *CMServiceAbort:
		c.release(OutcomeAborted)
	case *MMStatus:
		// Informational (TS 24.008 §8): the MS reports an error in one
		// of our messages. The running procedure's timer handles it.
	default:
		c.status(CauseMsgTypeNotCompatible)
	}
}

func (c *Conn) learnClassmark1(cm l3.Classmark1) {
	c.cm1 = cm
	c.dup.R98 = cm.Revision < 2
}

func (c *Conn) onLURequest(now time.Time, m *LocationUpdatingRequest) {
	c.res.Procedure, c.res.Type = ProcLocationUpdate, m.Type
	c.lai, c.followOn, c.msCKSN = m.LAI, m.FollowOn, m.CKSN
	c.learnClassmark1(m.Classmark1)
	if m.HasClassmark {
		c.cm2, c.hasCM2 = m.Classmark2, true
	}
	c.identify(now, m.Identity)
}

func (c *Conn) onCMServiceRequest(now time.Time, m *CMServiceRequest) {
	c.res.Procedure, c.res.Service, c.msCKSN = ProcCMService, m.Service, m.CKSN
	c.learnClassmark1(m.Classmark2.Classmark1)
	c.cm2, c.hasCM2 = m.Classmark2, true
	if c.st == stConnected && c.res.IMSI != "" {
		// A further MM connection on a connection already
		// authenticated (follow-on, or a second service such as an SMS
		// during a call). Ciphering, if any, is already on, so nothing
		// else can stand for the acceptance: CM Service Accept (TS
		// 24.008 §4.5.1.1).
		c.send(&CMServiceAccept{})
		c.res.Outcome = OutcomeAccepted
		c.acts = append(c.acts, Action{Kind: ActMMConnection, Service: m.Service})
		return
	}
	if m.Service == ServiceEmergencyCall && !c.cfg.EmergencyCalls {
		c.reject(CauseServiceNotSupported)
		return
	}
	c.identify(now, m.Identity)
}

// emergency reports whether the running request is an emergency call the
// configuration accepts from any MS; it then accepts it unauthenticated
// and reports whether it did.
func (c *Conn) emergency() bool {
	if c.res.Procedure != ProcCMService || c.res.Service != ServiceEmergencyCall || !c.cfg.EmergencyCalls {
		return false
	}
	c.acceptService()
	return true
}

// identify resolves the MS's identity to an IMSI (TS 24.008 §4.3.3).
func (c *Conn) identify(now time.Time, id l3.MobileIdentity) {
	switch id.Type {
	case l3.IdentityIMSI:
		c.res.IMSI = id.Digits
		c.identified(now)
	case l3.IdentityTMSI:
		// A TMSI only means something in the network that allocated it
		// (TS 23.003 §2.4): one the MS brings from another PLMN is
		// unknown here even if the same number is in use.
		if c.res.Procedure == ProcLocationUpdate && c.lai.PLMN != c.cfg.LAI.PLMN {
			c.unknownTMSI(now)
			return
		}
		c.lookup(now, contIdentifyTMSI, Query{Kind: QueryIMSIByTMSI, TMSI: id.TMSI})
	default:
		if c.emergency() {
			return
		}
		c.reject(CauseInvalidMandatoryInfo)
	}
}

// unknownTMSI goes on with a TMSI the registry does not know.
func (c *Conn) unknownTMSI(now time.Time) {
	if c.res.Procedure == ProcPaging {
		c.release(OutcomeRejected)
		return
	}
	if c.emergency() {
		return
	}
	if c.res.Procedure == ProcCMService {
		// §4.5.1.1: an unknown TMSI in a CM service request is
		// answered with #4, after which the MS does a location
		// update.
		c.reject(CauseIMSIUnknownInVLR)
		return
	}
	c.send(&IdentityRequest{Type: IdentityIMSI})
	c.st = stWaitIdentity
	c.start(now, orDefault(c.cfg.T3270, T3270Default), "T3270")
}

// lookup asks the registry q and goes on with k: at once with a
// Registry, else through an ActLookup and Answer.
func (c *Conn) lookup(now time.Time, k cont, q Query) {
	c.seq++
	q.Seq = c.seq
	if c.reg != nil {
		c.answered(now, k, Resolve(c.reg, q))
		return
	}
	c.waiting, c.waitFrom = k, c.st
	c.st = stWaitRegistry
	c.start(now, orDefault(c.cfg.Guard, GuardDefault), "registry")
	c.acts = append(c.acts, Action{Kind: ActLookup, Query: q})
}

// Answer passes the registry's answer to the ActLookup the Conn is
// waiting for. An answer to another query (late, after a timeout or
// release) is ignored.
func (c *Conn) Answer(now time.Time, a Answer) []Action {
	c.begin()
	if c.st != stWaitRegistry || a.Seq != c.seq {
		return c.acts
	}
	k := c.waiting
	c.waiting = contNone
	c.st = c.waitFrom
	c.stop()
	c.answered(now, k, a)
	return c.acts
}

// Waiting reports whether the Conn waits for a registry answer.
func (c *Conn) Waiting() bool { return c.st == stWaitRegistry }

func (c *Conn) answered(now time.Time, k cont, a Answer) {
	switch k {
	case contIdentifyTMSI:
		if a.OK {
			c.res.IMSI = a.IMSI
			c.identified(now)
			return
		}
		c.unknownTMSI(now)
	case contDetachTMSI:
		c.detached(a.IMSI, c.detach)
	case contDecide:
		c.decided(now, a.Decision)
	case contAuthVector:
		c.authVector(now, a)
	case contAllocateLU:
		if a.Err != nil {
			c.reject(CauseNetworkFailure)
			return
		}
		c.accepted(now, a.TMSI)
	case contReallocate:
		if a.Err != nil {
			return
		}
		c.newTMSI, c.res.TMSI, c.res.TMSIConfirmed = a.TMSI, a.TMSI, false
		c.send(&TMSIReallocationCommand{LAI: c.cfg.LAI, Identity: l3.TMSI(a.TMSI)})
		c.st = stWaitTMSIComplete
		c.start(now, orDefault(c.cfg.T3250, T3250Default), "T3250")
	}
}

func (c *Conn) onIdentityResponse(now time.Time, m *IdentityResponse) {
	switch c.st {
	case stWaitIdentity:
		c.stop()
		if m.Identity.Type != l3.IdentityIMSI {
			c.reject(CauseInvalidMandatoryInfo)
			return
		}
		c.res.IMSI = m.Identity.Digits
		c.identified(now)
	case stWaitIMEI:
		c.stop()
		if m.Identity.Type == l3.IdentityIMEI || m.Identity.Type == l3.IdentityIMEISV {
			c.commit(Update{Kind: UpdateIMEI, IMSI: c.res.IMSI, IMEI: m.Identity, Time: now})
		}
		c.acceptLU(now)
	default:
		c.status(CauseMsgTypeNotCompatible)
	}
}

// identified runs once the IMSI is known: policy, then security.
func (c *Conn) identified(now time.Time) {
	c.lookup(now, contDecide, Query{Kind: QueryDecide, Request: Request{IMSI: c.res.IMSI, Type: c.res.Type, Service: c.res.Service, OldLAI: c.lai}})
}

func (c *Conn) decided(now time.Time, d Decision) {
	c.res.MSISDN = d.MSISDN
	if !d.Accept {
		if c.res.Procedure == ProcPaging {
			c.res.Cause = d.Cause
			c.release(OutcomeRejected)
			return
		}
		if c.emergency() {
			return
		}
		c.reject(d.Cause)
		return
	}
	c.hasKey = d.HasKey
	if !d.HasKey || c.cfg.NoAuth || c.reuseKey(now) {
		c.afterAuth(now)
		return
	}
	var r crypto.RAND
	if _, err := io.ReadFull(c.rand, r[:]); err != nil {
		c.reject(CauseNetworkFailure)
		return
	}
	c.chal = r
	c.lookup(now, contAuthVector, Query{Kind: QueryAuthVector, IMSI: c.res.IMSI, RAND: r})
}

func (c *Conn) authVector(now time.Time, a Answer) {
	if a.Err != nil {
		c.reject(CauseNetworkFailure)
		return
	}
	r := c.chal
	c.sres, c.kc = a.SRES, a.Kc
	// A new key gets a new sequence number, different from the one the
	// MS holds (TS 24.008 §4.3.2.2 and §10.5.1.2).
	c.cksn = 0
	if c.msCKSN < CKSNNone {
		c.cksn = (c.msCKSN + 1) % CKSNNone
	}
	c.send(&AuthenticationRequest{CKSN: c.cksn, RAND: r})
	c.st = stWaitAuth
	c.start(now, orDefault(c.cfg.T3260, T3260Default), "T3260")
}

// reuseKey takes the key of the subscriber's last authentication for
// this connection when the MS presents its CKSN (TS 24.008 §4.3.2.4)
// and Config allows it: the connection is then ciphered with it (A5/3,
// or A5/1 with KeyReuseA51), which the MS can only answer holding the
// same key.
func (c *Conn) reuseKey(now time.Time) bool {
	k := c.cfg.Keys
	if k == nil || c.cfg.NoCipher || c.msCKSN >= CKSNNone || !c.hasCM2 || c.cfg.authEvery() <= 1 {
		return false
	}
	alg, ok := Negotiate(c.cfg.ciphers(), MSCiphers(c.cm1, &c.cm2, nil))
	if !ok || alg == A50 || alg == A51 && !c.cfg.KeyReuseA51 {
		return false
	}
	kc, ok := k.take(c.res.IMSI, c.msCKSN, now, c.cfg.authEvery(), orDefault(c.cfg.KeyMaxAge, DefaultKeyMaxAge))
	if !ok {
		return false
	}
	c.kc, c.cksn, c.res.KeyReused = kc, c.msCKSN, true
	return true
}

// afterAuth decides ciphering (TS 24.008 §4.3.2, TS 44.018 §3.4.7).
func (c *Conn) afterAuth(now time.Time) {
	if !(c.res.Authenticated || c.res.KeyReused) || c.cfg.NoCipher {
		c.afterCipher(now)
		return
	}
	allowed := c.cfg.ciphers()
	if !c.hasCM2 && !c.askedCM && allowed&^(1<<A50|1<<A51) != 0 {
		// Classmark 1 has only the A5/1 bit; ask for Classmark 2/3
		// before choosing an algorithm above A5/1.
		c.askedCM = true
		c.acts = append(c.acts, Action{Kind: ActClassmarkEnquiry})
		c.st = stWaitClassmark
		c.start(now, orDefault(c.cfg.Guard, GuardDefault), "guard")
		return
	}
	var cm2 *l3.Classmark2
	var cm3 *l3.Classmark3
	if c.hasCM2 {
		cm2 = &c.cm2
	}
	if c.hasCM3 {
		cm3 = &c.cm3
	}
	alg, ok := Negotiate(allowed, MSCiphers(c.cm1, cm2, cm3))
	if !ok {
		c.reject(CauseNetworkFailure)
		return
	}
	c.res.Cipher = alg
	if alg == A50 {
		c.afterCipher(now)
		return
	}
	c.acts = append(c.acts, Action{Kind: ActStartCiphering, Cipher: alg, Kc: c.kc})
	c.st = stWaitCipher
	c.start(now, orDefault(c.cfg.Guard, GuardDefault), "guard")
}

// Classmark passes the MS's Classmark 2 (and 3, if it sent one) from an RR
// Classmark Change (TS 44.018 §9.1.11).
func (c *Conn) Classmark(now time.Time, cm2 l3.Classmark2, cm3 *l3.Classmark3) []Action {
	c.begin()
	c.cm2, c.hasCM2 = cm2, true
	if cm3 != nil {
		c.cm3, c.hasCM3 = *cm3, true
	}
	if c.st == stWaitClassmark {
		c.stop()
		c.afterAuth(now)
	}
	return c.acts
}

// CipheringComplete reports the RR Ciphering Mode Complete.
func (c *Conn) CipheringComplete(now time.Time) []Action {
	c.begin()
	if c.st != stWaitCipher {
		return c.acts
	}
	c.stop()
	c.res.Ciphered = true
	c.afterCipher(now)
	return c.acts
}

func (c *Conn) afterCipher(now time.Time) {
	switch c.res.Procedure {
	case ProcLocationUpdate:
		if c.cfg.RequestIMEI {
			c.send(&IdentityRequest{Type: IdentityIMEI})
			c.st = stWaitIMEI
			c.start(now, orDefault(c.cfg.T3270, T3270Default), "T3270")
			return
		}
		c.acceptLU(now)
	case ProcCMService, ProcPaging:
		c.acceptService()
	}
}

func (c *Conn) acceptService() {
	// With ciphering started, the Ciphering Mode Command already told
	// the MS its request was accepted (TS 24.008 §4.5.1.1); a paged MS
	// asked for nothing.
	if !c.res.Ciphered && c.res.Procedure == ProcCMService {
		c.send(&CMServiceAccept{})
	}
	c.res.Outcome = OutcomeAccepted
	c.st = stConnected
	c.acts = append(c.acts, Action{Kind: ActMMConnection, Service: c.res.Service})
}

func (c *Conn) acceptLU(now time.Time) {
	if !c.cfg.NoTMSI {
		c.lookup(now, contAllocateLU, Query{Kind: QueryAllocateTMSI, IMSI: c.res.IMSI})
		return
	}
	c.accepted(now, NoTMSI)
}

// accepted sends Location Updating Accept, with tmsi unless NoTMSI.
func (c *Conn) accepted(now time.Time, t uint32) {
	acc := &LocationUpdatingAccept{LAI: c.cfg.LAI, FollowOn: c.followOn && c.cfg.FollowOnProceed}
	if t != NoTMSI {
		c.newTMSI, c.res.TMSI = t, t
		acc.HasIdentity, acc.Identity = true, l3.TMSI(t)
	}
	c.send(acc)
	c.res.Outcome = OutcomeAccepted
	c.commit(Update{Kind: UpdateAttach, IMSI: c.res.IMSI, LAI: c.cfg.LAI, NewTMSI: c.newTMSI, Time: now})
	if info, ok := c.information(now); ok {
		c.send(info)
	}
	if c.newTMSI != NoTMSI {
		c.st = stWaitTMSIComplete
		c.start(now, orDefault(c.cfg.T3250, T3250Default), "T3250")
		return
	}
	c.finish()
}

// finish ends a procedure that succeeded: keep the channel for a
// follow-on request, else release.
func (c *Conn) finish() {
	if c.res.Procedure == ProcLocationUpdate && c.followOn && c.cfg.FollowOnProceed {
		c.st = stConnected
		return
	}
	if c.res.Procedure == ProcCMService || c.res.Procedure == ProcPaging {
		c.st = stConnected
		return
	}
	c.release(OutcomeAccepted)
}

// information builds MM Information from the configuration (TS 24.008
// §4.3.6).
func (c *Conn) information(now time.Time) (*MMInformation, bool) {
	m := &MMInformation{}
	if c.cfg.FullName != "" {
		m.HasFullName, m.FullName = true, NewNetworkName(c.cfg.FullName)
	}
	if c.cfg.ShortName != "" {
		m.HasShortName, m.ShortName = true, NewNetworkName(c.cfg.ShortName)
	}
	if c.cfg.SendTime {
		m.HasTimeZone, m.TimeZone = true, TimeZoneOf(now)
		m.HasUniversalTime, m.UniversalTime = true, UniversalTimeOf(now)
		if c.cfg.HasDST {
			m.HasDST, m.DST = true, c.cfg.DST
		}
	}
	return m, m.HasFullName || m.HasShortName || m.HasTimeZone
}

// Paged starts a mobile-terminated connection: RR received the Paging
// Response (TS 44.018 §9.1.25) with the MS's CKSN, Classmark 2 and
// identity. Conn identifies the subscriber, authenticates and ciphers as
// for a CM service request, then reports ActMMConnection (Service 0) for
// the CM layer to deliver the call or SMS (TS 24.008 §4.5.1.3). An
// unknown identity or a refused subscriber releases the channel.
func (c *Conn) Paged(now time.Time, cksn uint8, cm2 l3.Classmark2, id l3.MobileIdentity) []Action {
	c.begin()
	if c.st != stIdle {
		return c.acts
	}
	c.res.Procedure, c.msCKSN = ProcPaging, cksn
	c.learnClassmark1(cm2.Classmark1)
	c.cm2, c.hasCM2 = cm2, true
	c.identify(now, id)
	return c.acts
}

func (c *Conn) onDetach(now time.Time, m *IMSIDetachIndication) {
	if c.res.Procedure == ProcNone {
		c.res.Procedure = ProcIMSIDetach
	}
	c.learnClassmark1(m.Classmark1)
	imsi := ""
	switch m.Identity.Type {
	case l3.IdentityIMSI:
		imsi = m.Identity.Digits
	case l3.IdentityTMSI:
		c.detach = now
		c.lookup(now, contDetachTMSI, Query{Kind: QueryIMSIByTMSI, TMSI: m.Identity.TMSI})
		return
	}
	c.detached(imsi, now)
}

// detached records an IMSI detach of imsi ("" if unknown) and releases.
func (c *Conn) detached(imsi string, now time.Time) {
	if imsi != "" {
		c.res.IMSI = imsi
		c.commit(Update{Kind: UpdateDetach, IMSI: imsi, Time: now})
	}
	// No answer to an IMSI detach (TS 24.008 §4.3.4.3); release.
	c.res.Outcome = OutcomeDetached
	c.release(OutcomeDetached)
}

// ReallocateTMSI starts the TMSI reallocation procedure (TS 24.008
// §4.3.1) on an established MM connection (state connected): a new TMSI
// in a TMSI Reallocation Command, confirmed by TMSI Reallocation Complete
// under T3250. It does nothing in other states.
func (c *Conn) ReallocateTMSI(now time.Time) []Action {
	c.begin()
	if c.st != stConnected || c.res.IMSI == "" {
		return c.acts
	}
	c.lookup(now, contReallocate, Query{Kind: QueryAllocateTMSI, IMSI: c.res.IMSI})
	return c.acts
}

// Tick expires the running timer if now is at or past its deadline (TS
// 24.008 §4.3.1.5, §4.3.2.7, §4.3.3.6): the procedure is abandoned and
// the channel released. An unconfirmed TMSI stays pending in the
// registry, which then answers to both TMSIs (§4.3.1.5).
func (c *Conn) Tick(now time.Time) []Action {
	c.begin()
	if c.st == stReleased || c.deadline.IsZero() || now.Before(c.deadline) {
		return c.acts
	}
	name := c.timer
	c.stop()
	switch c.st {
	case stWaitClassmark:
		// Cipher with what Classmark 1 says rather than fail.
		c.afterAuth(now)
	case stWaitTMSIComplete:
		c.res.Timer = name
		if c.res.Procedure == ProcCMService || c.res.Procedure == ProcPaging {
			c.st = stConnected
			return c.acts
		}
		c.release(OutcomeAccepted)
	default:
		if c.st == stWaitCipher && c.res.KeyReused && c.cfg.Keys != nil {
			// The MS did not cipher with the key it named: the next
			// connection authenticates.
			c.cfg.Keys.Forget(c.res.IMSI)
		}
		c.res.Timer = name
		c.release(OutcomeTimeout)
	}
	return c.acts
}

// Lost tells Conn the channel is gone (radio link failure, LAPDm
// release): the procedure ends without further messages.
func (c *Conn) Lost(now time.Time) []Action {
	c.begin()
	if c.st == stReleased {
		return c.acts
	}
	o := OutcomeLost
	if c.res.Outcome != OutcomePending {
		o = c.res.Outcome
	}
	c.release(o)
	c.acts = c.acts[:0] // the channel is already gone: nothing to release
	return c.acts
}
