package trxproto

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultLogEvery is how often a BadInput logs at most.
const DefaultLogEvery = time.Second

// BadInput counts input a peer controls the amount of (unreadable
// datagrams, refused commands, malformed PDUs) and logs it at most once
// per interval: the first occurrence at once, then one line per interval
// that says how many were not logged since, so that a flood of 40,000
// datagrams gives a handful of lines, never thousands. Flush logs what is
// left at the end. The zero value is not usable; use NewBadInput. Safe
// for concurrent use; Note does not allocate when it does not log.
type BadInput struct {
	what  string
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	n          atomic.Uint64
	mu         sync.Mutex
	last       time.Time // when a line was last logged
	suppressed uint64    // noted since then and not logged
}

// NewBadInput returns a counter that logs "what" to log (nil: nowhere) at
// most once per every (0: DefaultLogEvery). now is the clock (nil: the
// system's).
func NewBadInput(what string, log *slog.Logger, every time.Duration, now func() time.Time) *BadInput {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if every <= 0 {
		every = DefaultLogEvery
	}
	if now == nil {
		now = time.Now
	}
	return &BadInput{what: what, log: log, every: every, now: now}
}

// Note counts one occurrence and logs it at WARN when no line was logged
// in the last interval, with the number suppressed since the last line.
func (b *BadInput) Note(err error, args ...any) {
	b.n.Add(1)
	t := b.now()
	b.mu.Lock()
	if !b.last.IsZero() && t.Sub(b.last) < b.every {
		b.suppressed++
		b.mu.Unlock()
		return
	}
	sup := b.suppressed
	b.last, b.suppressed = t, 0
	b.mu.Unlock()
	attrs := append([]any{"err", err, "total", b.n.Load()}, args...)
	if sup > 0 {
		attrs = append(attrs, "suppressed", sup)
	}
	b.log.Warn(b.what, attrs...)
}

// Count returns how many occurrences were noted.
func (b *BadInput) Count() uint64 { return b.n.Load() }

// Flush logs one summary line for the occurrences not logged yet, if any.
func (b *BadInput) Flush() {
	b.mu.Lock()
	sup := b.suppressed
	b.suppressed = 0
	b.mu.Unlock()
	if sup > 0 {
		b.log.Warn(b.what+" (summary)", "total", b.n.Load(), "not logged", sup)
	}
}
