package bts

import (
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Traffic on the TCH/Fs of combination I.
//
// Speech is switched inside the cell: rsl.TrafficConnect joins two
// TCH/Fs, and from then each 260-bit speech frame decoded on one
// channel's uplink (l1.TrafficSink) is queued for the other's downlink
// (l1.TrafficSource) as it is, without decoding the speech
// (transcoder-free). TCH/FS and TCH/EFS look the same here: the EFR
// preliminary coding (TS 45.003 §3.1.1) is inside the 260 bits, so the
// frames of either codec pass unchanged and the two phones decode what
// the other one coded.
//
// Why in the cell and not through the core: the frames arrive every 20 ms
// per channel on the frame loop's goroutine; through the core they would
// cross two queues and a goroutine that also waits for the registry. In
// the cell the uplink frame that completes at one block boundary is sent
// at the peer's next block start, so the relay adds at most one 20 ms
// block (mouth-to-ear on the air: 8 bursts of interleaving each way plus
// that). The queue per channel is bounded (SpeechQueue frames); when it is
// full the oldest frame is dropped and counted, so a burst of late frames
// never builds up delay.
//
// A speech frame whose CRC failed (a bad frame, TS 46.011 §4) is not
// relayed: the peer's downlink carries the FACCH fill in its place, which
// the peer's decoder marks as a stolen frame and its substitution and
// muting (gsm/codec/ecu) conceal. Bad frames are counted as lost.
//
// A TrafficConnect with a Port joins a TCH/F to an rsl.SpeechPort, the
// seam to the media of a call leg outside the cell (gsm/core/media): each
// uplink frame, good or bad (flagged, so the outside substitutes it and
// keeps the timing), is put on Port.Up as it is decoded, and each
// downlink block start takes one frame from Port.Down, or sends the FACCH
// fill when none is there. Both are lock-free rings: the frame loop never
// waits for the media goroutine.

// SpeechQueue is how many speech frames wait for one TCH/F's downlink.
const SpeechQueue = 4

// TrafficStats counts a cell's speech traffic.
type TrafficStats struct {
	Relayed   uint64 // uplink speech frames queued for the peer's downlink
	Sent      uint64 // speech frames sent on a downlink
	Lost      uint64 // uplink speech frames that failed their CRC
	Dropped   uint64 // frames dropped because the peer's queue was full
	Unrelayed uint64 // good uplink frames on a TCH/F with no peer
	Connects  uint64 // relays set up
	// To and from external speech ports (rsl.SpeechPort).
	PortUp      uint64 // uplink frames put on a port, good or bad
	PortDown    uint64 // downlink frames taken from a port
	PortDropped uint64 // uplink frames that pushed out an older one on a full port
}

// tchState is the traffic side of one TCH/F (one per timeslot).
type tchState struct {
	idx     int // index of the TCH/F in Cell.chans, -1 when the slot has none
	peer    tdma.TN
	peerRef uint32
	ref     uint32 // the activation the relay belongs to
	joined  bool
	port    *rsl.SpeechPort // the external peer, if joined to one
	q       [SpeechQueue][260]byte
	head, n int
	// Per-channel counters, read by TrafficOf.
	relayed, sent, lost, dropped uint64
}

// initTCH indexes the TCH/Fs of the pool by timeslot.
func (c *Cell) initTCH() {
	for tn := range c.tch {
		c.tch[tn].idx = -1
	}
	for i := range c.chans {
		if ch := c.chans[i].ch; ch.Kind == l1.ChanTCHF {
			c.tch[ch.TN].idx = i
		}
	}
}

// tchOf returns the TCH/F on tn and its traffic state, or nil.
func (c *Cell) tchOf(tn tdma.TN) (*dchan, *tchState) {
	t := &c.tch[tn&7]
	if t.idx < 0 {
		return nil, nil
	}
	return &c.chans[t.idx], t
}

// Plan implements phy.Planner: the carrier's receive plan (gsm/l1), with
// the TCH/F timeslots whose channel is free switched off, so that the
// receiver does not equalise bursts nobody sends.
func (c *Cell) Plan(fn tdma.FN, p *phy.Plan) {
	c.lay.Plan(c.l1cfg.TSC(), fn, p)
	for tn := range p.Slots {
		if d, _ := c.tchOf(tdma.TN(tn)); d != nil && d.state == ChanFree && c.lay.At(tdma.TN(tn), fn) == l1.CombI {
			p.Slots[tn] = phy.RxOff
		}
	}
}

// connect joins the TCH/Fs of r (TS 48.058 CHANNEL MODE for a local
// switching point); a Peer of Kind 0 unjoins r.Chan.
func (c *Cell) connect(r *rsl.Down) {
	d, t := c.tchOf(r.Chan.TN)
	if d == nil || r.Chan.Kind != l1.ChanTCHF || d.state == ChanFree || d.ref != r.Ref {
		c.ded.DownStale++
		return
	}
	if r.Port != nil {
		c.unjoin(t)
		*t = tchState{idx: t.idx, ref: d.ref, joined: true, port: r.Port}
		c.traffic.Connects++
		c.log.Info("speech to an external port", "chan", d.ch)
		return
	}
	if r.Peer.Kind == 0 {
		c.unjoin(t)
		return
	}
	pd, pt := c.tchOf(r.Peer.TN)
	if pd == nil || r.Peer.Kind != l1.ChanTCHF || pd.state == ChanFree || pd.ref != r.PeerRef || pt == t {
		c.ded.DownStale++
		return
	}
	c.unjoin(t)
	c.unjoin(pt)
	*t = tchState{idx: t.idx, peer: r.Peer.TN, peerRef: pd.ref, ref: d.ref, joined: true}
	*pt = tchState{idx: pt.idx, peer: r.Chan.TN, peerRef: d.ref, ref: pd.ref, joined: true}
	c.traffic.Connects++
	c.log.Info("speech relay", "a", d.ch, "b", pd.ch)
}

// unjoin ends the relay of t and of its peer.
func (c *Cell) unjoin(t *tchState) {
	if !t.joined {
		return
	}
	if t.port != nil {
		t.joined, t.port = false, nil
		return
	}
	if _, pt := c.tchOf(t.peer); pt != nil && pt.joined && pt.peer == c.chans[t.idx].ch.TN {
		pt.joined, pt.n = false, 0
	}
	t.joined, t.n = false, 0
}

// tchFree ends the traffic of a channel being freed.
func (c *Cell) tchFree(d *dchan) {
	if d.ch.Kind != l1.ChanTCHF {
		return
	}
	_, t := c.tchOf(d.ch.TN)
	c.unjoin(t)
}

// tchActivate sets up a TCH/F activated by the core: with an algorithm
// and key (ciphering carried over from the SDCCH, TS 44.018 §3.4.3.1:
// the Assignment Command's cipher mode setting) the channel is
// enciphered both ways from its first burst.
func (c *Cell) tchActivate(d *dchan, r *rsl.Down) {
	if r.Alg == 0 {
		return
	}
	alg := a5.Alg(r.Alg)
	if err := c.ul.SetCipher(d.ch, alg, r.Kc); err != nil {
		c.log.Error("cannot decipher the TCH uplink", "chan", d.ch, "err", err)
	} else if err := c.dl.SetCipher(d.ch, alg, r.Kc); err != nil {
		c.log.Error("cannot encipher the TCH downlink", "chan", d.ch, "err", err)
	} else {
		c.ded.Ciphered++
	}
	clear(r.Kc[:])
}

// UplinkTraffic implements l1.TrafficSink: one decoded speech frame.
func (c *Cell) UplinkTraffic(u *l1.UplinkTraffic) {
	d, t := c.tchOf(u.Chan.TN)
	if d == nil || d.state != ChanActive {
		return
	}
	c.measure(d, l1.ChanTCHF, u.Good, u.RSSI != 0, u.RSSI)
	if t.joined && t.port != nil && t.ref == d.ref {
		// An external peer gets every frame, bad ones flagged, so its
		// substitution (TS 46.011) keeps the timing.
		if !u.Good {
			t.lost++
			c.traffic.Lost++
		} else {
			t.relayed++
			c.traffic.Relayed++
		}
		c.portFrame.Bits, c.portFrame.Bad = u.Speech, !u.Good
		if !t.port.Up.Put(&c.portFrame) {
			t.dropped++
			c.traffic.PortDropped++
		}
		c.traffic.PortUp++
		return
	}
	if !u.Good {
		t.lost++
		c.traffic.Lost++
		return
	}
	if !t.joined || t.ref != d.ref {
		c.traffic.Unrelayed++
		return
	}
	pd, pt := c.tchOf(t.peer)
	if pd == nil || pd.ref != t.peerRef || !pt.joined {
		c.traffic.Unrelayed++
		return
	}
	if pt.n == SpeechQueue {
		// Full: the oldest frame goes, so delay never builds up.
		pt.head = (pt.head + 1) % SpeechQueue
		pt.n--
		pt.dropped++
		c.traffic.Dropped++
	}
	pt.q[(pt.head+pt.n)%SpeechQueue] = u.Speech
	pt.n++
	t.relayed++
	c.traffic.Relayed++
}

// nextSpeech takes the next queued downlink speech frame of a TCH/F.
func (c *Cell) nextSpeech(d *dchan, dst *[260]byte) bool {
	_, t := c.tchOf(d.ch.TN)
	if t == nil || !t.joined {
		return false
	}
	if t.port != nil {
		if t.ref != d.ref || !t.port.Down.Get(&c.portFrame) {
			return false
		}
		*dst = c.portFrame.Bits
		t.sent++
		c.traffic.Sent++
		c.traffic.PortDown++
		return true
	}
	if t.n == 0 {
		return false
	}
	*dst = t.q[t.head]
	t.head = (t.head + 1) % SpeechQueue
	t.n--
	t.sent++
	c.traffic.Sent++
	return true
}

// ChannelTraffic is the speech counted on one TCH/F in its current
// activation.
type ChannelTraffic struct {
	Joined  bool
	Peer    l1.Chan
	Relayed uint64 // good uplink frames queued for the peer
	Sent    uint64 // speech frames sent on the downlink
	Lost    uint64 // bad uplink frames
	Dropped uint64 // downlink frames dropped on a full queue (uplink frames on a full port)
	// Port is the external speech port the channel is joined to, if any.
	Port *rsl.SpeechPort
}

// TrafficOf returns the traffic counters of the TCH/F on tn (zero for
// another kind of timeslot). Call it on the loop's goroutine.
func (c *Cell) TrafficOf(tn tdma.TN) ChannelTraffic {
	_, t := c.tchOf(tn)
	if t == nil {
		return ChannelTraffic{}
	}
	ct := ChannelTraffic{Joined: t.joined, Port: t.port,
		Relayed: t.relayed, Sent: t.sent, Lost: t.lost, Dropped: t.dropped}
	if t.port == nil {
		ct.Peer = l1.Chan{Kind: l1.ChanTCHF, TN: t.peer}
	}
	return ct
}

// chanActivate answers CHAN ACTIV (TS 48.058 §8.4.1): d is the channel
// named, nil if none; a TCH/F on TN 0 means any free TCH/F.
func (c *Cell) chanActivate(fn tdma.FN, r *rsl.Down, d *dchan) {
	if r.Chan.Kind == l1.ChanTCHF && r.Chan.TN == 0 {
		d = nil
		for tn := range c.tch {
			if td, _ := c.tchOf(tdma.TN(tn)); td != nil && td.state == ChanFree && c.usable(td) {
				d = td
				break
			}
		}
		if d == nil {
			c.drainForCall()
		}
	}
	if d == nil || d.state != ChanFree || !c.usable(d) {
		u := rsl.Up{Kind: rsl.ChanActivNack, Cell: c.cfg.ID, Chan: r.Chan, FN: fn, Tag: r.Tag}
		if c.cfg.Up != nil && !c.cfg.Up.Put(u) {
			c.ded.UpDropped++
		}
		return
	}
	ta := uint8(0)
	from := (*dchan)(nil)
	if r.Peer.Kind != 0 {
		from = c.find(r.Peer)
	}
	if from != nil && from.state == ChanActive {
		ta = from.ta
	}
	c.activate(d, fn, ta, 0)
	if from != nil && from.state == ChanActive {
		d.msPower, d.msDBm = from.msPower, from.msDBm
	}
	c.tchActivate(d, r)
	desc := make([]byte, 3)
	if _, err := d.desc.MarshalTo(desc); err != nil {
		desc = nil
	}
	u := rsl.Up{Kind: rsl.ChanActivAck, Cell: c.cfg.ID, Chan: d.ch, Ref: d.ref, FN: fn, Tag: r.Tag, Msg: desc}
	if c.cfg.Up != nil && !c.cfg.Up.Put(u) {
		c.ded.UpDropped++
	}
}
