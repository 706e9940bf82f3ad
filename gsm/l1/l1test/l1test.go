// Package l1test provides fakes for the interfaces gsm/l1 calls: a Source
// with per-channel queues that records every request, a Sink that records
// every delivery, and a Tap recorder. They are for tests of l1 and of the
// layers above it (gsm/bts); they allocate and are not for benchmarks of
// the per-frame path.
package l1test

import (
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// EmptyPaging is a Paging Request Type 1 with no identities (TS 44.018
// §9.1.22): L2 pseudo length 5, RR protocol discriminator, message type
// 0x21, page mode normal, mobile identity 1 of type "no identity", and the
// P1 rest octets padded with 0x2B. Cells get theirs from gsm/rr; this copy
// is for tests.
var EmptyPaging = [23]byte{0x15, 0x06, 0x21, 0x00, 0x01, 0xf0,
	0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b,
	0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}

// Request is one call of Source.DownlinkBlock.
type Request struct {
	Chan l1.Chan
	FN   tdma.FN
	Sent bool // whether the Source had a block
}

// Source is a fake l1.Source and l1.TrafficSource: DownlinkBlock pops the
// channel's queue and records the call.
type Source struct {
	queues   map[l1.Chan][][23]byte
	Requests []Request
	// Always, when set, is returned for any channel with an empty queue.
	Always func(ch l1.Chan, fn tdma.FN, dst *[23]byte) bool
	// Active marks TCH/F timeslots whose channel is on.
	Active  [8]bool
	traffic [8][]TrafficFrame
}

// Queue appends a block to ch's queue (ch.TN matters).
func (s *Source) Queue(ch l1.Chan, msg [23]byte) {
	if s.queues == nil {
		s.queues = make(map[l1.Chan][][23]byte)
	}
	s.queues[ch] = append(s.queues[ch], msg)
}

// Pending returns the number of blocks still queued for ch.
func (s *Source) Pending(ch l1.Chan) int { return len(s.queues[ch]) }

// DownlinkBlock implements l1.Source.
func (s *Source) DownlinkBlock(ch l1.Chan, fn tdma.FN, dst *[23]byte) bool {
	q := s.queues[ch]
	sent := false
	if len(q) > 0 {
		*dst = q[0]
		s.queues[ch] = q[1:]
		sent = true
	} else if s.Always != nil {
		sent = s.Always(ch, fn, dst)
	}
	s.Requests = append(s.Requests, Request{Chan: ch, FN: fn, Sent: sent})
	return sent
}

// TrafficFrame is one queued TCH/F downlink block.
type TrafficFrame struct {
	Kind   l1.TrafficKind // TrafficSpeech or TrafficFACCH
	Speech [260]byte
	FACCH  [23]byte
}

// QueueTraffic appends a TCH/F block for timeslot tn and marks the channel
// active.
func (s *Source) QueueTraffic(tn tdma.TN, f TrafficFrame) {
	s.Active[tn&7] = true
	s.traffic[tn&7] = append(s.traffic[tn&7], f)
}

// DownlinkTraffic implements l1.TrafficSource: the next queued frame, else
// TrafficNone on an active channel and TrafficOff on an inactive one.
func (s *Source) DownlinkTraffic(ch l1.Chan, fn tdma.FN, speech *[260]byte, facch *[23]byte) l1.TrafficKind {
	q := s.traffic[ch.TN&7]
	if len(q) == 0 {
		if s.Active[ch.TN&7] {
			return l1.TrafficNone
		}
		return l1.TrafficOff
	}
	f := q[0]
	s.traffic[ch.TN&7] = q[1:]
	if f.Kind == l1.TrafficSpeech {
		*speech = f.Speech
	} else {
		*facch = f.FACCH
	}
	return f.Kind
}

// Sink is a fake l1.Sink (and l1.TrafficSink) that keeps copies of
// everything delivered.
type Sink struct {
	Blocks  []l1.UplinkBlock
	Access  []l1.AccessBurst
	Traffic []l1.UplinkTraffic
}

// UplinkTraffic implements l1.TrafficSink.
func (s *Sink) UplinkTraffic(t *l1.UplinkTraffic) { s.Traffic = append(s.Traffic, *t) }

// UplinkBlock implements l1.Sink.
func (s *Sink) UplinkBlock(b *l1.UplinkBlock) { s.Blocks = append(s.Blocks, *b) }

// AccessBurst implements l1.Sink.
func (s *Sink) AccessBurst(a *l1.AccessBurst) { s.Access = append(s.Access, *a) }

// Good returns the good blocks delivered on ch.
func (s *Sink) Good(ch l1.Chan) []l1.UplinkBlock {
	var out []l1.UplinkBlock
	for _, b := range s.Blocks {
		if b.Good && b.Chan == ch {
			out = append(out, b)
		}
	}
	return out
}

// TapRecord is one copied l1.TapEvent.
type TapRecord struct {
	Uplink bool
	Chan   l1.Chan
	FN     tdma.FN
	ARFCN  tdma.ARFCN
	Data   []byte
}

// Tap records tap events; use its Func as Config.Tap.
type Tap struct{ Events []TapRecord }

// Func returns the l1.Tap that records into t.
func (t *Tap) Func() l1.Tap {
	return func(ev *l1.TapEvent) {
		t.Events = append(t.Events, TapRecord{ev.Uplink, ev.Chan, ev.FN, ev.ARFCN, append([]byte(nil), ev.Data...)})
	}
}
