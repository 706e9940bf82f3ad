package ms

import (
	"slices"
	"time"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/sms/cp"
	"github.com/gsmbox/gsmbox/gsm/sms/rp"
	"github.com/gsmbox/gsmbox/gsm/sms/tp"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// SAPI3Upper is implemented by an Upper that uses SAPI 3 of the main
// signalling link (SMS, TS 24.011 §2.3). The Phone calls it on its own
// goroutine, on the per-frame path; it must not block.
type SAPI3Upper interface {
	// DataSAPI3 handles an L3 message received on SAPI 3.
	DataSAPI3(msg []byte, link SAPI3Sender)
	// Dedicated is called once per frame in dedicated mode once SAPI 0
	// is established, so the Upper can start its own transfers.
	Dedicated(link SAPI3Sender)
}

// SAPI3Sender sends on SAPI 3, establishing it first if needed (TS 44.006
// §5.4.1: the MS establishes SAPI 3 for mobile-originated SMS).
type SAPI3Sender interface {
	SendSAPI3(msg []byte) error
	// SendSAPI0 sends an L3 message on the main signalling link.
	SendSAPI0(msg []byte) error
}

// SendSAPI0 implements SAPI3Sender.
func (p *Phone) SendSAPI0(msg []byte) error { return p.send(msg) }

// SendSAPI3 implements SAPI3Sender: it queues msg on SAPI 3 of the
// dedicated channel, establishing the link first if it is idle.
func (p *Phone) SendSAPI3(msg []byte) error {
	if p.state != StateDedicated {
		return nil
	}
	e := p.ded.link.Entity(3)
	if e.State() == lapdm.StateIdle {
		if err := e.Establish(nil); err != nil {
			return err
		}
	}
	return e.Send(msg)
}

// sapi3 hands a SAPI 3 message to the Upper.
func (p *Phone) sapi3(msg []byte) {
	if u, ok := p.cfg.Upper.(SAPI3Upper); ok {
		u.DataSAPI3(msg, p)
	}
}

// dedicatedUpper gives a SAPI 3 Upper its turn in dedicated mode.
func (p *Phone) dedicatedUpper() {
	if p.state != StateDedicated || !p.ded.established {
		return
	}
	if u, ok := p.cfg.Upper.(SAPI3Upper); ok {
		u.Dedicated(p)
	}
}

// SMSConfig sets a phone's short message service.
type SMSConfig struct {
	// SCAddress is the service centre's number (RP-Destination Address
	// of mobile-originated RP-DATA, TS 24.011 §7.3.1.2).
	SCAddress string
	// StatusReports asks for a status report with every message (TP-SRR).
	StatusReports bool
	// CP sets TC1* and retransmissions.
	CP cp.Config
	// MaxTries is how often a message that got no RP answer is sent
	// again (on later connections) before the phone gives up; 0 means 5.
	MaxTries int
}

// Sent is the outcome of one message sent.
type Sent struct {
	Tag      uint64
	Part     int // 1-based part, of Parts
	Parts    int
	Accepted bool     // RP-ACK
	Cause    rp.Cause // RP-ERROR's cause, or 0 when given up without answer
}

// Received is one message in a phone's inbox (whole: a concatenated
// message shows once all its parts arrived).
type Received struct {
	From string
	// Text is the text of a GSM 7-bit or UCS2 message; Data the octets
	// of an 8-bit one.
	Text  string
	Data  []byte
	SCTS  time.Time
	Parts int
	At    time.Time // when the last part arrived (the phone's time)
}

// SMSStats counts a phone's SMS traffic.
type SMSStats struct {
	PartsSent     uint64 // RP-DATA sent (each try)
	PartsAccepted uint64
	PartsRefused  uint64
	PartsGivenUp  uint64
	PartsReceived uint64 // SMS-DELIVERs acknowledged
	Duplicates    uint64 // SMS-DELIVERs received again (acknowledged, not shown)
	StatusReports uint64
	Messages      uint64 // whole messages in the inbox
	Malformed     uint64 // downlink RP/TP the phone refused
}

type smsOut struct {
	tag         uint64
	part, parts int
	tpdu        []byte
	tries       int
}

// SMS is the Upper of a phone with short messages: MM (embedded) and the
// MS side of the short message service (TS 24.011 §5, §6; TS 23.040): an
// outbox of SMS-SUBMITs sent one transaction at a time after a CM service
// request for SMS, and SMS-DELIVERs and status reports received in
// transactions the network opens, acknowledged with CP-ACK and RP-ACK as
// a handset does, reassembled, with duplicates shown once. It is pure and
// runs on the phone's goroutine like MM.
type SMS struct {
	*MM
	cfg SMSConfig
	// next is the layer SMS hands on what is not SMS or USSD (ticks,
	// other L3, releases, camping, connection wishes): the phone's call
	// control in a Handset, else MM itself.
	next Upper

	out    []smsOut
	cur    *cp.Entity // the MO transaction in flight
	curMR  uint8
	nextTI uint8
	rpMR   uint8
	tpMR   uint8
	mt     [7]*cp.Entity // network-opened transactions by TI
	reasm  *tp.Reassembler
	seen   map[string]struct{}
	link   SAPI3Sender
	attach bool // switched off since: attach when camped again
	// askedMM: a CM Service Request for SMS went out on a connection
	// that carries another MM connection (a call).
	askedMM bool
	ussd    ussdState

	// Inbox holds the whole messages received, oldest first.
	Inbox []Received
	// OnSent, OnReceived and OnReport, when set, are called on the
	// phone's goroutine as things happen.
	OnSent     func(Sent)
	OnReceived func(Received)
	OnReport   func(tp.StatusReport)
	// OnPart, when set, is called with every new part of a concatenated
	// message as it arrives (before the whole is put together).
	OnPart func(from string, c tp.Concat)
	Stats  SMSStats
}

var (
	_ Upper      = (*SMS)(nil)
	_ SAPI3Upper = (*SMS)(nil)
	_ Registrar  = (*SMS)(nil)
)

// NewSMS returns the Upper of a phone with SMS over mm.
func NewSMS(u *MM, cfg SMSConfig) *SMS {
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 5
	}
	return &SMS{MM: u, cfg: cfg, reasm: tp.NewReassembler(tp.ReassemblyConfig{}), seen: map[string]struct{}{}}
}

// Send queues text for to, split into as many parts as it takes (GSM
// 7-bit, or UCS2 when the text needs it or ucs2 is set). Every part is
// reported through OnSent with tag. It returns the number of parts.
func (s *SMS) Send(to, text string, ucs2 bool, tag uint64) (int, error) {
	parts, err := tp.EncodeText(text, tp.TextOptions{Ref: uint16(tag), UCS2: ucs2})
	if err != nil {
		return 0, err
	}
	return s.queue(to, parts, tag)
}

// SendData queues 8-bit data for the number to (TS 23.038 §4: DCS
// 8-bit data), in as many parts as it takes; see Send.
func (s *SMS) SendData(to string, data []byte, tag uint64) (int, error) {
	parts, err := tp.EncodeData(data, tp.TextOptions{Ref: uint16(tag)})
	if err != nil {
		return 0, err
	}
	return s.queue(to, parts, tag)
}

// queue queues the SMS-SUBMITs of parts for to, each with its own TP-MR.
func (s *SMS) queue(to string, parts []tp.Part, tag uint64) (int, error) {
	for i, p := range parts {
		sub := tp.Submit{MR: s.tpMR, DA: tp.Number(to), DCS: p.DCS, UD: p.UD, StatusReportRequest: s.cfg.StatusReports}
		s.tpMR++
		b, err := tp.Marshal(&sub)
		if err != nil {
			return 0, err
		}
		s.out = append(s.out, smsOut{tag: tag, part: i + 1, parts: len(parts), tpdu: b})
	}
	return len(parts), nil
}

// Outbox returns the number of parts waiting to be sent.
func (s *SMS) Outbox() int { return len(s.out) }

// WantsConnection implements Upper: a CM service request for SMS when
// the outbox has something and MM is free.
func (s *SMS) WantsConnection() (rr.EstCause, bool) {
	if s.initial == nil && len(s.out) > 0 && s.MM.Registered() && !s.MS.Busy() {
		s.askedMM = false
		s.MM.actions(s.MS.RequestService(s.Now(), s.lai, mm.ServiceSMS))
	} else if s.initial == nil && len(s.ussd.dial) > 0 && s.MM.Registered() && !s.MS.Busy() {
		s.MM.actions(s.MS.RequestService(s.Now(), s.lai, mm.ServiceSS))
	}
	return s.up().WantsConnection()
}

// Tick implements Upper: MM's timers and TC1*.
func (s *SMS) Tick(fn tdma.FN) bool {
	abort := s.up().Tick(fn)
	now := s.Now()
	if s.cur != nil {
		if d, ok := s.cur.Deadline(); ok && !now.Before(d) {
			s.moActions(s.cur.Tick(now))
		}
	}
	for i, e := range s.mt {
		if e == nil {
			continue
		}
		if d, ok := e.Deadline(); ok && !now.Before(d) {
			s.mtActions(uint8(i), e.Tick(now))
		}
	}
	return abort
}

// Dedicated implements SAPI3Upper: the next part goes out once the MM
// connection for SMS is up.
//
// Each CM entity needs an MM connection of its own (TS 24.008 §4.5.1):
// on a connection the phone opened for SMS that is the one it asked for;
// on a call's connection the phone asks for one more with a CM Service
// Request for SMS on SAPI 0 (§4.5.1.1), and the SMS goes on SAPI 3 of
// the same channel (on a TCH/F, the SACCH: TS 44.006 §4.1.2) once the
// network accepts it.
func (s *SMS) Dedicated(link SAPI3Sender) {
	s.link = link
	s.ussdDial(link)
	if s.cur != nil || len(s.out) == 0 || !s.MS.Connected() {
		return
	}
	if !s.MS.HasConnection(mm.ServiceSMS) {
		if s.askedMM {
			// Refused (the MM connections already up go on): the
			// part counts as refused.
			s.askedMM = false
			s.Stats.PartsRefused++
			s.done(false, 0)
			return
		}
		s.askedMM = true
		s.MM.send = link.SendSAPI0
		s.MM.actions(s.MS.RequestService(s.Now(), s.lai, mm.ServiceSMS))
		s.MM.send = nil
		return
	}
	s.askedMM = false
	o := &s.out[0]
	e, err := cp.NewEntity(s.cfg.CP, s.nextTI, true)
	if err != nil {
		return
	}
	s.nextTI = (s.nextTI + 1) % 7
	rpdu, err := rp.Marshal(&rp.Data{MR: s.rpMR, Destination: rp.Number(s.cfg.SCAddress), UserData: o.tpdu})
	if err != nil {
		s.out = s.out[1:]
		return
	}
	acts, err := e.Send(s.Now(), rpdu)
	if err != nil {
		return
	}
	s.cur, s.curMR = e, s.rpMR
	s.rpMR++
	o.tries++
	s.Stats.PartsSent++
	s.moActions(acts)
}

func (s *SMS) send3(msg []byte) {
	if s.link != nil {
		_ = s.link.SendSAPI3(msg)
	}
}

// DataSAPI3 implements SAPI3Upper.
func (s *SMS) DataSAPI3(msg []byte, link SAPI3Sender) {
	s.link = link
	if len(msg) < 2 || l3.PD(msg[0]&0x0f) != l3.PDSMS {
		return
	}
	flag, ti, err := cp.PeekTI(msg)
	if err != nil || ti > 6 {
		return
	}
	now := s.Now()
	if flag {
		// The network answers in our transaction.
		if s.cur != nil && s.cur.TI() == ti {
			s.moActions(s.cur.Receive(now, msg))
		}
		return
	}
	e := s.mt[ti]
	if e == nil {
		if msg[1] != 0x01 { // only a CP-DATA opens a transaction
			return
		}
		e, _ = cp.NewEntity(s.cfg.CP, ti, false)
		s.mt[ti] = e
	}
	s.mtActions(ti, e.Receive(now, msg))
}

// moActions carries out the MO entity's actions.
func (s *SMS) moActions(acts []cp.Action) {
	for _, a := range acts {
		switch a.Kind {
		case cp.ActSend:
			s.send3(a.Msg)
		case cp.ActDeliver:
			s.moAnswer(a.RPDU)
		case cp.ActError:
			// No RP answer: the part stays queued for another try.
			if len(s.out) > 0 && s.out[0].tries >= s.cfg.MaxTries {
				s.Stats.PartsGivenUp++
				s.done(false, 0)
			}
		case cp.ActRelease:
			s.cur = nil
		}
	}
}

// moAnswer handles RP-ACK or RP-ERROR for the part in flight.
func (s *SMS) moAnswer(rpdu []byte) {
	m, err := rp.Decode(rpdu)
	if err == nil && len(s.out) > 0 {
		switch m := m.(type) {
		case *rp.Ack:
			if m.MR == s.curMR {
				s.Stats.PartsAccepted++
				s.done(true, 0)
			}
		case *rp.Error:
			if m.MR == s.curMR {
				s.Stats.PartsRefused++
				s.done(false, m.Cause)
			}
		}
	}
	if s.cur != nil {
		s.moActions(s.cur.Release())
	}
}

func (s *SMS) done(ok bool, cause rp.Cause) {
	o := s.out[0]
	s.out = s.out[1:]
	if s.OnSent != nil {
		s.OnSent(Sent{Tag: o.tag, Part: o.part, Parts: o.parts, Accepted: ok, Cause: cause})
	}
}

// mtActions carries out a network-opened transaction's actions.
func (s *SMS) mtActions(ti uint8, acts []cp.Action) {
	e := s.mt[ti]
	for _, a := range acts {
		switch a.Kind {
		case cp.ActSend:
			s.send3(a.Msg)
		case cp.ActDeliver:
			ans := s.mtData(a.RPDU)
			if ans != nil && e != nil {
				if more, err := e.Send(s.Now(), ans); err == nil {
					s.mtActions(ti, more)
					s.mtActions(ti, e.Release())
				}
			}
		case cp.ActRelease:
			if s.mt[ti] == e {
				s.mt[ti] = nil
			}
		}
	}
}

// mtData takes the network's RP-DATA and returns the RP-ACK or RP-ERROR
// to answer with (nil: none).
func (s *SMS) mtData(rpdu []byte) []byte {
	m, err := rp.Decode(rpdu)
	if err != nil {
		s.Stats.Malformed++
		if len(rpdu) >= 2 {
			b, _ := rp.Marshal(&rp.Error{MR: rpdu[1], Cause: rp.CauseFor(err)})
			return b
		}
		return nil
	}
	d, ok := m.(*rp.Data)
	if !ok || !d.Downlink {
		s.Stats.Malformed++
		return nil
	}
	refuse := func(err error) []byte {
		s.Stats.Malformed++
		b, _ := rp.Marshal(&rp.Error{MR: d.MR, Cause: rp.CauseInvalidMandatoryInfo})
		return b
	}
	t, err := tp.DecodeSC(d.UserData, tp.InRPData)
	if err != nil {
		return refuse(err)
	}
	ack, _ := rp.Marshal(&rp.Ack{MR: d.MR})
	switch t := t.(type) {
	case *tp.StatusReport:
		s.Stats.StatusReports++
		if s.OnReport != nil {
			s.OnReport(*t)
		}
		return ack
	case *tp.Deliver:
		c, err := t.UD.Decode(t.DCS)
		if err != nil {
			return refuse(err)
		}
		// The same message again (the network did not get our RP-ACK)
		// has the same originator, time stamp and user data; TP-MMS may
		// differ between the two deliveries.
		var ts [tp.TimestampLen]byte
		t.SCTS.MarshalTo(ts[:])
		key := t.OA.String() + "\x00" + string(ts[:]) + string([]byte{t.PID, byte(t.DCS), t.UD.Length}) + string(t.UD.Octets)
		if _, dup := s.seen[key]; dup {
			s.Stats.Duplicates++
			return ack
		}
		s.seen[key] = struct{}{}
		s.Stats.PartsReceived++
		if cc, ok := c.Header.Concat(); ok && s.OnPart != nil {
			s.OnPart(t.OA.String(), cc)
		}
		now := s.Now()
		// 8-bit data aliases the received frame, which the next one
		// overwrites: a part kept for reassembly needs its own copy.
		c.Data = slices.Clone(c.Data)
		whole, done, err := s.reasm.Add(now, t.OA.String(), c)
		if err != nil || !done {
			return ack
		}
		scts, _ := t.SCTS.Time()
		parts := 1
		if cc, ok := c.Header.Concat(); ok {
			parts = int(cc.Total)
		}
		r := Received{From: t.OA.String(), Text: whole.Text, Data: whole.Data, SCTS: scts, Parts: parts, At: now}
		s.Inbox = append(s.Inbox, r)
		s.Stats.Messages++
		if s.OnReceived != nil {
			s.OnReceived(r)
		}
		return ack
	}
	return refuse(tp.ErrType)
}

// Released implements Upper: transactions end with the connection; a
// part without an answer stays in the outbox.
func (s *SMS) Released(normal bool) {
	s.cur, s.askedMM = nil, false
	s.mt = [7]*cp.Entity{}
	s.link = nil
	s.ussd.open, s.ussd.used = false, false
	s.up().Released(normal)
}

// PoweredOff implements PoweredOffer: MM starts afresh (the SIM keeps its
// TMSI and location), transactions in flight are gone, the outbox and
// inbox stay (they are the handset's memory), and the next camping does
// an IMSI attach.
func (s *SMS) PoweredOff() {
	m := s.MM
	m.MS = mm.NewMS(m.cfg, m.MS.SIM)
	m.initial, m.abort, m.camped, m.send = nil, false, false, nil
	s.cur, s.mt, s.link = nil, [7]*cp.Entity{}, nil
	s.attach = true
	s.ussd.open, s.ussd.used = false, false
}

// Camped implements Upper: after a power cycle the phone attaches (IMSI
// attach, or a normal update where it is not updated).
func (s *SMS) Camped(lai l3.LAI, t3212 uint8) {
	s.up().Camped(lai, t3212)
	if s.attach && !s.MS.Busy() && s.initial == nil {
		s.attach = false
		s.MM.actions(s.MS.LocationUpdate(s.Now(), lai, s.MS.UpdateType(lai)))
	}
}

// SetNextMR sets the TP-MR of the next part Send queues. A handset keeps
// the last one on its SIM (TS 31.102 EF SMSS) and a message waiting in
// its outbox keeps its own across a power cycle, so that a resend is
// recognisably the same message.
func (s *SMS) SetNextMR(mr uint8) { s.tpMR = mr }

// up is the layer below SMS in the chain: next, or MM.
func (s *SMS) up() Upper {
	if s.next != nil {
		return s.next
	}
	return s.MM
}
