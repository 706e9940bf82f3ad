package core

import (
	"log/slog"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// releaseGuardFrames bounds the wait for the MS to take its channel down
// after Channel Release was sent (its DISC): about 1.2 s, after which the
// network releases locally (TS 44.018 §3.4.13.1.1, T3109's role). It
// counts from when LAPDm has delivered the Channel Release (acknowledged,
// or overtaken by the MS's DISC), not from when it was queued: a segmented
// message ahead of it may take many retransmissions.
const releaseGuardFrames = 260

// T3111Frames is how long the channel stays allocated after the main
// signalling link is disconnected (TS 44.018 §3.4.13.1.1, §11.1.2: T3111
// has T3110's value, long enough for the MS to send its DISC twice):
// LAPDm keeps answering a repeated DISC meanwhile, so a lost UA costs the
// MS one T200, not its whole T3110.
const T3111Frames = 2*48 + 26

// Conn is the network side of one dedicated channel: LAPDm, the RR
// messages of dedicated mode and MM, joined to the registry. It
// implements bts.Link.
type Conn struct {
	net  *Network
	info bts.ChanInfo
	log  *slog.Logger
	link *lapdm.Link
	mm   *mm.Conn

	buf       [260]byte // an outgoing L3 message
	releasing bool      // Channel Release queued
	relSent   bool      // ... and delivered: the guard runs from relFN
	relFN     tdma.FN
	done      bool
	holdUntil tdma.FN // with done: T3111, the channel stays until then
	reported  bool
	fn        tdma.FN
}

var (
	_ bts.Link      = (*Conn)(nil)
	_ bts.LinkLoser = (*Conn)(nil)
)

func newConn(n *Network, info bts.ChanInfo) (*Conn, error) {
	link, err := lapdm.NewLink(lapdm.Network, lapdm.SDCCH)
	if err != nil {
		return nil, err
	}
	return &Conn{net: n, info: info, link: link,
		log: n.log.With("chan", info.Chan.String()),
		mm:  mm.NewConn(&n.cfg.MM, n.cfg.HLR, n.rand)}, nil
}

// Result returns what MM did on this channel.
func (c *Conn) Result() mm.Result { return c.mm.Result() }

// Downlink implements bts.Link.
func (c *Conn) Downlink(fn tdma.FN, dst *[23]byte) bool { return c.link.NextMain(fn, dst) }

// DownlinkSACCH implements bts.Link.
func (c *Conn) DownlinkSACCH(fn tdma.FN, dst *[23]byte) bool { return c.link.NextSACCH(fn, dst) }

// Uplink implements bts.Link.
func (c *Conn) Uplink(fn tdma.FN, msg *[23]byte) {
	c.fn = fn
	c.indications(fn, c.link.ReceiveMain(fn, msg[:]))
}

// UplinkSACCH implements bts.Link.
func (c *Conn) UplinkSACCH(fn tdma.FN, msg *[23]byte) {
	c.fn = fn
	c.indications(fn, c.link.ReceiveSACCH(fn, msg[:]))
}

// Tick implements bts.Link.
func (c *Conn) Tick(fn tdma.FN) {
	c.fn = fn
	c.indications(fn, c.link.Tick(fn))
	if c.done {
		return
	}
	now := c.net.now(fn)
	c.actions(fn, c.mm.Tick(now))
	if c.releasing && !c.relSent && c.link.Entity(0).Outstanding() == 0 {
		// LAPDm has delivered everything up to the Channel Release.
		c.relSent, c.relFN = true, fn
	}
	if c.relSent && !fn.Before(c.relFN.Add(releaseGuardFrames)) {
		c.log.Debug("release guard expired; releasing locally")
		c.link.ReleaseLocal()
		c.finish()
	}
}

// Lost implements bts.LinkLoser: the radio link is gone; MM ends its
// procedure with nothing more sent.
func (c *Conn) Lost(fn tdma.FN) {
	if c.done {
		return
	}
	c.log.Info("radio link lost")
	c.mm.Lost(c.net.now(fn))
	c.link.ReleaseLocal()
	c.finish()
}

// Done implements bts.Link: the connection has ended, LAPDm has sent its
// last frame (the UA to the MS's DISC) and T3111 has run.
func (c *Conn) Done() bool {
	return c.done && !c.link.Entity(0).Pending() && !c.fn.Before(c.holdUntil)
}

func (c *Conn) finish() {
	if !c.done {
		c.holdUntil = c.fn
	}
	c.done = true
	if !c.reported {
		c.reported = true
		r := c.mm.Result()
		c.log.Info("connection ended", "procedure", r.Procedure, "outcome", r.Outcome, "imsi", r.IMSI, "cause", r.Cause, "authenticated", r.Authenticated, "cipher", r.Cipher, "ciphered", r.Ciphered)
		c.net.finished(r)
	}
}

func (c *Conn) indications(fn tdma.FN, inds []lapdm.Indication) {
	for _, ind := range inds {
		switch ind.Kind {
		case lapdm.EstablishInd, lapdm.DataInd:
			switch ind.SAPI {
			case 0:
				c.l3(fn, ind.Msg)
			case 3:
				c.sapi3(ind.Msg)
			}
		case lapdm.UnitDataInd:
			c.unitData(ind.Msg)
		case lapdm.ReleaseInd:
			if ind.SAPI != 0 {
				continue
			}
			if !c.releasing {
				c.log.Info("link released by the MS or lost", "cause", ind.Cause)
				c.actions(fn, c.mm.Lost(c.net.now(fn)))
			}
			c.finish()
			if ind.Cause == lapdm.CauseNone {
				// The MS disconnected (DISC): hold the channel for T3111.
				c.holdUntil = fn.Add(T3111Frames)
			}
		case lapdm.ErrorInd:
			c.log.Debug("LAPDm error", "sapi", ind.SAPI, "cause", ind.Cause)
		}
	}
}

// l3 dispatches one uplink L3 message by protocol discriminator (TS
// 24.007 §11.2.3.1.1).
func (c *Conn) l3(fn tdma.FN, msg []byte) {
	if len(msg) < 2 || c.done {
		return
	}
	now := c.net.now(fn)
	switch l3.PD(msg[0] & 0x0f) {
	case l3.PDMM:
		c.actions(fn, c.mm.Handle(now, msg))
	case l3.PDRR:
		c.rr(fn, now, msg)
	case l3.PDCC:
		// Call control comes with its own issue; until then a call is
		// refused and other CC messages get #81 (TS 24.008 §8.3.1).
		if n := unservedCC(c.buf[:], msg); n > 0 {
			c.send(c.buf[:n])
		}
	default:
		// Other protocols (SS, GPRS...) are ignored (TS 24.007
		// §11.2.3.1.1 for an unknown PD).
		c.log.Debug("uplink message of an unsupported protocol", "pd", msg[0]&0x0f)
	}
}

// sapi3 handles an L3 message on SAPI 3: SMS is not served yet, so the MS
// gets CP-ERROR (TS 24.011 §7.2.3).
func (c *Conn) sapi3(msg []byte) {
	if c.done || len(msg) == 0 {
		return
	}
	n := unservedSMS(c.buf[:], msg)
	if n == 0 {
		return
	}
	if err := c.link.Entity(3).Send(c.buf[:n]); err != nil {
		c.log.Debug("LAPDm refused a SAPI 3 message", "err", err)
	}
}

func (c *Conn) rr(fn tdma.FN, now time.Time, msg []byte) {
	m, err := rr.DecodeDCCH(msg)
	if err != nil {
		c.log.Debug("undecodable RR message", "err", err)
		c.sendRRStatus(rr.Cause(0x5f)) // #95 semantically incorrect message
		return
	}
	switch m := m.(type) {
	case *rr.CipheringModeComplete:
		c.actions(fn, c.mm.CipheringComplete(now))
	case *rr.ClassmarkChange:
		var cm3 *l3.Classmark3
		if len(m.Classmark3) > 0 {
			var v l3.Classmark3
			if v.Unmarshal(m.Classmark3) == nil {
				cm3 = &v
			}
		}
		c.actions(fn, c.mm.Classmark(now, m.Classmark, cm3))
	case *rr.PagingResponse:
		c.actions(fn, c.mm.Paged(now, m.CKSN, m.Classmark, m.Identity))
	case *rr.RRStatus:
		c.log.Info("RR status from the MS", "cause", m.Cause)
	default:
		c.log.Debug("unexpected RR message", "type", m.MsgType())
	}
}

func (c *Conn) unitData(msg []byte) {
	// SACCH measurement reports (TS 44.018 §9.1.21) and other UI frames;
	// the power and timing loops run on the block measurements in gsm/bts.
	if m, err := rr.DecodeSACCH(msg); err == nil {
		if mr, ok := m.(*rr.MeasurementReport); ok {
			c.log.Debug("measurement report", "report", mr)
		}
	}
}

func (c *Conn) actions(fn tdma.FN, acts []mm.Action) {
	for _, a := range acts {
		switch a.Kind {
		case mm.ActSend:
			n, err := a.Msg.MarshalTo(c.buf[:])
			if err != nil {
				c.log.Error("encoding MM message", "type", a.Msg.MsgType(), "err", err)
				continue
			}
			c.send(c.buf[:n])
		case mm.ActStartCiphering:
			// TS 44.018 §3.4.7: the command goes out in clear; the MS
			// answers enciphered.
			cmd := rr.CipheringModeCommand{Start: a.Cipher != 0, Algorithm: uint8(a.Cipher)}
			if n, err := cmd.MarshalTo(c.buf[:]); err == nil {
				c.send(c.buf[:n])
			}
			if a.Cipher != 0 && c.info.StartCipher != nil {
				if err := c.info.StartCipher(a5.Alg(a.Cipher), a.Kc); err != nil {
					c.log.Error("cannot start ciphering", "err", err)
				}
			}
		case mm.ActClassmarkEnquiry:
			// Classmark Enquiry, TS 44.018 §9.1.12: RR header only.
			c.send([]byte{byte(l3.PDRR), 0x13})
		case mm.ActCommit:
			if err := c.net.cfg.HLR.Apply(a.Update); err != nil {
				c.net.stats.CommitFails++
				c.log.Error("registry update failed", "err", err)
			}
		case mm.ActMMConnection:
			c.log.Info("MM connection established", "service", a.Service)
		case mm.ActRelease:
			c.release(fn)
		}
	}
}

// release sends Channel Release and waits for the MS to take the link
// down (TS 44.018 §3.4.13).
func (c *Conn) release(fn tdma.FN) {
	if c.releasing {
		return
	}
	cr := rr.ChannelRelease{Cause: 0}
	if n, err := cr.MarshalTo(c.buf[:]); err == nil {
		c.send(c.buf[:n])
	}
	c.releasing, c.relFN = true, fn
}

func (c *Conn) sendRRStatus(cause rr.Cause) {
	m := rr.RRStatus{Cause: cause}
	if n, err := m.MarshalTo(c.buf[:]); err == nil {
		c.send(c.buf[:n])
	}
}

func (c *Conn) send(msg []byte) {
	if err := c.link.Entity(0).Send(msg); err != nil {
		c.log.Debug("LAPDm refused a message", "err", err)
	}
}
