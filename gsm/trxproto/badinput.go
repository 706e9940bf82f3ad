package trxproto

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultLogEvery is how often a BadInput logs at most, once its burst
// is spent.
const DefaultLogEvery = time.Second

// logBurst is how many lines a BadInput logs at once before it falls back
// to one per interval: an operator sees the first few distinct problems
// (three refused tunes in a row), a flood gives a handful of lines.
const logBurst = 5

// BadInput counts input a peer controls the amount of (unreadable
// datagrams, refused commands, malformed PDUs) and logs it at a bounded
// rate: the first logBurst occurrences at once, then at most one line
// per interval (a token bucket), each saying how many were not logged
// since, so that a flood of 40,000 datagrams gives a handful of lines,
// never thousands. Flush logs what is
// left at the end. The zero value is not usable; use NewBadInput. Safe
// for concurrent use; Note does not allocate when it does not log.
type BadInput struct {
	what  string
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	n          atomic.Uint64
	mu         sync.Mutex
	last       time.Time // when tokens were last counted
	tokens     float64   // lines that may be logged now
	suppressed uint64    // noted since the last line and not logged
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
	return &BadInput{what: what, log: log, every: every, now: now, tokens: logBurst}
}

// Note counts one occurrence and logs it at WARN when the rate allows,
// with the number not logged since the last line.
func (b *BadInput) Note(err error, args ...any) {
	b.n.Add(1)
	t := b.now()
	b.mu.Lock()
	if !b.last.IsZero() {
		b.tokens = min(logBurst, b.tokens+float64(t.Sub(b.last))/float64(b.every))
	}
	b.last = t
	if b.tokens < 1 {
		b.suppressed++
		b.mu.Unlock()
		return
	}
	b.tokens--
	sup := b.suppressed
	b.suppressed = 0
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
