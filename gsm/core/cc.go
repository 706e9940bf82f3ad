package core

import (
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/mm"
)

// callSide is a connection's part in call control: its CC transactions
// (network side), the leg of the call it carries, and what the switch
// needs to move it to a TCH/F (the ciphering in use on its SDCCH).
type callSide struct {
	tx     *cc.Transactions
	leg    *leg
	mmUp   bool      // an MM connection is established (CM service or paging)
	cipher mm.Cipher // the A5 algorithm started on the channel, 0 for none
	kc     crypto.Kc // its key, carried over to the TCH; wiped at the end
}

func (c *conn) ccInit() {
	if c.tx == nil {
		c.tx = cc.NewTransactions(cc.Network, c.net.ccConfig(true))
	}
}

// sendCC sends a CC message on SAPI 0.
func (c *conn) sendCC(m cc.Message) {
	b, err := cc.Marshal(m)
	if err != nil {
		c.log.Error("encoding CC message", "type", m.MsgType(), "err", err)
		return
	}
	c.send(0, b)
}

// ccMessage handles one uplink CC message (TS 24.008 §5; PD 3).
func (c *conn) ccMessage(msg []byte) {
	if !c.mmUp {
		// No MM connection: a call is refused, the rest gets #81 (TS
		// 24.008 §8.3.1).
		if n := unservedCC(c.buf[:], msg); n > 0 {
			c.net.stats.Unserved++
			c.send(0, c.buf[:n])
		}
		return
	}
	c.ccInit()
	now := c.net.now
	call, acts := c.tx.Receive(now, msg, nil)
	if call == nil || (c.leg != nil && c.leg.cc != call) {
		// Not the call this connection carries: answers to unknown
		// transactions, or a second call, which is refused (#17; no
		// call waiting).
		for _, a := range acts {
			switch {
			case a.Kind == cc.ActSend:
				c.sendCC(a.Msg)
			case a.Kind == cc.ActNotify && a.Event == cc.EvSetup && call != nil:
				for _, r := range call.Reject(now, cc.NewCause(cc.CauseUserBusy), nil) {
					if r.Kind == cc.ActSend {
						c.sendCC(r.Msg)
					}
				}
			}
		}
		if call != nil && call.Ended() {
			c.tx.Sweep()
		}
		return
	}
	if c.leg == nil {
		var setup cc.Message
		for _, a := range acts {
			if a.Kind == cc.ActNotify && a.Event == cc.EvSetup {
				setup = a.Msg
			}
		}
		if setup == nil {
			// A new transaction that ended at once (a malformed Setup).
			for _, a := range acts {
				if a.Kind == cc.ActSend {
					c.sendCC(a.Msg)
				}
			}
			c.tx.Sweep()
			c.ccDone()
			return
		}
		l := &leg{conn: c, cc: call}
		c.leg = l
		if c.imsi != "" {
			c.net.sw.init()
			c.net.sw.byIMSI[c.imsi] = l
		}
		c.net.moSetup(l, setup)
		return
	}
	c.net.legActs(c.leg, acts)
}

// ccDone is called when a transaction ended: with none left the MM
// connection, and so the channel, is released (TS 24.008 §4.5.3).
//
// An SMS transfer still running on the connection (SAPI 3 on the SACCH
// of the TCH, TS 44.006 §4.1.2) keeps it: the SMS guard releases the
// channel once the transfer is done (smsTimers).
func (c *conn) ccDone() {
	if c.tx != nil {
		c.tx.Sweep()
		if c.tx.Len() > 0 {
			return
		}
	}
	if sc := c.sms; sc != nil && (len(sc.tx) > 0 || sc.rcpt != nil) {
		return
	}
	c.release()
}

// inCall reports whether the connection carries a call (a CC
// transaction that has not ended): the SMS guard leaves it alone.
func (c *conn) inCall() bool {
	if c.tx == nil {
		return false
	}
	var buf [14]*cc.Call
	for _, k := range c.tx.Calls(buf[:0]) {
		if !k.Ended() {
			return true
		}
	}
	return false
}

// ccEnd wipes the call state of a connection that ended.
func (c *conn) ccEnd() {
	c.net.legLost(c)
	c.kc.Zero()
}
