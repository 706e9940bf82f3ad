package ms_test

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// secondsOfFrames is s seconds of TDMA frames.
func secondsOfFrames(s int) int { return s * 1000 * 26 / 120 }

// A phone in front of a cell that never answers follows TS 24.008
// §4.4.4.9 to the letter: a random access failure starts T3213 and the
// access is tried again; the repeated failure counts an attempt and
// starts T3211; at the fourth attempt the phone gives up, not updated,
// and sends nothing more until T3212.
func TestAttemptCounterDeafCell(t *testing.T) {
	cell := newCell(t, func(c *rr.CellConfig) { c.CombinedCCCH = true })
	l := newLoop(t, cell, 1, 0)
	l.deaf = true
	p := l.phones[0]
	u := p.Upper().(*ms.MM)
	var gaveUp tdma.FN
	for range secondsOfFrames(300) {
		l.step()
		if u.MS.GaveUp() && gaveUp == 0 {
			gaveUp = l.fn
		}
	}
	st := p.Stats()
	if !u.MS.GaveUp() || u.MS.Attempts() != mm.MaxLUAttempts {
		t.Fatalf("after 300 s: attempts %d, gave up %v; want %d and waiting for T3212", u.MS.Attempts(), u.MS.GaveUp(), mm.MaxLUAttempts)
	}
	// Two random access failures per attempt.
	if st.RAFailedTwice != mm.MaxLUAttempts || st.AccessAttempts != 2*mm.MaxLUAttempts {
		t.Errorf("repeated RA failures %d, access procedures %d; want %d and %d", st.RAFailedTwice, st.AccessAttempts, mm.MaxLUAttempts, 2*mm.MaxLUAttempts)
	}
	// Three T3211 waits (15 s) and four T3213 waits (4 s) at least.
	if min := secondsOfFrames(3*15 + 4*4); int(gaveUp) < min {
		t.Errorf("gave up after %d frames, want at least %d (3×T3211 + 4×T3213)", gaveUp, min)
	}
	if st.Registered {
		t.Error("registered with a deaf cell")
	}
	// Nothing more before T3212 (1 h): the last 100 s were silent.
	before := st.ChannelRequests
	for range secondsOfFrames(100) {
		l.step()
	}
	if got := p.Stats().ChannelRequests; got != before {
		t.Errorf("%d channel requests while waiting for T3212, want none", got-before)
	}
}

// A phone whose access class is barred (TS 44.018 §3.3.1.1.1) camps but
// sends no channel request, and it costs no attempt (TS 24.008
// §4.4.4.9 (a)).
func TestAccessClassBarred(t *testing.T) {
	l := newLoop(t, nil, 1, 0)
	class := l.phones[0].AccessClass()
	l.cell = newCell(t, func(c *rr.CellConfig) { c.CombinedCCCH = true; c.BarredClasses = 1 << class })
	p := l.phones[0]
	for range secondsOfFrames(60) {
		l.step()
	}
	if p.Best() < ms.MsCamped {
		t.Fatalf("best %v, want camped", p.Best())
	}
	if st := p.Stats(); st.ChannelRequests != 0 || p.Upper().(*ms.MM).MS.Attempts() != 0 {
		t.Errorf("barred class %d: %d channel requests, %d attempts; want none", class, st.ChannelRequests, p.Upper().(*ms.MM).MS.Attempts())
	}
}
