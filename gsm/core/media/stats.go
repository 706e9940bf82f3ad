package media

import "time"

// Stats are a session's counters. RTP figures count our stream (Sent)
// and the peer's (Received, Lost, Late, Jitter); RTCP's view of our
// stream from the peer is in the Remote fields.
type Stats struct {
	PacketsSent, OctetsSent         uint64 // RTP, payload octets
	PacketsReceived, OctetsReceived uint64 // valid RTP of the peer's stream
	// Lost is RFC 3550 §6.4.1's cumulative number lost (expected −
	// received; negative with duplicates).
	Lost       int64
	Late       uint64        // packets that came after their frame was played
	Duplicates uint64        // packets received twice
	Jitter     time.Duration // interarrival jitter (RFC 3550 A.8)
	// The jitter buffer: frames concealed (lost, late or an underrun,
	// TS 46.011 substitution on the FR side), frames dropped to shrink
	// the delay, restarts on a timestamp jump, and its depth and target.
	Concealed, Shrunk, Resyncs, Underruns uint64
	BufferDepth, BufferTarget             time.Duration
	// Dropped hostile or foreign datagrams.
	Oversize, Malformed, WrongPT, WrongSSRC, Foreign uint64
	// The speech port: uplink frames sent on (Bad: with the bad frame
	// indication, substituted), skipped (the loop fell behind), downlink
	// frames given to the cell and skipped (the cell fell behind).
	UplinkFrames, UplinkBad, UplinkSkipped uint64
	DownlinkFrames, DownlinkSkipped        uint64
	// DTMF events sent and received; events dropped (a full queue either
	// way).
	DTMFSent, DTMFReceived, DTMFDropped uint64
	// RTCP.
	RTCPSent, RTCPReceived, RTCPBad uint64
	RemoteLost                      uint32 // the peer's count of our packets lost
	RemoteFractionLost              uint8  // /256, in its last report
	RemoteJitter                    time.Duration
	RTT                             time.Duration // from the peer's last report on our SR
	Bye                             bool          // the peer sent an RTCP BYE
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, r, j := &s.st, &s.recv, &s.jb
	out := Stats{
		PacketsSent: st.sent, OctetsSent: st.sentOctets,
		PacketsReceived: st.received, OctetsReceived: st.recvOctets,
		Late: j.late, Duplicates: r.dups + j.dups,
		Jitter:    time.Duration(r.jitter>>4) * time.Second / 8000,
		Concealed: j.concealed, Shrunk: j.shrunk, Resyncs: j.resyncs, Underruns: j.underruns,
		BufferDepth:  time.Duration(j.depth()) * Ptime,
		BufferTarget: time.Duration(j.target) * Ptime,
		Oversize:     st.oversize, Malformed: st.malformed, WrongPT: st.wrongPT, WrongSSRC: st.wrongSSRC, Foreign: st.foreign,
		UplinkFrames: st.uplink, UplinkBad: st.uplinkBad, UplinkSkipped: st.uplinkSkipped,
		DownlinkFrames: st.downlink, DownlinkSkipped: st.downlinkSkipped,
		DTMFSent: st.dtmfSent, DTMFReceived: st.dtmfRecv, DTMFDropped: st.dtmfDropped,
		RTCPSent: st.rtcpSent, RTCPReceived: st.rtcpRecv, RTCPBad: st.rtcpBad,
		RemoteLost: st.remoteLost, RemoteFractionLost: st.remoteFraction,
		RemoteJitter: time.Duration(st.remoteJitter) * time.Second / 8000,
		RTT:          st.rtt, Bye: st.byeRecv,
	}
	if r.locked {
		out.Lost = int64(r.expected()) - int64(r.received)
	}
	return out
}
