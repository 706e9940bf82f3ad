package media

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
)

// counters are the session's statistics (under Session.mu).
type counters struct {
	sent, sentOctets          uint64
	received, recvOctets      uint64
	oversize, malformed       uint64
	wrongPT, wrongSSRC        uint64
	foreign                   uint64
	dtmfSent, dtmfRecv        uint64
	dtmfDropped               uint64
	uplink, uplinkBad         uint64
	uplinkSkipped             uint64
	downlink, downlinkSkipped uint64
	rtcpSent, rtcpRecv        uint64
	rtcpBad                   uint64
	remoteLost                uint32
	remoteFraction            uint8
	remoteJitter              uint32
	rtt                       time.Duration
	byeRecv                   bool
}

// receiver follows the peer's stream (RFC 3550 Appendix A.1, A.3, A.8):
// the SSRC it locked on, the extended sequence numbers, the interarrival
// jitter, and what the next reception report needs.
type receiver struct {
	pkt        rtp.Packet
	csrc       [15]uint32
	locked     bool
	ssrc       uint32
	cand       uint32 // a competing SSRC and how many packets it sent in a row
	candN      int
	baseSeq    uint64
	maxSeq     uint16
	cycles     uint64
	received   uint64
	dups       uint64
	transit    int64
	haveTrans  bool
	jitter     int64 // scaled by 16
	priorExp   uint64
	priorRecv  uint64
	lsr        uint32    // middle of the last SR's NTP time
	lsrAt      time.Time // when it came
	event      dtmfRecvState
	epoch      time.Time
	haveEpoch  bool
	wantLocked bool
}

type dtmfRecvState struct {
	active bool
	ts     uint32
	ended  bool
	digit  byte
}

// switchSSRC is how many packets in a row a new SSRC must send before
// the receiver follows it (a peer that changed SSRC, after a transfer).
const switchSSRC = 8

func (s *Session) resetReceive(pt uint8) {
	s.jb.reset(frameBytesOf(pt), pt != rtp.PTGSM, silenceOf(pt),
		int(s.cfg.JitterMin/Ptime), int(s.cfg.JitterMax/Ptime))
}

func (r *receiver) restart(ssrc uint32, seq uint16) {
	r.locked, r.ssrc = true, ssrc
	r.baseSeq, r.maxSeq, r.cycles = uint64(seq), seq-1, 0
	r.received, r.priorExp, r.priorRecv = 0, 0, 0
	r.haveTrans, r.jitter = false, 0
	r.event = dtmfRecvState{}
}

func (s *Session) now() time.Time {
	if s.cfg.Clock != nil {
		return s.cfg.Clock.Now()
	}
	return time.Now()
}

// readRTP is the RTP reader: one datagram at a time into one buffer.
func (s *Session) readRTP() {
	defer s.wg.Done()
	var buf [MaxDatagram + 1]byte
	for {
		n, from, err := s.rtp.ReadFromUDPAddrPort(buf[:])
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.receive(buf[:n], from, s.now())
	}
}

// receive validates one datagram and files it. Anything hostile or
// foreign is dropped and counted, never trusted further.
func (s *Session) receive(b []byte, from netip.AddrPort, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.st
	if len(b) > MaxDatagram {
		st.oversize++
		return
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if !s.haveRemote || (from != s.remote && (!s.cfg.Latch || s.latched)) {
		st.foreign++
		return
	}
	r := &s.recv
	p := &r.pkt
	p.CSRC = r.csrc[:0]
	if err := p.Unmarshal(b); err != nil {
		st.malformed++
		return
	}
	audio := p.PayloadType == s.neg.pt
	event := s.neg.eventPT != 0 && p.PayloadType == s.neg.eventPT
	if !audio && !event {
		st.wrongPT++
		return
	}
	if !r.locked {
		r.restart(p.SSRC, p.SequenceNumber)
	} else if p.SSRC != r.ssrc {
		st.wrongSSRC++
		if r.cand == p.SSRC {
			r.candN++
		} else {
			r.cand, r.candN = p.SSRC, 1
		}
		if r.candN < switchSSRC {
			return
		}
		r.restart(p.SSRC, p.SequenceNumber)
		s.resetReceive(s.neg.pt)
	}
	r.candN = 0
	if !r.updateSeq(p.SequenceNumber) {
		r.dups++
		return
	}
	if s.cfg.Latch && !s.latched {
		s.latched = true
		if from != s.remote {
			s.log.Info("RTP latched", "sdp", s.remote, "from", from)
			s.remote = from
			s.rtcpTo = netip.AddrPortFrom(from.Addr(), from.Port()+1)
		}
	}
	st.received++
	st.recvOctets += uint64(len(p.Payload))
	if event {
		s.receiveEvent(p.Timestamp, p.Payload)
		return
	}
	if !r.haveEpoch {
		r.epoch, r.haveEpoch = now, true
	}
	arrival := uint32(now.Sub(r.epoch) * 8000 / time.Second)
	r.updateJitter(p.Timestamp, arrival)
	s.jb.setJitter(uint32(r.jitter >> 4))
	s.jb.insert(p.Timestamp, p.Payload)
}

// updateSeq places seq on the extended sequence space; false for a
// duplicate of the newest packet.
func (r *receiver) updateSeq(seq uint16) bool {
	d := seq - r.maxSeq
	switch {
	case d == 0:
		return false
	case d < 0x8000:
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	}
	r.received++
	return true
}

// updateJitter is RFC 3550 Appendix A.8.
func (r *receiver) updateJitter(ts, arrival uint32) {
	transit := int64(int32(arrival - ts))
	if r.haveTrans {
		d := transit - r.transit
		if d < 0 {
			d = -d
		}
		r.jitter += d - (r.jitter+8)>>4
	}
	r.transit, r.haveTrans = transit, true
}

// expected is RFC 3550 A.3's extended highest sequence number minus the
// first, plus one.
func (r *receiver) expected() uint64 {
	return r.cycles + uint64(r.maxSeq) - r.baseSeq + 1
}

// receiveEvent handles an RFC 4733 telephone-event packet: a new event
// timestamp starts a digit, the E bit ends it (sent three times; told
// once).
func (s *Session) receiveEvent(ts uint32, payload []byte) {
	var ev rtp.TelephoneEvent
	if ev.Unmarshal(payload) != nil {
		s.st.malformed++
		return
	}
	digit, ok := ev.Digit()
	if !ok {
		return // a tone or another event: not DTMF
	}
	e := &s.recv.event
	if !e.active || e.ts != ts {
		if e.active && !e.ended {
			// The previous event's end packets were all lost.
			s.tellDTMF(DTMF{Digit: e.digit, End: true})
		}
		*e = dtmfRecvState{active: true, ts: ts, digit: digit}
		s.st.dtmfRecv++
		s.tellDTMF(DTMF{Digit: digit})
	}
	if ev.End && !e.ended {
		e.ended = true
		s.tellDTMF(DTMF{Digit: digit, End: true, Duration: time.Duration(ev.Duration) * time.Second / 8000})
	}
}

func (s *Session) tellDTMF(d DTMF) {
	select {
	case s.dtmf <- d:
	default:
		s.st.dtmfDropped++
	}
}

// tick is one 20 ms step of the loop: the uplink frames waiting on the
// port go out as RTP, one frame of the jitter buffer goes to the port.
func (s *Session) tick() {
	c := &s.codec
	s.mu.Lock()
	neg, port, remote := s.neg, s.port, s.remote
	send := neg.send && s.haveRemote && !s.closed
	if neg.pt != c.pt {
		c.reset(neg.pt)
	}
	if s.pk == nil || s.pk.Format().PayloadType != neg.pt {
		s.newPacketizer(neg.pt)
	}
	play := s.jb.pop(c.played[:c.frameBytes])
	ev, evOn := s.dtmfTx.step(s.pk)
	if ev.marker {
		s.st.dtmfSent++
	}
	s.mu.Unlock()

	// Uplink: every frame waiting (after a stall of the loop they go as
	// a burst, which the peer's jitter buffer absorbs), but never more
	// than four behind: older frames would only add delay.
	for port != nil && port.Up.Get(&c.frame) {
		if port.Up.Len() >= 4 {
			s.count(func(st *counters) { st.uplinkSkipped++ })
			continue
		}
		payload := c.uplink()
		bad := c.frame.Bad
		if evOn || !send {
			s.pk.Skip(frameSamples)
		} else if n, err := s.pk.Packetize(c.pkt[:], payload); err == nil {
			if _, err := s.rtp.WriteToUDPAddrPort(c.pkt[:n], remote); err == nil {
				s.mu.Lock()
				s.st.sent++
				s.st.sentOctets += uint64(len(payload))
				s.mu.Unlock()
			}
		}
		s.mu.Lock()
		s.st.uplink++
		if bad {
			s.st.uplinkBad++
		}
		s.mu.Unlock()
	}
	// RFC 4733 event packets replace the audio while a digit lasts.
	for i := 0; i < ev.n && send; i++ {
		if n, err := s.pk.PacketizeEvent(c.pkt[:], neg.eventPT, ev.ts, ev.marker && i == 0, &ev.ev); err == nil {
			if _, err := s.rtp.WriteToUDPAddrPort(c.pkt[:n], remote); err == nil {
				s.count(func(st *counters) { st.sent++; st.sentOctets += rtp.TelephoneEventSize })
			}
		}
	}
	// Downlink: one frame per 20 ms; the port is kept at most three deep
	// (a burst of the loop after a host stall fits) so that a cell clock
	// slower than ours does not build up delay.
	if port == nil || play == jbNone {
		return
	}
	c.downlink(play == jbFrame)
	if port.Down.Len() >= 3 {
		s.count(func(st *counters) { st.downlinkSkipped++ })
		return
	}
	port.Down.Put(&c.frame)
	s.count(func(st *counters) { st.downlink++ })
}

func (s *Session) count(f func(*counters)) {
	s.mu.Lock()
	f(&s.st)
	s.mu.Unlock()
}
