package media

// The adaptive jitter buffer.
//
// Packets are filed by RTP timestamp into 20 ms frame slots (160
// samples), so any packet duration (ptime) the peer sends, and reordered
// packets, land where they belong. Every 20 ms the session's loop plays
// one slot. Playout starts once target frames are buffered; the target
// follows the interarrival jitter (RFC 3550 §6.4.1, A.8): about four
// times the jitter plus one frame, within [min, max]. When the next frame
// is missing and later ones are there, it is concealed and skipped (a
// loss); when nothing later is there either (an underrun: the packets
// are late), the slot is concealed but held, which adds 20 ms to the
// playout delay — that is how the buffer grows. When the buffer holds
// more than target+2 frames it drops one frame at most every 10 frames
// (200 ms), so the delay shrinks back slowly and inaudibly. A packet
// whose slot was already played is late: dropped and counted.

const (
	frameSamples = 160 // 20 ms at 8 kHz
	jbSlots      = 64  // 1.28 s: the most the buffer spans
	slotBytes    = 160 // one G.711 frame; a GSM frame uses 33
	shrinkEvery  = 10  // frames between two drops that shrink the delay
)

// jbResult says what insert did with a packet.
type jbResult uint8

const (
	jbStored jbResult = iota
	jbLate
	jbDuplicate
	jbResync // too far from the playout point: the buffer restarted on it
	jbBad    // not a whole number of frames of the codec
)

// jbPlay says what pop produced.
type jbPlay uint8

const (
	jbNone      jbPlay = iota // not playing yet (nothing, or still filling)
	jbFrame                   // a frame (possibly partly filled, G.711)
	jbConcealed               // conceal this frame
)

type jbSlot struct {
	idx  int64 // frame index the slot holds, -1 for none
	n    int   // octets filled
	data [slotBytes]byte
}

type jitterBuffer struct {
	frameBytes int  // octets per 20 ms: 160 G.711, 33 GSM
	sampled    bool // G.711: a packet may cover part of a frame
	silence    byte // the G.711 octet of silence (slot fill)

	minTarget, maxTarget int // frames

	started bool
	firstTS uint32
	lastTS  uint32 // the newest timestamp seen, and its extension
	lastExt int64
	playing bool
	paused  bool  // stopped playing after a long underrun
	next    int64 // frame index played next
	top     int64 // newest frame index stored + 1
	stall   int   // frames concealed while held on an underrun
	target  int   // frames
	since   int   // frames since the last shrink
	slots   [jbSlots]jbSlot

	// Counters.
	late, dups, resyncs, concealed, shrunk, underruns uint64
}

// reset sets the buffer up for a codec: frameBytes per 20 ms frame.
func (j *jitterBuffer) reset(frameBytes int, sampled bool, silence byte, minT, maxT int) {
	*j = jitterBuffer{frameBytes: frameBytes, sampled: sampled, silence: silence,
		minTarget: minT, maxTarget: maxT, target: minT,
		late: j.late, dups: j.dups, resyncs: j.resyncs, concealed: j.concealed, shrunk: j.shrunk, underruns: j.underruns}
	for i := range j.slots {
		j.slots[i].idx = -1
	}
}

// setJitter adapts the target to the interarrival jitter (in samples).
func (j *jitterBuffer) setJitter(jitter uint32) {
	t := 1 + int((4*uint64(jitter)+frameSamples-1)/frameSamples)
	j.target = min(max(t, j.minTarget), j.maxTarget)
}

// depth is the number of frames from the playout point to the newest one.
func (j *jitterBuffer) depth() int {
	if !j.started {
		return 0
	}
	return int(max(j.top-j.next, 0))
}

// extend places a timestamp on the extended time line (relative to the
// first packet's), tolerating wrap-around and reordering.
func (j *jitterBuffer) extend(ts uint32) int64 {
	d := int64(int32(ts - j.lastTS))
	ext := j.lastExt + d
	if d > 0 {
		j.lastTS, j.lastExt = ts, ext
	}
	return ext
}

func (j *jitterBuffer) restart(ts uint32) {
	j.started, j.playing, j.paused = true, false, false
	j.firstTS, j.lastTS, j.lastExt = ts, ts, 0
	j.next, j.top, j.stall, j.since = 0, 0, 0, 0
	for i := range j.slots {
		j.slots[i].idx = -1
	}
}

// insert files one packet's payload, whose first sample has timestamp ts.
func (j *jitterBuffer) insert(ts uint32, payload []byte) jbResult {
	if len(payload) == 0 || (!j.sampled && len(payload)%j.frameBytes != 0) {
		return jbBad
	}
	res := jbStored
	if !j.started {
		j.restart(ts)
	}
	ext := j.extend(ts)
	idx := floorDiv(ext, frameSamples)
	span := int64((len(payload)*sampleOf(j) + frameSamples - 1) / frameSamples)
	if idx+span <= j.next && j.playing {
		j.late++
		return jbLate
	}
	if idx >= j.next+jbSlots || idx+span > j.next+jbSlots || idx < j.next-jbSlots {
		// A jump (a restart of the sender's clock, or a long pause): start
		// over on this packet.
		j.resyncs++
		j.restart(ts)
		ext, idx = 0, 0
		res = jbResync
	}
	if !j.sampled && ext%frameSamples != 0 {
		return jbBad // GSM frames must fall on frame boundaries
	}
	first := idx
	switch {
	case j.paused && first > j.top:
		j.next = first // after a pause: nothing before it to wait for
	case !j.playing && first < j.next:
		j.next = first // an earlier packet came second, before playout began
	}
	j.paused = false
	if j.sampled {
		off := int(ext - idx*frameSamples)
		for len(payload) > 0 {
			n := min(len(payload), frameSamples-off)
			if idx >= j.next || !j.playing {
				j.fill(idx, off, payload[:n])
			}
			payload = payload[n:]
			idx++
			off = 0
		}
	} else {
		for o := 0; o < len(payload); o += j.frameBytes {
			if idx >= j.next || !j.playing {
				j.fill(idx, 0, payload[o:o+j.frameBytes])
			}
			idx++
		}
	}
	if idx > j.top {
		if j.stall > 0 && j.playing {
			// Leaving an underrun: the frames concealed while held
			// stand for as many missing ones.
			j.next += min(int64(j.stall), max(first-j.next, 0))
			j.stall = 0
		}
		j.top = idx
	}
	return res
}

func sampleOf(j *jitterBuffer) int {
	if j.sampled {
		return 1
	}
	return frameSamples / j.frameBytes
}

func (j *jitterBuffer) fill(idx int64, off int, b []byte) {
	s := &j.slots[mod(idx, jbSlots)]
	if s.idx != idx {
		s.idx, s.n = idx, 0
		if j.sampled {
			for i := range s.data {
				s.data[i] = j.silence
			}
		}
	} else if s.n >= j.frameBytes || (!j.sampled && s.n > 0) {
		j.dups++
		return
	}
	copy(s.data[off:], b)
	s.n += len(b)
}

// pop plays the next 20 ms: on jbFrame, dst (frameBytes long) holds the
// frame.
func (j *jitterBuffer) pop(dst []byte) jbPlay {
	if !j.started {
		return jbNone
	}
	if !j.playing {
		if j.top-j.next < int64(j.target) {
			return jbNone
		}
		j.playing = true
	}
	j.since++
	if d := j.top - j.next; d > int64(j.target)+2 && j.since >= shrinkEvery {
		// Too much delay: drop one frame.
		j.slots[mod(j.next, jbSlots)].idx = -1
		j.next++
		j.shrunk++
		j.since = 0
	}
	s := &j.slots[mod(j.next, jbSlots)]
	if s.idx == j.next && s.n > 0 {
		copy(dst, s.data[:j.frameBytes])
		s.idx = -1
		j.next++
		return jbFrame
	}
	j.concealed++
	if j.next >= j.top {
		// Underrun: hold the playout point (the delay grows).
		j.underruns++
		j.stall++
		if j.stall > jbSlots {
			// The peer stopped sending (hold, a DTX pause): stop
			// playing until it comes back.
			j.playing, j.paused = false, true
			j.stall = 0
			return jbNone
		}
		return jbConcealed
	}
	j.next++
	return jbConcealed
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func mod(a int64, m int) int {
	r := int(a % int64(m))
	if r < 0 {
		r += m
	}
	return r
}
