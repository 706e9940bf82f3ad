package rtp

import "fmt"

// Status classifies a received packet. It is a protocol outcome, not an
// error: every status but Accepted/Gap/Restart tells the caller not to
// play the payload now.
type Status uint8

const (
	// InOrder: the next packet in sequence.
	InOrder Status = iota
	// Gap: newer than expected; Result.Lost packets are missing before it.
	Gap
	// Late: older than the newest packet seen (reordered in the network);
	// with no jitter buffer its moment has passed.
	Late
	// Duplicate: a sequence number already received recently.
	Duplicate
	// Probation: the source is not yet validated (RFC 3550 A.1: it needs
	// MinSequential packets in sequence first).
	Probation
	// Jump: a sequence jump too large to be a gap; dropped unless the next
	// packet confirms it, which is then a Restart.
	Jump
	// Restart: the sender restarted its sequence; statistics start over.
	Restart
	// OtherSource: a packet from another SSRC than the locked one. After
	// MinSequential such packets in sequence from one new SSRC, the
	// depacketizer switches to it and reports Restart.
	OtherSource
	// OtherPayloadType: a payload type other than the stream's.
	OtherPayloadType
)

var statusNames = [...]string{"in-order", "gap", "late", "duplicate", "probation", "jump", "restart", "other-source", "other-payload-type"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Playable reports whether the payload should be played out now.
func (s Status) Playable() bool { return s == InOrder || s == Gap || s == Restart }

// RFC 3550 Appendix A.1 parameters.
const (
	MaxDropout    = 3000
	MaxMisorder   = 100
	MinSequential = 2
	seqMod        = 1 << 16
)

// Result describes one received packet.
type Result struct {
	Status Status
	// Lost is, for Gap, the number of packets missing just before this one.
	Lost int
	// Silence is, for a playable packet, the timestamp units between the
	// end of the previous playable packet and this one beyond what the
	// lost packets would have carried (a DTX pause); 0 otherwise.
	Silence uint32
	// ExtSeq is the extended (cycle-counted) sequence number; 0 for
	// Jump, OtherSource and OtherPayloadType.
	ExtSeq uint64
	// Samples is the payload's duration in timestamp units.
	Samples uint32
}

// Stats are the receiver statistics of RFC 3550 §6.4.1 / Appendix A.3, A.8.
type Stats struct {
	Received     uint64 // packets accepted (including late/duplicate ones)
	Expected     uint64 // extended highest seq − base seq + 1
	Lost         int64  // Expected − Received; may be negative with duplicates
	HighestSeq   uint64 // extended highest sequence number received
	Jitter       uint32 // interarrival jitter estimate in timestamp units
	Late         uint64 // packets that arrived after a newer one
	Duplicates   uint64
	OtherSources uint64
}

// Depacketizer validates one incoming RTP stream of a fixed payload type
// and classifies every packet without buffering (RFC 3550 Appendix A.1),
// so the caller can play, conceal or drop at once. The first SSRC is
// locked in until another one sends MinSequential packets in sequence. It is not safe for concurrent use.
type Depacketizer struct {
	format Format
	pkt    Packet

	locked    bool
	ssrc      uint32
	probation int
	maxSeq    uint16
	cycles    uint64
	baseSeq   uint64
	badSeq    uint32
	received  uint64
	seen      uint64 // bit i: maxSeq-i received (duplicate detection)
	late      uint64
	dups      uint64
	others    uint64
	nextTS    uint32 // timestamp expected after the newest playable packet
	haveTS    bool
	transit   int64
	jitter    int64 // RFC 3550 A.8, scaled by 16
	haveTrans bool
	cand      uint32 // a competing SSRC and how many in-sequence packets it sent
	candSeq   uint16
	candN     int
}

// NewDepacketizer returns a depacketizer for payload type pt.
func NewDepacketizer(pt uint8) (*Depacketizer, error) {
	f, err := FormatOf(pt)
	if err != nil {
		return nil, err
	}
	return &Depacketizer{format: f, badSeq: seqMod + 1}, nil
}

// Push decodes and classifies one datagram that arrived at time arrival
// (in timestamp units of the payload's clock, from any epoch; it feeds
// the jitter estimate). It returns the classification and the payload,
// which aliases b. Malformed packets return an error and change nothing.
func (d *Depacketizer) Push(b []byte, arrival uint32) (Result, []byte, error) {
	p := &d.pkt
	if err := p.Unmarshal(b); err != nil {
		return Result{}, nil, err
	}
	if p.PayloadType != d.format.PayloadType {
		return Result{Status: OtherPayloadType}, nil, nil
	}
	samples, err := d.format.Samples(p.Payload)
	if err != nil {
		return Result{}, nil, err
	}
	if d.locked && p.SSRC != d.ssrc {
		d.others++
		// A new source that keeps sending in sequence replaces the old one
		// (a peer that changed SSRC, e.g. after a transfer or hold).
		if d.cand == p.SSRC && d.candN > 0 && p.SequenceNumber == d.candSeq+1 {
			d.candN++
		} else {
			d.cand, d.candN = p.SSRC, 1
		}
		d.candSeq = p.SequenceNumber
		if d.candN < MinSequential {
			return Result{Status: OtherSource}, nil, nil
		}
		d.ssrc, d.candN = p.SSRC, 0
		d.initSeq(p.SequenceNumber)
		d.probation = 0
		d.received++
		d.nextTS, d.haveTS = p.Timestamp+samples, true
		d.updateJitter(p.Timestamp, arrival)
		return Result{Status: Restart, ExtSeq: uint64(p.SequenceNumber), Samples: samples}, p.Payload, nil
	}
	if !d.locked {
		d.locked, d.ssrc = true, p.SSRC
		d.initSeq(p.SequenceNumber)
		d.maxSeq = p.SequenceNumber - 1
		d.probation = MinSequential
	}
	r := d.updateSeq(p.SequenceNumber)
	r.Samples = samples
	switch r.Status {
	case Jump:
		// Not placed in the sequence space (yet).
	case Late, Duplicate:
		r.ExtSeq = d.cycles + uint64(p.SequenceNumber)
		if p.SequenceNumber > d.maxSeq {
			r.ExtSeq -= seqMod // from before the last wrap
		}
	default:
		r.ExtSeq = d.cycles + uint64(p.SequenceNumber)
	}
	if r.Status.Playable() {
		if d.haveTS {
			expect := d.nextTS + uint32(r.Lost)*samples
			if gap := p.Timestamp - expect; int32(gap) > 0 {
				r.Silence = gap
			}
		}
		d.nextTS, d.haveTS = p.Timestamp+samples, true
	}
	if r.Status != Probation && r.Status != Jump {
		d.updateJitter(p.Timestamp, arrival)
	}
	return r, p.Payload, nil
}

func (d *Depacketizer) initSeq(seq uint16) {
	d.baseSeq = uint64(seq)
	d.maxSeq = seq
	d.badSeq = seqMod + 1
	d.cycles = 0
	d.received = 0
	d.seen = 1
	d.haveTS = false
	d.haveTrans = false
}

// updateSeq is RFC 3550 Appendix A.1 update_seq, extended to tell late
// packets from duplicates with a 64-packet window.
func (d *Depacketizer) updateSeq(seq uint16) Result {
	udelta := seq - d.maxSeq
	if d.probation > 0 {
		if seq == d.maxSeq+1 {
			d.probation--
			d.maxSeq = seq
			if d.probation == 0 {
				d.initSeq(seq)
				d.received++
				return Result{Status: InOrder}
			}
		} else {
			d.probation = MinSequential - 1
			d.maxSeq = seq
		}
		return Result{Status: Probation}
	}
	switch {
	case udelta == 0:
		d.received++
		d.dups++
		return Result{Status: Duplicate}
	case udelta < MaxDropout:
		if seq < d.maxSeq {
			d.cycles += seqMod
		}
		d.maxSeq = seq
		if udelta >= 64 {
			d.seen = 1
		} else {
			d.seen = d.seen<<udelta | 1
		}
		d.received++
		if udelta == 1 {
			return Result{Status: InOrder}
		}
		return Result{Status: Gap, Lost: int(udelta) - 1}
	case udelta <= seqMod-MaxMisorder:
		if uint32(seq) == d.badSeq {
			// Two sequential packets: the sender restarted.
			d.initSeq(seq)
			d.received++
			return Result{Status: Restart}
		}
		d.badSeq = uint32(seq+1) & (seqMod - 1)
		return Result{Status: Jump}
	default:
		// Within MaxMisorder behind maxSeq: late or duplicate.
		d.received++
		back := d.maxSeq - seq
		if back < 64 {
			if d.seen>>back&1 != 0 {
				d.dups++
				return Result{Status: Duplicate}
			}
			d.seen |= 1 << back
		}
		d.late++
		return Result{Status: Late}
	}
}

// updateJitter is RFC 3550 Appendix A.8.
func (d *Depacketizer) updateJitter(ts, arrival uint32) {
	transit := int64(int32(arrival - ts))
	if d.haveTrans {
		dd := transit - d.transit
		if dd < 0 {
			dd = -dd
		}
		d.jitter += dd - (d.jitter+8)>>4
	}
	d.transit, d.haveTrans = transit, true
}

// SSRC returns the locked synchronisation source and whether one is locked.
func (d *Depacketizer) SSRC() (uint32, bool) { return d.ssrc, d.locked }

// Stats returns the receiver statistics so far.
func (d *Depacketizer) Stats() Stats {
	s := Stats{
		Received:     d.received,
		Late:         d.late,
		Duplicates:   d.dups,
		OtherSources: d.others,
		Jitter:       uint32(d.jitter >> 4),
	}
	if d.locked && d.probation == 0 {
		s.HighestSeq = d.cycles + uint64(d.maxSeq)
		s.Expected = s.HighestSeq - d.baseSeq + 1
		s.Lost = int64(s.Expected) - int64(s.Received)
	}
	return s
}
