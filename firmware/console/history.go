package console

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/gsm/mm"
)

// LUEvent is one finished connection: a location update, an IMSI detach
// or a CM service request, with its outcome and reject cause (TS 24.008
// §10.5.3.6).
type LUEvent struct {
	Time          time.Time `json:"time"`
	IMSI          string    `json:"imsi"`
	Procedure     string    `json:"procedure"`
	Outcome       string    `json:"outcome"`
	Cause         string    `json:"cause,omitempty"`
	Authenticated bool      `json:"authenticated"`
	Cipher        string    `json:"cipher"`
}

// History keeps the newest connection results. Record is called by the
// core (core.Config.OnResult) on its own goroutine — in virtual time, on
// the cell loop — so it only puts the result into a bounded channel and
// never waits; a full channel drops and counts. The console drains it
// when it reads.
type History struct {
	in      chan LUEvent
	dropped atomic.Uint64
	mu      sync.Mutex
	ring    []LUEvent
	next    int
	full    bool
	now     func() time.Time
}

// NewHistory keeps the newest n events.
func NewHistory(n int) *History {
	return &History{in: make(chan LUEvent, 256), ring: make([]LUEvent, n), now: time.Now}
}

// Record is the core's OnResult. It never blocks.
func (h *History) Record(r mm.Result) {
	e := LUEvent{Time: h.now(), IMSI: r.IMSI, Procedure: r.Procedure.String(), Outcome: r.Outcome.String(),
		Authenticated: r.Authenticated, Cipher: r.Cipher.String()}
	if r.Outcome == mm.OutcomeRejected {
		e.Cause = r.Cause.String()
	}
	select {
	case h.in <- e:
	default:
		h.dropped.Add(1)
	}
}

func (h *History) drain() {
	for {
		select {
		case e := <-h.in:
			h.ring[h.next] = e
			h.next = (h.next + 1) % len(h.ring)
			if h.next == 0 {
				h.full = true
			}
		default:
			return
		}
	}
}

// Events returns the kept events, newest first.
func (h *History) Events() []LUEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drain()
	n := h.next
	if h.full {
		n = len(h.ring)
	}
	out := make([]LUEvent, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, h.ring[(h.next-i+len(h.ring))%len(h.ring)])
	}
	return out
}

// Dropped counts results lost because the console had not read them.
func (h *History) Dropped() uint64 { return h.dropped.Load() }
