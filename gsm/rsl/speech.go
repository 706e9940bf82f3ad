package rsl

import "sync/atomic"

// SpeechBits is the number of bits in one TCH/F speech frame: d(0)..d(259)
// of TS 45.003 §3.1.1 in class order, one bit per octet (what
// l1.UplinkTraffic and l1.TrafficSource carry). TCH/FS and TCH/EFS frames
// both fill 260 bits.
const SpeechBits = 260

// SpeechPortFrames is the number of frame slots in each direction of a
// SpeechPort: 160 ms of speech, far more than the media side ever keeps
// waiting (it drains the uplink every 20 ms and keeps one or two frames
// queued on the downlink), so the slots only absorb scheduling hiccups.
const SpeechPortFrames = 8

// speechWords is a frame packed into 64-bit words: 260 bits, and bit 319
// for the bad-frame flag.
const speechWords = 5

const badBit = 1 << 63 // in word 4: bits 256..259 are bits 0..3 of it

// SpeechFrame is one 20 ms speech frame crossing a SpeechPort.
type SpeechFrame struct {
	// Bits are the 260 class-ordered bits, one bit per octet (only bit 0
	// of each octet is kept).
	Bits [SpeechBits]byte
	// Bad is the bad frame indication (TS 46.011 §4, the class Ia CRC
	// failed, or the block was stolen): the frame is to be substituted.
	// The uplink sets it; the cell ignores it on the downlink.
	Bad bool
}

// SpeechRing is a bounded single-producer, single-consumer ring of
// SpeechPortFrames speech frames. Put and Get never block, never allocate
// and take no lock: one goroutine puts, one gets. When the ring is full
// Put drops the oldest frame and counts it, so a stalled consumer never
// makes the speech late by more than the ring.
//
// Each slot holds its frame packed into atomic words under a sequence
// count (a seqlock): Get copies a slot and keeps the copy only if the
// slot did not change meanwhile and it could still claim it, so a frame
// the producer dropped under it is never returned torn. The zero value is
// an empty ring.
type SpeechRing struct {
	head, tail atomic.Uint64 // frames taken, frames put
	dropped    atomic.Uint64
	slots      [SpeechPortFrames]speechSlot
}

type speechSlot struct {
	seq atomic.Uint32 // odd while the producer writes the slot
	w   [speechWords]atomic.Uint64
}

// Put queues f (the producer's side). It returns false when the ring was
// full and its oldest frame was dropped to make room.
func (r *SpeechRing) Put(f *SpeechFrame) bool {
	t := r.tail.Load()
	ok := true
	for {
		h := r.head.Load()
		if t-h < SpeechPortFrames {
			break
		}
		if r.head.CompareAndSwap(h, h+1) {
			r.dropped.Add(1)
			ok = false
			break
		}
	}
	var w [speechWords]uint64
	for i, b := range f.Bits {
		w[i>>6] |= uint64(b&1) << (i & 63)
	}
	if f.Bad {
		w[4] |= badBit
	}
	s := &r.slots[t%SpeechPortFrames]
	s.seq.Add(1)
	for i := range w {
		s.w[i].Store(w[i])
	}
	s.seq.Add(1)
	r.tail.Store(t + 1)
	return ok
}

// Get takes the oldest queued frame into dst (the consumer's side); false
// means the ring is empty, or that the producer was rewriting the slot
// at the head (dropping the oldest frame) on every one of a few tries:
// Get never waits for it.
func (r *SpeechRing) Get(dst *SpeechFrame) bool {
	for try := 0; try < 8; try++ {
		h := r.head.Load()
		if h == r.tail.Load() {
			return false
		}
		s := &r.slots[h%SpeechPortFrames]
		seq := s.seq.Load()
		if seq&1 != 0 {
			// The producer is rewriting this slot: it dropped the
			// frame we were after. Look at the new head.
			continue
		}
		var w [speechWords]uint64
		for i := range w {
			w[i] = s.w[i].Load()
		}
		if s.seq.Load() != seq || !r.head.CompareAndSwap(h, h+1) {
			continue
		}
		for i := range dst.Bits {
			dst.Bits[i] = byte(w[i>>6] >> (i & 63) & 1)
		}
		dst.Bad = w[4]&badBit != 0
		return true
	}
	return false
}

// Len returns how many frames are queued.
func (r *SpeechRing) Len() int {
	h := r.head.Load()
	t := r.tail.Load()
	if t < h { // a drop moved head between the two loads
		return 0
	}
	return int(t - h)
}

// Puts returns how many frames were ever put.
func (r *SpeechRing) Puts() uint64 { return r.tail.Load() }

// Dropped returns how many frames were dropped because the ring was full.
func (r *SpeechRing) Dropped() uint64 { return r.dropped.Load() }

// SpeechPort joins a TCH/F to something outside the cell that speaks
// (the media of a SIP call, gsm/core/media): a TrafficConnect with Port
// set relays the channel's speech to and from it instead of to another
// TCH/F. The cell's frame loop is the producer of Up and the consumer of
// Down; the outside side is the consumer of Up and the producer of Down,
// on one goroutine per direction at most.
//
// Up carries every uplink speech frame the channel decodes, good or bad
// (Bad set, the bad frame indication, for the outside to substitute), one
// per 20 ms block. At each downlink block start the cell takes one frame
// from Down; with none queued it sends the FACCH fill, as for an idle
// relay, which the phone conceals as a stolen frame. The frames are the
// channel's codec (TCH/FS or TCH/EFS, the channel mode the core chose);
// the port does not look inside them.
type SpeechPort struct {
	Up   SpeechRing // cell → outside
	Down SpeechRing // outside → cell
}

// NewSpeechPort returns an empty port. A SpeechPort must not be copied
// once used.
func NewSpeechPort() *SpeechPort { return new(SpeechPort) }
