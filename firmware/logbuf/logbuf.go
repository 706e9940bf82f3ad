package logbuf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/storage"
)

// Ring holds the last N lines written to it. It is an io.Writer; a write
// may hold several lines or part of one.
type Ring struct {
	mu      sync.Mutex
	lines   []string
	next    int
	full    bool
	partial []byte
	seq     uint64
}

// New returns a ring of n lines.
func New(n int) *Ring {
	if n < 1 {
		n = 1
	}
	return &Ring{lines: make([]string, n)}
}

// Write implements io.Writer.
func (r *Ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	data := append(r.partial, p...)
	for {
		i := strings.IndexByte(string(data), '\n')
		if i < 0 {
			break
		}
		r.lines[r.next] = string(data[:i])
		r.next = (r.next + 1) % len(r.lines)
		if r.next == 0 {
			r.full = true
		}
		r.seq++
		data = data[i+1:]
	}
	r.partial = append([]byte(nil), data...)
	return len(p), nil
}

// Lines returns the buffered lines, oldest first.
func (r *Ring) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	if r.full {
		out = append(out, r.lines[r.next:]...)
	}
	return append(out, r.lines[:r.next]...)
}

// Seq counts the lines ever written; it changes when there is news.
func (r *Ring) Seq() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// NewHandler returns a slog text handler writing to the ring and, when
// console is not nil, to the console as well.
func NewHandler(r *Ring, console io.Writer, level slog.Leveler) slog.Handler {
	var w io.Writer = r
	if console != nil {
		w = io.MultiWriter(r, console)
	}
	return slog.NewTextHandler(&lockedWriter{w: w}, &slog.HandlerOptions{Level: level})
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Log file names on the data partition.
const (
	FileName     = "gsmbox.log"
	PrevFileName = "gsmbox.prev.log"
)

// Persister is a service that writes the ring to storage every Interval
// when there are new lines, and once more when stopped.
type Persister struct {
	Ring     *Ring
	Store    storage.Store
	Clock    clock.Clock
	Interval time.Duration
}

// Name implements supervisor.Service.
func (p *Persister) Name() string { return "logbuf" }

// Serve implements supervisor.Service. At its first start it keeps the
// previous boot's log as gsmbox.prev.log.
func (p *Persister) Serve(ctx context.Context) error {
	if old, err := p.Store.ReadFile(FileName); err == nil {
		if err := p.Store.WriteFile(PrevFileName, old); err != nil {
			return fmt.Errorf("%w: %w", ErrPersist, err)
		}
		p.Store.Remove(FileName)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrPersist, err)
	}
	var written uint64
	for {
		select {
		case <-ctx.Done():
			if err := p.Flush(); err != nil {
				return err
			}
			return nil
		case <-p.Clock.After(p.Interval):
		}
		if s := p.Ring.Seq(); s != written {
			if err := p.Flush(); err != nil {
				return err
			}
			written = s
		}
	}
}

// Flush writes the ring to storage now.
func (p *Persister) Flush() error {
	lines := p.Ring.Lines()
	if err := p.Store.WriteFile(FileName, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		return fmt.Errorf("%w: %w", ErrPersist, err)
	}
	return nil
}
