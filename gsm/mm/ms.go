package mm

import (
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// MS timer defaults (TS 24.008 §11.2.1, table 11.1).
const (
	T3210Default = 20 * time.Second // LU request sent → accept/reject
	T3211Default = 15 * time.Second // LU failure → retry
	T3213Default = 4 * time.Second  // random access failure → retry
	T3240Default = 10 * time.Second // accept/reject received → network releases
	// MaxLUAttempts is the attempt counter limit of TS 24.008 §4.4.4.9.
	MaxLUAttempts = 4
)

// MSConfig describes the mobile equipment.
type MSConfig struct {
	Classmark1 l3.Classmark1
	// Classmark2 is sent in CM Service Requests, and in Location
	// Updating Requests when SendClassmark2 is set (the "classmark for
	// UMTS" IE of an R99 phone); it also answers a classmark enquiry.
	Classmark2     l3.Classmark2
	SendClassmark2 bool
	IMEI           string // 15 digits with check digit, or 14
	IMEISV         string // 16 digits
	// T3212 is the periodic updating period (from SI3's T3212 in
	// decihours); zero disables periodic updating.
	T3212               time.Duration
	T3210, T3211, T3240 time.Duration // zero: defaults
}

// MSActionKind says what the virtual phone must do.
type MSActionKind uint8

// MS action kinds.
const (
	// MSSend: send Msg (the first one opens the RR connection, as the
	// initial message in the SABM).
	MSSend MSActionKind = iota + 1
	// MSRelease: abort the RR connection locally (a timer expired).
	MSRelease
	// MSStartLU: open an RR connection and call LocationUpdate with
	// Type (T3211 retry, T3212 periodic).
	MSStartLU
)

// MSAction is one thing MS asks its caller to do.
type MSAction struct {
	Kind MSActionKind
	Msg  Message
	Type LUType
}

type msState uint8

const (
	msIdle msState = iota
	msWaitLU
	msWaitService
	msConnected
	msWaitRelease
)

// MS is the mobile side of MM (TS 24.008 §4, the MS's view) for a virtual
// phone: location updating (normal, periodic, IMSI attach) with identity,
// authentication, ciphering key and TMSI handling, MM Information, IMSI
// detach, CM service requests, and the timers T3210, T3211, T3212 and
// T3240 as deadlines. Like Conn it is pure: every method takes now and
// returns actions; Tick at Deadline.
type MS struct {
	cfg *MSConfig
	SIM *SIM

	st       msState
	seq      SendSequence
	acts     []MSAction
	lai      l3.LAI // the cell's LAI for the running update
	luType   LUType
	attempts int
	accepted bool // the running LU was accepted
	cause    Cause

	t3210, t3211, t3212, t3240 time.Time

	// The MM connections of the RR connection by service type (bit
	// 1<<svc), the service asked for last, and whether another MM
	// connection was up when it was asked (TS 24.008 §4.5.1.1: a
	// rejected further request leaves those alone).
	conns     uint16
	asked     ServiceType
	askedMore bool

	// RequestFollowOn sets the follow-on request bit in the next
	// Location Updating Request, so that a CM service request can use
	// the same connection if the network grants follow-on proceed.
	RequestFollowOn bool

	// FullName, ShortName, TimeZone and UniversalTime hold the last MM
	// Information received (HasTime says whether the time was sent).
	FullName, ShortName string
	HasTime             bool
	UniversalTime       UniversalTime
}

// NewMS returns an idle MS with sim inserted.
func NewMS(cfg *MSConfig, sim *SIM) *MS {
	return &MS{cfg: cfg, SIM: sim, seq: SendSequence{R98: cfg.Classmark1.Revision < 2}}
}

// Registered reports whether the last location update succeeded in lai.
func (m *MS) Registered(lai l3.LAI) bool {
	return !m.SIM.Invalid && m.SIM.Status == U1Updated && m.SIM.LAI == lai
}

// LastCause returns the cause of the last reject (0 if none).
func (m *MS) LastCause() Cause { return m.cause }

// Attempts returns the location updating attempt counter of TS 24.008
// §4.4.4.9.
func (m *MS) Attempts() int { return m.attempts }

// GaveUp reports whether the attempt counter reached MaxLUAttempts with
// the update not accepted: the MS waits for T3212 (or a change of
// location area) before it tries again.
func (m *MS) GaveUp() bool { return !m.accepted && m.attempts >= MaxLUAttempts }

// Busy reports whether an RR connection is in use by MM.
func (m *MS) Busy() bool { return m.st != msIdle }

// UpdateType returns the location updating type the MS uses on a cell in
// lai at power on (TS 24.008 §4.4.3): IMSI attach if it is updated there,
// else normal.
func (m *MS) UpdateType(lai l3.LAI) LUType {
	if m.Registered(lai) {
		return LUIMSIAttach
	}
	return LUNormal
}

func (m *MS) begin() { m.acts = m.acts[:0] }

func (m *MS) send(msg Uplink) {
	msg.SetNSD(m.seq.Next())
	m.acts = append(m.acts, MSAction{Kind: MSSend, Msg: msg})
}

// Deadline returns the earliest running timer.
func (m *MS) Deadline() (time.Time, bool) {
	var d time.Time
	for _, t := range [...]time.Time{m.t3210, m.t3211, m.t3212, m.t3240} {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	return d, !d.IsZero()
}

// LocationUpdate starts a location update of type t on a cell in lai (TS
// 24.008 §4.4.4.1): the first action sends the Location Updating Request,
// which opens a new RR connection. Nothing happens while busy or with an
// invalid SIM.
func (m *MS) LocationUpdate(now time.Time, lai l3.LAI, t LUType) []MSAction {
	m.begin()
	if m.st != msIdle || m.SIM.Invalid {
		return m.acts
	}
	m.seq.Reset()
	m.conns = 0
	m.lai, m.luType, m.accepted, m.cause = lai, t, false, 0
	m.t3211, m.t3212 = time.Time{}, time.Time{}
	old := m.SIM.LAI
	if old == (l3.LAI{}) {
		// "Deleted LAI" (TS 24.008 §4.1.2.2): the cell's PLMN with the
		// reserved LAC 0xFFFE.
		old = l3.LAI{PLMN: lai.PLMN, LAC: 0xfffe}
	}
	req := &LocationUpdatingRequest{
		Type: t, CKSN: m.SIM.CKSN, LAI: old, Classmark1: m.cfg.Classmark1,
		Identity: m.SIM.Identity(old),
	}
	req.FollowOn, m.RequestFollowOn = m.RequestFollowOn, false
	if m.cfg.SendClassmark2 {
		req.HasClassmark, req.Classmark2 = true, m.cfg.Classmark2
	}
	m.send(req)
	m.st = msWaitLU
	m.t3210 = now.Add(orDefault(m.cfg.T3210, T3210Default))
	return m.acts
}

// RequestService asks for an MM connection for svc (TS 24.008 §4.5.1.1)
// on a new RR connection in lai, or on the open one after a location
// update granted follow-on proceed.
func (m *MS) RequestService(now time.Time, lai l3.LAI, svc ServiceType) []MSAction {
	m.begin()
	// An emergency call needs no valid SIM (TS 22.101 §10.1.1, TS 24.008
	// §4.5.1.5): with none the MS identifies itself by its IMEI.
	emergency := svc == ServiceEmergencyCall
	if (m.st != msIdle && m.st != msConnected) || m.SIM.Invalid && !emergency {
		return m.acts
	}
	if m.st == msIdle {
		m.seq.Reset()
		m.conns = 0
	}
	m.asked, m.askedMore = svc, m.st == msConnected && m.conns != 0
	m.lai = lai
	id := m.SIM.Identity(lai)
	cksn := m.SIM.CKSN
	if m.SIM.Invalid {
		id, cksn = l3.MobileIdentity{Type: l3.IdentityIMEI, Digits: m.cfg.IMEI}, CKSNNone
	}
	m.send(&CMServiceRequest{Service: svc, CKSN: cksn, Classmark2: m.cfg.Classmark2, Identity: id})
	m.st = msWaitService
	return m.acts
}

// Connected reports whether an MM connection is established.
func (m *MS) Connected() bool { return m.st == msConnected }

// HasConnection reports whether an MM connection for svc is established
// on the RR connection (the CM layer of svc may use it; another service
// asks for its own with RequestService, TS 24.008 §4.5.1.1).
func (m *MS) HasConnection(svc ServiceType) bool {
	return (m.st == msConnected || m.st == msWaitService) && m.conns&(1<<(svc&15)) != 0
}

// Asking reports whether a CM Service Request is waiting for its answer.
func (m *MS) Asking() bool { return m.st == msWaitService }

func (m *MS) serviceAccepted() {
	m.st = msConnected
	m.conns |= 1 << (m.asked & 15)
}

// Detach sends the IMSI Detach Indication at power off (TS 24.008
// §4.3.4.1). The caller opens an RR connection for it if none is open, and
// releases it after sending. The SIM keeps its TMSI and LAI, so the next
// power on is an IMSI attach.
func (m *MS) Detach(now time.Time) []MSAction {
	m.begin()
	if m.SIM.Invalid {
		return m.acts
	}
	if m.st == msIdle {
		m.seq.Reset()
	}
	m.send(&IMSIDetachIndication{Classmark1: m.cfg.Classmark1, Identity: m.SIM.Identity(m.SIM.LAI)})
	m.t3210, m.t3211, m.t3212, m.t3240 = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	m.st = msIdle
	return m.acts
}

// CipherKey gives the RR layer the key for a Ciphering Mode Command with
// algorithm alg (TS 44.018 §3.4.7): the Kc of the last authentication. ok
// is false if the MS has no key or does not support alg.
func (m *MS) CipherKey(alg Cipher) (crypto.Kc, bool) {
	if m.SIM.CKSN == CKSNNone || !MSCiphers(m.cfg.Classmark1, &m.cfg.Classmark2, nil).Has(alg) {
		return crypto.Kc{}, false
	}
	return m.SIM.Kc, true
}

// Handle processes one downlink MM message.
func (m *MS) Handle(now time.Time, b []byte) []MSAction {
	m.begin()
	msg, err := Decode(b)
	if err != nil {
		if t, _, perr := Peek(b); perr == nil && m.st != msIdle {
			c := CauseInvalidMandatoryInfo
			if newMessage(t) == nil {
				c = CauseMsgTypeNonExistent
			}
			m.send(&MMStatus{Cause: c})
		}
		return m.acts
	}
	switch msg := msg.(type) {
	case *IdentityRequest:
		var id l3.MobileIdentity
		switch msg.Type {
		case IdentityIMSI:
			id = l3.IMSI(m.SIM.IMSI)
		case IdentityIMEI:
			id = l3.MobileIdentity{Type: l3.IdentityIMEI, Digits: m.cfg.IMEI}
		case IdentityIMEISV:
			id = l3.MobileIdentity{Type: l3.IdentityIMEISV, Digits: m.cfg.IMEISV}
		case IdentityTMSI:
			if m.SIM.TMSI != NoTMSI {
				id = l3.TMSI(m.SIM.TMSI)
			}
		}
		if id.Validate() != nil {
			id = l3.MobileIdentity{} // "no identity" (§10.5.1.4)
		}
		m.send(&IdentityResponse{Identity: id})
	case *AuthenticationRequest:
		sres, err := m.SIM.RunGSM(msg.RAND, msg.CKSN)
		if err != nil {
			m.send(&AuthenticationFailure{Cause: CauseGSMAuthUnacceptable})
			return m.acts
		}
		m.send(&AuthenticationResponse{SRES: sres})
	case *AuthenticationReject:
		// §4.3.2.5: U3, delete TMSI, LAI, CKSN; the SIM is invalid
		// until switched off.
		m.SIM.forget()
		m.SIM.Status, m.SIM.Invalid = U3RoamingNotAllowed, true
		m.cause = CauseIllegalMS
		m.waitRelease(now)
	case *LocationUpdatingAccept:
		if m.st != msWaitLU {
			m.send(&MMStatus{Cause: CauseMsgTypeNotCompatible})
			return m.acts
		}
		m.t3210 = time.Time{}
		m.SIM.LAI, m.SIM.Status = msg.LAI, U1Updated
		m.accepted, m.attempts = true, 0
		if msg.HasIdentity {
			switch msg.Identity.Type {
			case l3.IdentityTMSI:
				m.SIM.TMSI = msg.Identity.TMSI
				m.send(&TMSIReallocationComplete{})
			case l3.IdentityIMSI:
				m.SIM.TMSI = NoTMSI
			}
		}
		if msg.FollowOn {
			m.st = msConnected
			return m.acts
		}
		m.waitRelease(now)
	case *LocationUpdatingReject:
		if m.st != msWaitLU {
			m.send(&MMStatus{Cause: CauseMsgTypeNotCompatible})
			return m.acts
		}
		m.t3210 = time.Time{}
		m.rejected(msg.Cause)
		m.waitRelease(now)
	case *TMSIReallocationCommand:
		m.SIM.LAI = msg.LAI
		switch msg.Identity.Type {
		case l3.IdentityTMSI:
			m.SIM.TMSI = msg.Identity.TMSI
		case l3.IdentityIMSI:
			m.SIM.TMSI = NoTMSI
		}
		m.send(&TMSIReallocationComplete{})
	case *MMInformation:
		if msg.HasFullName {
			m.FullName = msg.FullName.Text
		}
		if msg.HasShortName {
			m.ShortName = msg.ShortName.Text
		}
		if msg.HasUniversalTime {
			m.HasTime, m.UniversalTime = true, msg.UniversalTime
		}
	case *CMServiceAccept:
		if m.st == msWaitService {
			m.serviceAccepted()
		}
	case *CMServiceReject:
		if msg.Cause == CauseIMSIUnknownInVLR {
			// §4.5.1.1: delete the TMSI, U2, and update.
			m.SIM.TMSI, m.SIM.Status = NoTMSI, U2NotUpdated
			m.acts = append(m.acts, MSAction{Kind: MSStartLU, Type: LUNormal})
		}
		m.cause = msg.Cause
		if m.st == msWaitService && m.askedMore && msg.Cause != CauseIMSIUnknownInVLR {
			// A further request refused: the MM connections already
			// up go on (TS 24.008 §4.5.1.1).
			m.st = msConnected
			return m.acts
		}
		m.waitRelease(now)
	case *MMStatus:
		// Informational.
	default:
		m.send(&MMStatus{Cause: CauseMsgTypeNotCompatible})
	}
	return m.acts
}

// CipheringStarted tells MS the RR layer accepted a Ciphering Mode
// Command; for a CM service request it is the implicit service accept
// (TS 24.008 §4.5.1.2).
func (m *MS) CipheringStarted() {
	if m.st == msWaitService {
		m.serviceAccepted()
	}
}

// rejected applies a Location Updating Reject cause (TS 24.008 §4.4.4.7).
func (m *MS) rejected(c Cause) {
	m.cause = c
	switch c {
	case CauseIMSIUnknownInHLR, CauseIllegalMS, CauseIllegalME:
		m.SIM.forget()
		m.SIM.Status, m.SIM.Invalid = U3RoamingNotAllowed, true
	case CausePLMNNotAllowed, CauseLANotAllowed, CauseRoamingNotAllowedInLA, CauseNoSuitableCellsInLA:
		m.SIM.forget()
		m.SIM.Status = U3RoamingNotAllowed
	default:
		m.failed()
	}
}

// failed counts a failed attempt (TS 24.008 §4.4.4.9): retry after T3211
// up to MaxLUAttempts, then wait for T3212.
func (m *MS) failed() {
	m.attempts++
	if m.attempts >= MaxLUAttempts {
		m.SIM.Status = U2NotUpdated
		m.SIM.forget()
	}
}

func (m *MS) waitRelease(now time.Time) {
	m.st = msWaitRelease
	m.t3240 = now.Add(orDefault(m.cfg.T3240, T3240Default))
}

// Released tells MS the network released the RR connection (or it was
// lost). The MS goes idle and starts T3211 after a failed update or T3212
// after a successful one.
func (m *MS) Released(now time.Time) []MSAction {
	m.begin()
	wasLU := m.st == msWaitLU || (m.st == msWaitRelease && !m.accepted && m.cause == 0)
	m.st = msIdle
	m.t3210, m.t3240 = time.Time{}, time.Time{}
	if wasLU {
		m.failed()
	}
	m.idleTimers(now)
	return m.acts
}

// AccessFailed reports that the RR connection for the pending location
// update never came up: the answer to the channel request was an
// Immediate Assignment Reject, or the random access failed. TS 24.008
// §4.4.4.9 (b), (c): the update was not started, so the attempt counter
// is left alone; it is tried again after T3213 (RR holds the access back
// further while its T3122 runs).
func (m *MS) AccessFailed(now time.Time) []MSAction {
	m.begin()
	if m.st != msWaitLU {
		return m.Released(now)
	}
	m.st = msIdle
	m.t3210, m.t3240 = time.Time{}, time.Time{}
	m.t3211 = now.Add(T3213Default)
	return m.acts
}

// RRConnected tells MS that the RR connection carrying its pending Location
// Updating Request is established, so the request is sent now: T3210
// runs from here (TS 24.008 §4.4.4.1, Table 11.1: started when the
// LOCATION UPDATING REQUEST is sent). Time spent getting the channel
// (channel requests, T3122, T3213) is not the network's answer time.
func (m *MS) RRConnected(now time.Time) {
	if m.st == msWaitLU {
		m.t3210 = now.Add(orDefault(m.cfg.T3210, T3210Default))
	}
}

// RandomAccessFailed reports that the random access for the pending
// location update failed again after T3213 (TS 24.008 §4.4.4.9 (c)):
// a repeated random access failure counts as a failed attempt, so the
// attempt counter is incremented and T3211 is started, or, once the
// counter reaches MaxLUAttempts, the MS waits for T3212 not updated.
func (m *MS) RandomAccessFailed(now time.Time) []MSAction {
	m.begin()
	if m.st != msWaitLU {
		return m.Released(now)
	}
	m.st = msIdle
	m.t3210, m.t3240 = time.Time{}, time.Time{}
	m.failed()
	m.idleTimers(now)
	return m.acts
}

// idleTimers starts T3211 (retry) or T3212 (periodic) on entering idle.
func (m *MS) idleTimers(now time.Time) {
	m.t3211, m.t3212 = time.Time{}, time.Time{}
	if m.SIM.Invalid || m.SIM.Status == U3RoamingNotAllowed {
		return
	}
	if !m.accepted && m.attempts > 0 && m.attempts < MaxLUAttempts {
		m.t3211 = now.Add(orDefault(m.cfg.T3211, T3211Default))
		return
	}
	if m.cfg.T3212 > 0 {
		m.t3212 = now.Add(m.cfg.T3212)
	}
}

// Tick expires the timers due at now.
func (m *MS) Tick(now time.Time) []MSAction {
	m.begin()
	due := func(t *time.Time) bool {
		if t.IsZero() || now.Before(*t) {
			return false
		}
		*t = time.Time{}
		return true
	}
	if due(&m.t3210) {
		// §4.4.4.9 (c): abort the RR connection, count a failure.
		m.acts = append(m.acts, MSAction{Kind: MSRelease})
		m.st = msIdle
		m.failed()
		m.idleTimers(now)
	}
	if due(&m.t3240) {
		m.acts = append(m.acts, MSAction{Kind: MSRelease})
		m.st = msIdle
		m.idleTimers(now)
	}
	if due(&m.t3211) && m.st == msIdle {
		m.acts = append(m.acts, MSAction{Kind: MSStartLU, Type: m.luType})
	}
	if due(&m.t3212) && m.st == msIdle {
		t := LUPeriodic
		if m.SIM.Status != U1Updated {
			t = LUNormal
		}
		m.acts = append(m.acts, MSAction{Kind: MSStartLU, Type: t})
	}
	return m.acts
}

// AbortService abandons a requested or established MM connection with CM
// Service Abort (TS 24.008 §4.5.1.7); the network releases the channel.
func (m *MS) AbortService(now time.Time) []MSAction {
	m.begin()
	if m.st != msWaitService && m.st != msConnected {
		return m.acts
	}
	m.send(&CMServiceAbort{})
	m.waitRelease(now)
	return m.acts
}
