package core

import (
	"maps"
	"slices"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/sms/cp"
	"github.com/gsmbox/gsmbox/gsm/sms/rp"
	"github.com/gsmbox/gsmbox/gsm/sms/tp"
)

// smsConn is the SMS side of one connection: the SM-CP transactions by
// transaction identifier (TS 24.011 §5, §7), both directions at once, and
// the mobile-terminated delivery running on it.
//
// The link. SMS runs on SAPI 3 of the connection's main channel: on an
// SDCCH the cell's LAPDm link carries SAPI 3 there, on a TCH it carries it
// on the SACCH (TS 44.006 §4.1.2; gsm/lapdm's Link picks the channel), so
// the core sends rsl.DataReq with SAPI 3 on the conn's channel in both
// cases and a call's connection needs nothing more.
type smsConn struct {
	tx   map[uint8]*smsTx // by TI, +8 for the network's transactions
	rcpt *smsRcpt         // the MT delivery on this connection
	mt   *smsTx           // its transaction in flight
	mr   uint8            // the next RP message reference of ours
	idle time.Time        // nothing has run since (zero: something runs)
	// mtFailed: a delivery on this connection failed; the next waits for
	// the back-off and another connection.
	mtFailed bool
	since    time.Time // when SMS started on the connection
	// heard: the MS has sent an SM-CP message on this connection.
	heard bool
}

type smsTx struct {
	e         *cp.Entity
	key       uint8
	mo        bool
	rec       *smsc.Record // MT: the message being delivered
	mr        uint8        // MT: our RP-MR
	waitStore bool         // MO: the submit is being made durable
	lost      bool         // MO: the connection ended meanwhile
}

func (c *conn) smsc() *smsConn {
	if c.sms == nil {
		c.sms = &smsConn{tx: map[uint8]*smsTx{}, idle: c.net.now, since: c.net.now}
	}
	return c.sms
}

// smsUplink handles an SM-CP message from the MS on SAPI 3.
func (c *conn) smsUplink(msg []byte) {
	n := c.net
	s := n.sms
	if l3.PD(msg[0]&0x0f) != l3.PDSMS {
		return
	}
	flag, ti, err := cp.PeekTI(msg)
	if err != nil || ti > 6 {
		return
	}
	sc := c.smsc()
	sc.heard = true
	key := ti
	if flag {
		key |= 8
	}
	tx := sc.tx[key]
	if tx == nil {
		typ := byte(0)
		if len(msg) > 1 {
			typ = msg[1]
		}
		switch {
		case typ == cpAck || typ == cpError:
			return // no answer to these (TS 24.011 §5.3.4)
		case flag:
			// An answer in a transaction of ours that does not exist.
			c.smsCPError(msg[0], cp.CauseInvalidTI)
			return
		case typ != cpData:
			c.smsCPError(msg[0], cp.CauseMessageTypeNonExistent)
			return
		}
		e, err := cp.NewEntity(s.cfg.CP, ti, false)
		if err != nil {
			return
		}
		tx = &smsTx{e: e, key: key, mo: true}
		sc.tx[key] = tx
		sc.idle = time.Time{}
	}
	c.smsActions(tx, tx.e.Receive(n.now, msg))
	if tx.e.State() == cp.StateIdle && sc.tx[key] == tx {
		// The opening CP-DATA was refused (CP-ERROR): no transaction.
		delete(sc.tx, key)
		if len(sc.tx) == 0 && sc.rcpt == nil {
			sc.idle = n.now
		}
	}
}

// smsCPError answers a message of no transaction with CP-ERROR (TS 24.011
// §9).
func (c *conn) smsCPError(b0 byte, cause cp.Cause) {
	b, ok := answerTI(b0)
	if !ok {
		return
	}
	c.net.sms.stats.CPErrors++
	c.send(3, []byte{b, cpError, byte(cause)})
}

// smsActions carries out what a CP entity asks.
func (c *conn) smsActions(tx *smsTx, acts []cp.Action) {
	n := c.net
	sc := c.smsc()
	for _, a := range acts {
		switch a.Kind {
		case cp.ActSend:
			if len(a.Msg) > 1 && a.Msg[1] == cpError {
				n.sms.stats.CPErrors++
			}
			if !c.releasing && !c.ended {
				c.send(3, a.Msg)
			}
		case cp.ActDeliver:
			if tx.mo {
				c.smsMO(tx, a.RPDU)
			} else {
				c.smsMTAnswer(tx, a.RPDU)
			}
		case cp.ActError:
			c.log.Info("SMS transaction failed", "mo", tx.mo, "cause", a.Cause, "err", a.Err)
			if !tx.mo && sc.mt == tx && sc.rcpt != nil {
				sc.mtFailed = true
				n.smsFailed(sc.rcpt, 0)
				sc.rcpt, sc.mt = nil, nil
			}
		case cp.ActRelease:
			if sc.tx[tx.key] == tx {
				delete(sc.tx, tx.key)
			}
			if sc.mt == tx {
				sc.mt = nil
				c.smsNextMT()
			}
			if len(sc.tx) == 0 && sc.mt == nil && sc.rcpt == nil {
				sc.idle = n.now
			}
		}
	}
}

// ---- Mobile-originated ------------------------------------------------

// smsMO handles the RPDU of an MO transaction (TS 24.011 §6.3.1).
func (c *conn) smsMO(tx *smsTx, rpdu []byte) {
	n := c.net
	m, err := rp.Decode(rpdu)
	if err != nil {
		if len(rpdu) >= 2 {
			c.smsRPError(tx, rpdu[1], rp.CauseFor(err), nil)
		} else {
			c.smsActions(tx, tx.e.Abort(cp.CauseInvalidMandatoryInfo))
		}
		return
	}
	switch m := m.(type) {
	case *rp.Data:
		if m.Downlink {
			c.smsRPError(tx, m.MR, rp.CauseMessageTypeNotCompatible, nil)
			return
		}
		c.smsSubmit(tx, m)
	case *rp.SMMA:
		// The MS has memory again (TS 24.011 §7.3.2): acknowledge, and
		// deliver what waits.
		n.sms.stats.SMMA++
		c.smsRPAck(tx, m.MR)
		if msisdn, ok := n.sms.byIMSI[c.imsi]; ok {
			if rc := n.sms.rcpts[msisdn]; rc == nil || !rc.busy {
				n.smsAttempt(msisdn, true)
			}
		}
	default:
		c.smsRPError(tx, rpdu[1], rp.CauseMessageTypeNotCompatible, nil)
	}
}

func (c *conn) smsRPAck(tx *smsTx, mr uint8) {
	b, err := rp.Marshal(&rp.Ack{Downlink: true, MR: mr})
	if err != nil {
		return
	}
	c.smsAnswer(tx, b)
}

// smsRPError refuses an MO message; ud is the SMS-SUBMIT-REPORT, or nil.
func (c *conn) smsRPError(tx *smsTx, mr uint8, cause rp.Cause, ud []byte) {
	c.net.sms.stats.RPErrors++
	b, err := rp.Marshal(&rp.Error{Downlink: true, MR: mr, Cause: cause, UserData: ud})
	if err != nil {
		return
	}
	c.smsAnswer(tx, b)
}

// smsAnswer sends the network's one CP-DATA of an MO transaction and
// releases the transaction once the MS acknowledges it.
func (c *conn) smsAnswer(tx *smsTx, rpdu []byte) {
	acts, err := tx.e.Send(c.net.now, rpdu)
	if err != nil {
		return
	}
	c.smsActions(tx, acts)
	c.smsActions(tx, tx.e.Release())
}

// submitReport is the SMS-SUBMIT-REPORT for RP-ERROR with fcs (TS 23.040
// §9.2.2.2a).
func submitReport(fcs tp.FCS, now time.Time) []byte {
	b, err := tp.Marshal(&tp.SubmitReport{Error: true, FCS: fcs, SCTS: tp.TimestampOf(now)})
	if err != nil {
		return nil
	}
	return b
}

// smsSubmit takes an SMS-SUBMIT: checked, made durable, then RP-ACK.
func (c *conn) smsSubmit(tx *smsTx, d *rp.Data) {
	n := c.net
	s := n.sms
	s.stats.Received++
	t, err := tp.DecodeMS(d.UserData, tp.InRPData)
	sub, ok := t.(*tp.Submit)
	if err == nil && !ok {
		err = tp.ErrType
	}
	if err == nil {
		_, err = sub.UD.Decode(sub.DCS) // bad UDH, reserved DCS, bad packing
	}
	if err != nil {
		s.stats.Rejected++
		c.log.Info("malformed SMS-SUBMIT", "err", err)
		c.smsRPError(tx, d.MR, rp.CauseInvalidMandatoryInfo, submitReport(tp.FailureCause(err), n.now))
		return
	}
	if c.imsi == "" {
		s.stats.Rejected++
		c.smsRPError(tx, d.MR, rp.CauseUnidentifiedSubscriber, nil)
		return
	}
	dup := c.imsi + "\x00" + string(d.UserData)
	if _, ok := s.recent[dup]; ok {
		// The sender did not get our RP-ACK and sent again: the message
		// is stored already.
		s.stats.Duplicates++
		c.smsRPAck(tx, d.MR)
		return
	}
	da := sub.DA.Digits
	if sub.DA.TON == tp.TONAlphanumeric || da == "" {
		s.stats.Rejected++
		c.smsRPError(tx, d.MR, rp.CauseUnassignedNumber, nil)
		return
	}
	if len(s.msgs) >= s.cfg.MaxQueued || len(s.byTo[da]) >= s.cfg.MaxPerRecipient {
		s.stats.Rejected++
		c.smsRPError(tx, d.MR, rp.CauseResourcesUnavailable, nil)
		return
	}
	exp, has, verr := sub.VP.Expiry(n.now)
	if !has || verr != nil {
		exp = n.now.Add(s.cfg.Validity)
	}
	if lim := n.now.Add(s.cfg.MaxValidity); exp.After(lim) {
		exp = lim
	}
	rec := smsc.Record{ID: s.nextID, Kind: smsc.KindSubmit, State: smsc.Queued, FromIMSI: c.imsi, To: da,
		MR: sub.MR, SRR: sub.StatusReportRequest, TPDU: slices.Clone(d.UserData), Received: n.now, Expiry: exp}
	s.nextID++
	imsi, mr := c.imsi, d.MR
	var cause rp.Cause
	var putErr error
	tx.waitStore = true
	s.stats.StoreWrites++
	ok = n.smsJob(func() {
		from, err := s.dir.SMSByIMSI(imsi)
		switch {
		case err == ErrUnknownSubscriber:
			cause = rp.CauseUnidentifiedSubscriber
			return
		case err != nil:
			cause = rp.CauseTemporaryFailure
			return
		case from.Barred:
			cause = rp.CauseOperatorBarring // #8: the sender may not send
			return
		}
		rec.From = from.MSISDN
		if rec.From == "" {
			rec.From = imsi
		}
		to, err := s.dir.SMSByMSISDN(da)
		switch {
		case err == ErrUnknownSubscriber:
			cause = rp.CauseUnassignedNumber
			return
		case err != nil:
			cause = rp.CauseTemporaryFailure
			return
		case to.Barred:
			cause = rp.CauseCallBarred // #10: barred for the destination
			return
		}
		rec.ToIMSI = to.IMSI
		if putErr = s.cfg.Store.Put(rec); putErr != nil {
			cause = rp.CauseTemporaryFailure
		}
	}, func() {
		tx.waitStore = false
		if putErr != nil {
			s.stats.StoreFailures++
			s.stats.LastStoreErr = putErr.Error()
			n.log.Error("SMS store write failed", "err", putErr)
		}
		if cause == 0 {
			// Durable: acknowledged, queued, tried at once.
			r := rec
			s.add(&r)
			s.recent[dup] = recentSubmit{id: r.ID, at: n.now}
			s.stats.Accepted++
			if !tx.lost && !c.ended {
				c.smsRPAck(tx, mr)
			}
			n.smsAttempt(r.To, true)
			return
		}
		s.stats.Rejected++
		if !tx.lost && !c.ended {
			c.smsRPError(tx, mr, cause, nil)
		}
	})
	if !ok {
		tx.waitStore = false
		s.stats.Rejected++
		c.smsRPError(tx, d.MR, rp.CauseCongestion, nil)
	}
}

// ---- Mobile-terminated -------------------------------------------------

// smsStartMT delivers rc's messages on c, one transaction at a time.
func (n *Network) smsStartMT(c *conn, rc *smsRcpt) {
	rc.busy, rc.paging, rc.conn = true, false, c
	sc := c.smsc()
	sc.rcpt = rc
	sc.idle = time.Time{}
	c.smsNextMT()
}

// smsNextMT sends the next queued message to the connection's recipient,
// or ends the delivery when none is left.
func (c *conn) smsNextMT() {
	n := c.net
	s := n.sms
	sc := c.sms
	if sc == nil || sc.rcpt == nil || sc.mt != nil || c.releasing || c.ended {
		return
	}
	rc := sc.rcpt
	ids := s.byTo[rc.msisdn]
	if len(ids) == 0 {
		rc.busy, rc.conn = false, nil
		sc.rcpt = nil
		if len(sc.tx) == 0 {
			sc.idle = n.now
		}
		return
	}
	r := s.msgs[ids[0]]
	tpdu, err := n.smsDeliverTPDU(r, len(ids) > 1)
	if err != nil {
		// Undeliverable as stored (damaged): give it up.
		n.log.Error("cannot build SMS-DELIVER", "id", r.ID, "err", err)
		n.smsWrite(n.smsFinal(r, smsc.Failed, uint8(rp.CauseProtocolError), tp.StatusRemoteProcedureError), nil)
		c.smsNextMT()
		return
	}
	rpdu, err := rp.Marshal(&rp.Data{Downlink: true, MR: sc.mr, Originator: rp.Number(s.cfg.SCAddress), UserData: tpdu})
	if err != nil {
		n.smsWrite(n.smsFinal(r, smsc.Failed, uint8(rp.CauseProtocolError), tp.StatusRemoteProcedureError), nil)
		c.smsNextMT()
		return
	}
	ti := uint8(0)
	for ti < 7 && sc.tx[ti|8] != nil {
		ti++
	}
	if ti == 7 {
		return
	}
	e, _ := cp.NewEntity(s.cfg.CP, ti, true)
	tx := &smsTx{e: e, key: ti | 8, rec: r, mr: sc.mr}
	sc.mr++
	sc.tx[tx.key], sc.mt = tx, tx
	acts, err := e.Send(n.now, rpdu)
	if err != nil {
		delete(sc.tx, tx.key)
		sc.mt = nil
		return
	}
	c.smsActions(tx, acts)
}

// smsDeliverTPDU is what goes to the recipient: the SMS-DELIVER made from
// a stored SMS-SUBMIT (TS 23.040 §3.1), or a stored status report.
func (n *Network) smsDeliverTPDU(r *smsc.Record, more bool) ([]byte, error) {
	if r.Kind == smsc.KindStatusReport {
		return r.TPDU, nil
	}
	var sub tp.Submit
	if err := sub.Unmarshal(r.TPDU); err != nil {
		return nil, err
	}
	oa := tp.Number(r.From)
	if !isNumber(r.From) {
		oa = tp.Alphanumeric(r.From)
	}
	return tp.Marshal(tp.DeliverFor(&sub, oa, tp.TimestampOf(r.Received), more))
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '+' {
		s = s[1:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// smsMTAnswer handles the recipient's RP-ACK or RP-ERROR (TS 24.011
// §6.3.2).
func (c *conn) smsMTAnswer(tx *smsTx, rpdu []byte) {
	n := c.net
	s := n.sms
	sc := c.sms
	m, err := rp.Decode(rpdu)
	ok := false
	cause := uint8(rp.CauseProtocolError)
	if err == nil {
		switch m := m.(type) {
		case *rp.Ack:
			ok = !m.Downlink && m.MR == tx.mr
		case *rp.Error:
			if !m.Downlink && m.MR == tx.mr {
				cause = uint8(m.Cause)
			}
		}
	}
	if ok {
		if s.msgs[tx.rec.ID] == tx.rec {
			n.smsWrite(n.smsFinal(tx.rec, smsc.Delivered, 0, tp.StatusReceived), nil)
		}
		c.smsActions(tx, tx.e.Release()) // and the next message
		return
	}
	c.log.Info("SMS delivery refused", "id", tx.rec.ID, "cause", cause)
	sc.mtFailed = true
	if sc.rcpt != nil {
		n.smsFailed(sc.rcpt, cause)
		sc.rcpt = nil
	}
	c.smsActions(tx, tx.e.Release())
}

// ---- The connection ----------------------------------------------------

// smsMMConnection is told that MM established a connection for service.
func (c *conn) smsMMConnection(svc mm.ServiceType) {
	if c.net.sms == nil || svc != mm.ServiceSMS {
		return
	}
	sc := c.smsc()
	if len(sc.tx) == 0 && sc.rcpt == nil {
		sc.idle = c.net.now
	}
}

// smsTimers runs TC1* of every transaction and releases SMS connections
// idle for the guard time, first delivering what waits for their
// subscriber on them.
func (n *Network) smsTimers() {
	s := n.sms
	if s == nil {
		return
	}
	for i := 0; i < len(n.order); i++ {
		c := n.order[i]
		sc := c.sms
		if sc == nil || c.ended {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(sc.tx)) {
			tx := sc.tx[k]
			if tx == nil {
				continue
			}
			if d, ok := tx.e.Deadline(); ok && !n.now.Before(d) {
				c.smsActions(tx, tx.e.Tick(n.now))
			}
		}
		if sc.idle.IsZero() || c.releasing || len(sc.tx) > 0 || sc.rcpt != nil || c.mm.State() != "connected" {
			continue
		}
		if c.inCall() {
			// A call's connection: SMS only borrows it (SAPI 3 on the
			// SACCH); the call's clearing releases it.
			continue
		}
		if msisdn, ok := s.byIMSI[c.imsi]; ok && len(s.byTo[msisdn]) > 0 && !sc.mtFailed && n.now.Sub(sc.since) < s.cfg.MaxHold {
			if rc := s.rcpt(msisdn); !rc.busy || rc.paging {
				s.stats.Attempts++
				n.smsStartMT(c, rc)
				continue
			}
		}
		guard := s.cfg.Guard
		switch {
		case c.mm.Result().Procedure == mm.ProcPaging:
			// The network opened this connection to deliver; the MS
			// asked for nothing.
			guard /= 4
		case !sc.heard:
			// The MS asked for SMS and its first CP-DATA is on its way:
			// SAPI 3 on an SDCCH has window size 1 (TS 44.006 §5.8.4),
			// so a long part's CP-DATA is nine I frames, each waiting for
			// its RR, several seconds more with a transceiver's advance.
			guard = s.cfg.MaxHold
		}
		// A phone that keeps sending keeps its channel only so long:
		// others may be waiting for one (their access rejected).
		if n.now.Sub(sc.idle) >= guard || n.now.Sub(sc.since) >= s.cfg.MaxHold {
			c.release()
		}
	}
	n.smsScan()
}
