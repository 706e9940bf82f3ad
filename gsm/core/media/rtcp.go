package media

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/pion/rtcp"
)

// RTCP (RFC 3550 §6): every 2.5–7.5 s a compound packet of a sender
// report (or a receiver report before we have sent) with one reception
// report block for the peer's SSRC, and an SDES CNAME; a BYE on Close.
// pion/rtcp encodes and decodes them: RTCP is a few packets a minute, so
// its allocations do not matter, and its parsers are fuzzed upstream.

// newPacketizer starts (or, on a codec change, continues) our stream:
// random SSRC, sequence number and timestamp (RFC 3550 §5.1).
func (s *Session) newPacketizer(pt uint8) {
	var b [10]byte
	_, _ = rand.Read(b[:])
	if s.pk == nil {
		s.ssrc = binary.BigEndian.Uint32(b[:])
		s.pk, _ = rtp.NewPacketizer(pt, s.ssrc, binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint32(b[6:]))
		return
	}
	seq, ts := s.pk.Next()
	s.pk, _ = rtp.NewPacketizer(pt, s.ssrc, seq, ts)
}

// ntp is the 64-bit NTP time of t (RFC 3550 §4).
func ntp(t time.Time) uint64 {
	const epoch = 2208988800 // 1900 to 1970
	secs := uint64(t.Unix()) + epoch
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return secs<<32 | frac
}

// report builds our reception report block (under s.mu).
func (s *Session) report(now time.Time) []rtcp.ReceptionReport {
	r := &s.recv
	if !r.locked || r.received == 0 {
		return nil
	}
	exp := r.expected()
	lost := int64(exp) - int64(r.received)
	expI, recvI := exp-r.priorExp, r.received-r.priorRecv
	r.priorExp, r.priorRecv = exp, r.received
	var frac uint8
	if lostI := int64(expI) - int64(recvI); expI > 0 && lostI > 0 {
		frac = uint8(lostI << 8 / int64(expI))
	}
	rr := rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       frac,
		TotalLost:          uint32(min(max(lost, 0), 0x7FFFFF)),
		LastSequenceNumber: uint32(r.cycles + uint64(r.maxSeq)),
		Jitter:             uint32(r.jitter >> 4),
		LastSenderReport:   r.lsr,
	}
	if r.lsr != 0 {
		rr.Delay = uint32(now.Sub(r.lsrAt) * 65536 / time.Second)
	}
	return []rtcp.ReceptionReport{rr}
}

// sendReport sends the periodic compound RTCP packet (the loop's).
func (s *Session) sendReport(now time.Time) {
	s.mu.Lock()
	if !s.haveRemote || s.closed || s.pk == nil {
		s.mu.Unlock()
		return
	}
	to := s.rtcpTo
	reports := s.report(now)
	var first rtcp.Packet
	if s.st.sent > 0 {
		_, ts := s.pk.Next()
		first = &rtcp.SenderReport{SSRC: s.ssrc, NTPTime: ntp(now), RTPTime: ts,
			PacketCount: uint32(s.st.sent), OctetCount: uint32(s.st.sentOctets), Reports: reports}
	} else {
		first = &rtcp.ReceiverReport{SSRC: s.ssrc, Reports: reports}
	}
	s.mu.Unlock()
	s.writeRTCP(to, first, rtcp.NewCNAMESourceDescription(s.ssrc, s.cname()))
}

// sendBye tells the peer the stream ends (RFC 3550 §6.6).
func (s *Session) sendBye() {
	s.mu.Lock()
	to, ok := s.rtcpTo, s.haveRemote && s.pk != nil
	s.mu.Unlock()
	if ok {
		s.writeRTCP(to, &rtcp.ReceiverReport{SSRC: s.ssrc}, rtcp.NewCNAMESourceDescription(s.ssrc, s.cname()),
			&rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	}
}

func (s *Session) cname() string { return "gsmbox@" + s.ext.Addr().String() }

func (s *Session) writeRTCP(ap netip.AddrPort, pkts ...rtcp.Packet) {
	if !ap.IsValid() {
		return
	}
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		s.log.Warn("RTCP not encoded", "err", err)
		return
	}
	if _, err := s.rtcp.WriteToUDPAddrPort(b, ap); err == nil {
		s.count(func(st *counters) { st.rtcpSent++ })
	}
}

// readRTCP is the RTCP reader.
func (s *Session) readRTCP() {
	defer s.wg.Done()
	var buf [MaxDatagram + 1]byte
	for {
		n, from, err := s.rtcp.ReadFromUDPAddrPort(buf[:])
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		now := s.now()
		s.mu.Lock()
		ok := s.haveRemote && from.Addr().Unmap() == s.remote.Addr()
		s.mu.Unlock()
		if n > MaxDatagram || !ok {
			s.count(func(st *counters) { st.rtcpBad++ })
			continue
		}
		s.handleRTCP(buf[:n], now)
	}
}

// handleRTCP takes one RTCP datagram from the peer.
func (s *Session) handleRTCP(b []byte, now time.Time) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		s.count(func(st *counters) { st.rtcpBad++ })
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.rtcpRecv++
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			if s.recv.locked && p.SSRC == s.recv.ssrc {
				s.recv.lsr, s.recv.lsrAt = uint32(p.NTPTime>>16), now
			}
			s.remoteReport(p.Reports, now)
		case *rtcp.ReceiverReport:
			s.remoteReport(p.Reports, now)
		case *rtcp.Goodbye:
			s.st.byeRecv = true
		}
	}
}

// remoteReport takes the peer's report on our stream (under s.mu).
func (s *Session) remoteReport(rs []rtcp.ReceptionReport, now time.Time) {
	for _, r := range rs {
		if r.SSRC != s.ssrc {
			continue
		}
		s.st.remoteLost, s.st.remoteFraction, s.st.remoteJitter = r.TotalLost, r.FractionLost, r.Jitter
		if r.LastSenderReport != 0 {
			// RFC 3550 §6.4.1: RTT = A − LSR − DLSR, in 1/65536 s.
			a := uint32(ntp(now) >> 16)
			if d := int32(a - r.LastSenderReport - r.Delay); d >= 0 {
				s.st.rtt = time.Duration(d) * time.Second / 65536
			}
		}
	}
}
