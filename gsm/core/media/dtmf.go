package media

import (
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
)

// RFC 4733 DTMF out: while a digit lasts, the 20 ms loop sends one
// telephone-event packet per 20 ms in place of the audio, all with the
// timestamp of the event's start and a growing duration (§2.5.1.2); the
// end packet goes three times (§2.5.1.4). The audio timestamp goes on
// counting meanwhile, so the stream stays continuous.

// Limits on one digit's length: shorter digits are lengthened to
// MinDTMF; a digit not stopped ends at MaxDTMF (the 16-bit duration field
// holds 8.19 s; a lost STOP DTMF must not tone forever).
const (
	MinDTMF = 40 * time.Millisecond
	MaxDTMF = 5 * time.Second
)

const dtmfVolume = 10 // -10 dBm0, a typical level

type dtmfSender struct {
	queue   [8]dtmfReq
	qn      int
	on      bool
	ev      rtp.TelephoneEvent
	ts      uint32
	ticks   int // 20 ms steps sent of the current event
	want    int // steps it lasts; 0 until stopped
	endSent int
	stopped bool
}

type dtmfReq struct {
	digit byte
	dur   time.Duration // 0: until StopDTMF
}

// dtmfStep is what the loop sends this tick.
type dtmfStep struct {
	n      int // packets (the end packet three times)
	ts     uint32
	marker bool
	ev     rtp.TelephoneEvent
}

// SendDTMF sends digit as an RFC 4733 event lasting dur (at least
// MinDTMF, at most MaxDTMF), after any digits already queued.
func (s *Session) SendDTMF(digit byte, dur time.Duration) error {
	return s.queueDTMF(digit, min(max(dur, MinDTMF), MaxDTMF))
}

// StartDTMF starts sending digit until StopDTMF (CC START DTMF, TS 24.008
// §5.5.7.1), for at most MaxDTMF.
func (s *Session) StartDTMF(digit byte) error { return s.queueDTMF(digit, 0) }

// StopDTMF ends the digit StartDTMF began (CC STOP DTMF, §5.5.7.3); it
// lasts at least MinDTMF.
func (s *Session) StopDTMF() {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.dtmfTx
	if t.on && t.want == 0 {
		t.want = max(t.ticks, int(MinDTMF/Ptime))
		return
	}
	// Not begun yet: stop the last queued open-ended digit.
	for i := t.qn - 1; i >= 0; i-- {
		if t.queue[i].dur == 0 {
			t.queue[i].dur = MinDTMF
			return
		}
	}
}

func (s *Session) queueDTMF(digit byte, dur time.Duration) error {
	if _, ok := rtp.DTMFEvent(digit); !ok {
		return fmt.Errorf("%w: %q", ErrDigit, digit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: DTMF after Close", ErrState)
	}
	if s.neg.ok && s.neg.eventPT == 0 {
		return fmt.Errorf("%w: the peer did not take telephone-event", ErrNoCodec)
	}
	t := &s.dtmfTx
	if t.qn == len(t.queue) {
		s.st.dtmfDropped++
		return fmt.Errorf("%w: %d digits already queued", ErrState, t.qn)
	}
	t.queue[t.qn] = dtmfReq{digit, dur}
	t.qn++
	return nil
}

// step advances the sender by 20 ms (under Session.mu); on is true while
// an event replaces the audio.
func (t *dtmfSender) step(pk *rtp.Packetizer) (st dtmfStep, on bool) {
	if !t.on {
		if t.qn == 0 {
			return st, false
		}
		r := t.queue[0]
		copy(t.queue[:], t.queue[1:t.qn])
		t.qn--
		code, _ := rtp.DTMFEvent(r.digit)
		_, t.ts = pk.Next()
		*t = dtmfSender{queue: t.queue, qn: t.qn, on: true, ts: t.ts,
			ev: rtp.TelephoneEvent{Event: code, Volume: dtmfVolume}}
		if r.dur > 0 {
			t.want = int((r.dur + Ptime - 1) / Ptime)
		}
		st.marker = true
	}
	max := int(MaxDTMF / Ptime)
	if t.want == 0 && t.ticks >= max {
		t.want = max
	}
	if t.want > 0 && t.ticks >= t.want {
		// The end packet, three times, one per 20 ms (§2.5.1.4), so a
		// short burst of loss does not lose the end.
		t.ev.End = true
		st.n, st.ts, st.ev = 1, t.ts, t.ev
		t.endSent++
		if t.endSent < 3 {
			return st, true
		}
		t.on = false
		// Audio resumes after the event's duration.
		if _, ts := pk.Next(); int32(t.ts+uint32(t.ticks*frameSamples)-ts) > 0 {
			pk.Skip(t.ts + uint32(t.ticks*frameSamples) - ts)
		}
		return st, true
	}
	t.ticks++
	t.ev.Duration = uint16(t.ticks * frameSamples)
	st.n, st.ts, st.ev = 1, t.ts, t.ev
	return st, true
}
