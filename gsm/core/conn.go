package core

import (
	"log/slog"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// conn is the core's side of one dedicated channel's connection: the RR
// messages of dedicated mode and MM, with the registry reached through
// the worker. LAPDm, ciphering on the air and the release handshake are
// the cell's (gsm/bts) side of the seam.
type conn struct {
	net  *Network
	key  connKey
	ref  uint32
	log  *slog.Logger
	mm   *mm.Conn
	imsi string

	sms       *smsConn  // SMS transactions (smsconn.go), nil until used
	ussdTx    *ussdTx   // the USSD transaction (ussd.go), or nil
	buf       [260]byte // an outgoing L3 message being built
	releasing bool      // Channel Release sent down
	ended     bool
	callSide         // call control and the call it carries (cc.go, switch.go)
	signal    Signal // the radio link as last measured (signal.go)
}

// send sends an L3 message on sapi.
func (c *conn) send(sapi uint8, msg []byte) {
	c.net.down(rsl.Down{Kind: rsl.DataReq, Cell: c.key.cell, Chan: c.key.ch, Ref: c.ref, SAPI: sapi,
		Msg: append([]byte(nil), msg...)})
}

func (c *conn) event(u *rsl.Up) {
	now := c.net.now
	switch u.Kind {
	case rsl.EstablishInd, rsl.DataInd:
		switch u.SAPI {
		case 0:
			c.l3(u.Msg)
		case 3:
			c.sapi3(u.Msg)
		}
	case rsl.UnitDataInd:
		// UI frames other than measurement reports: nothing to do.
	case rsl.ReleaseInd:
		if u.SAPI != 0 {
			return
		}
		if !c.releasing {
			c.log.Info("link released by the MS or lost", "cause", u.Cause)
			c.actions(c.mm.Lost(now))
		}
	case rsl.ConnFailure:
		c.log.Info("radio link lost")
		c.actions(c.mm.Lost(now))
	case rsl.ErrorInd:
		c.log.Debug("LAPDm error", "sapi", u.SAPI, "cause", u.Cause)
	case rsl.ChanReleased:
		c.net.end(c)
	}
}

// l3 dispatches one uplink L3 message by protocol discriminator (TS
// 24.007 §11.2.3.1.1).
func (c *conn) l3(msg []byte) {
	if len(msg) < 2 || c.mm.Done() && c.releasing {
		return
	}
	switch l3.PD(msg[0] & 0x0f) {
	case l3.PDMM:
		c.actions(c.mm.Handle(c.net.now, msg))
	case l3.PDRR:
		c.rr(msg)
	case l3.PDCC:
		c.ccMessage(msg)
	case l3.PDSS:
		c.ussd(msg)
	default:
		// Other protocols (GPRS...) are ignored (TS 24.007
		// §11.2.3.1.1 for an unknown PD).
		c.log.Debug("uplink message of an unsupported protocol", "pd", msg[0]&0x0f)
	}
}

// sapi3 handles an L3 message on SAPI 3: SMS is not served yet, so the MS
// gets CP-ERROR (TS 24.011 §7.2.3).
func (c *conn) sapi3(msg []byte) {
	if c.sms != nil && !c.sms.idle.IsZero() {
		c.sms.idle = c.net.now // SAPI 3 (re-)established: a message is coming
	}
	if c.releasing || len(msg) == 0 {
		return
	}
	if c.net.sms != nil && c.mm.State() == "connected" {
		c.smsUplink(msg)
		return
	}
	if n := unservedSMS(c.buf[:], msg); n > 0 {
		c.net.stats.Unserved++
		c.send(3, c.buf[:n])
	}
}

func (c *conn) rr(msg []byte) {
	now := c.net.now
	m, err := rr.DecodeDCCH(msg)
	if err != nil {
		c.log.Debug("undecodable RR message", "err", err)
		c.sendRRStatus(rr.Cause(0x5f)) // #95 semantically incorrect message
		return
	}
	switch m := m.(type) {
	case *rr.CipheringModeComplete:
		c.actions(c.mm.CipheringComplete(now))
	case *rr.ClassmarkChange:
		var cm3 *l3.Classmark3
		if len(m.Classmark3) > 0 {
			var v l3.Classmark3
			if v.Unmarshal(m.Classmark3) == nil {
				cm3 = &v
			}
		}
		c.actions(c.mm.Classmark(now, m.Classmark, cm3))
	case *rr.PagingResponse:
		c.actions(c.mm.Paged(now, m.CKSN, m.Classmark, m.Identity))
	case *rr.RRStatus:
		c.log.Info("RR status from the MS", "cause", m.Cause)
	case *rr.AssignmentComplete:
		c.net.assignDone(c, true)
	case *rr.AssignmentFailure:
		c.net.assignDone(c, false)
	case *rr.ChannelModeModifyAck:
		c.net.modified(c, m.Mode)
	default:
		c.log.Debug("unexpected RR message", "type", m.MsgType())
	}
}

func (c *conn) actions(acts []mm.Action) {
	for _, a := range acts {
		switch a.Kind {
		case mm.ActSend:
			n, err := a.Msg.MarshalTo(c.buf[:])
			if err != nil {
				c.log.Error("encoding MM message", "type", a.Msg.MsgType(), "err", err)
				continue
			}
			c.send(0, c.buf[:n])
		case mm.ActStartCiphering:
			c.cipher, c.kc = a.Cipher, a.Kc
			// One owner on each side: the core decides and sends the
			// encryption command with the Ciphering Mode Command; the
			// cell sends it and runs A5 (TS 48.058 §8.4.6).
			cmd := rr.CipheringModeCommand{Start: a.Cipher != 0, Algorithm: uint8(a.Cipher)}
			n, err := cmd.MarshalTo(c.buf[:])
			if err != nil {
				continue
			}
			c.net.down(rsl.Down{Kind: rsl.EncryptionCmd, Cell: c.key.cell, Chan: c.key.ch, Ref: c.ref,
				Msg: append([]byte(nil), c.buf[:n]...), Alg: uint8(a.Cipher), Kc: a.Kc})
		case mm.ActClassmarkEnquiry:
			var m rr.ClassmarkEnquiry
			if n, err := m.MarshalTo(c.buf[:]); err == nil {
				c.send(0, c.buf[:n])
			}
		case mm.ActCommit:
			c.net.hlrPut(hlrJob{key: c.key, ref: c.ref, commit: true, update: a.Update})
		case mm.ActLookup:
			c.net.hlrPut(hlrJob{key: c.key, ref: c.ref, query: a.Query})
		case mm.ActMMConnection:
			c.log.Info("MM connection established", "service", a.Service)
			c.mmUp = true
			c.smsMMConnection(a.Service)
		case mm.ActRelease:
			c.release()
		}
	}
	c.track()
}

// track keeps the subscriber's session up to date with the connection.
func (c *conn) track() {
	r := c.mm.Result()
	if r.IMSI == "" || c.ended {
		return
	}
	n := c.net
	if c.imsi == "" {
		c.imsi = r.IMSI
		if !c.signal.At.IsZero() {
			n.noteSignal(c.imsi, c.signal)
		}
	}
	s := n.session(c.imsi)
	if s.conn != c {
		s.conn, s.Since = c, n.now
	}
	s.Cell, s.Chan = c.key.cell, c.key.ch
	s.Procedure, s.State = r.Procedure.String(), c.mm.State()
	if r.Procedure == mm.ProcPaging && r.Outcome == mm.OutcomeAccepted && len(s.Pending) > 0 {
		// The paged MS is here: what waited for it is the CM layer's to
		// deliver (SMS, calls); until those exist it is done.
		if n.pagedCall(c, s) {
			return
		}
		c.log.Info("paged subscriber answered", "imsi", c.imsi, "pending", len(s.Pending))
		pending := s.Pending
		s.Pending = nil
		if !c.serveMT(pending) {
			c.release()
		}
	}
}

// release sends Channel Release and leaves the rest to the cell (TS
// 44.018 §3.4.13.1.1): T3109 from its delivery, the MS's DISC, T3111.
func (c *conn) release() {
	if c.releasing {
		return
	}
	c.releasing = true
	cr := rr.ChannelRelease{Cause: 0}
	var msg []byte
	if n, err := cr.MarshalTo(c.buf[:]); err == nil {
		msg = append([]byte(nil), c.buf[:n]...)
	}
	c.net.down(rsl.Down{Kind: rsl.ChanRelease, Cell: c.key.cell, Chan: c.key.ch, Ref: c.ref, Msg: msg})
}

func (c *conn) sendRRStatus(cause rr.Cause) {
	m := rr.RRStatus{Cause: cause}
	if n, err := m.MarshalTo(c.buf[:]); err == nil {
		c.send(0, c.buf[:n])
	}
}
