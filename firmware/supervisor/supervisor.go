package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
)

// Service is one long-running part of the appliance.
type Service interface {
	// Name identifies the service in logs, status and config.Diff's
	// Change.Service ("cell", "usb", ...). It must be unique.
	Name() string
	// Serve runs until ctx is cancelled (return nil or ctx.Err()) or the
	// service fails (return the error; wrap ErrDoNotRestart to stay
	// stopped). The supervisor calls it from its own goroutine, again after
	// each return unless told not to.
	Serve(ctx context.Context) error
}

// State is where a service is in its life.
type State string

// The states a service moves through.
const (
	Pending  State = "pending"
	Running  State = "running"
	Backoff  State = "backoff"
	Stopped  State = "stopped" // returned ErrDoNotRestart, or shut down
	Stopping State = "stopping"
)

// ServiceStatus is a snapshot of one service.
type ServiceStatus struct {
	Name     string
	Critical bool
	State    State
	// Restarts counts restarts after failures; Failures counts
	// consecutive failures (reset once the service runs for StableAfter).
	Restarts int
	Failures int
	// LastError is the error of the last return, "" if none.
	LastError string
	// Since is when the service entered State.
	Since time.Time
	// Backoff is the current wait before the next start.
	Backoff time.Duration
}

// Policy is the restart policy.
type Policy struct {
	// MinBackoff is the first wait after a failure; it doubles up to
	// MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// StableAfter is how long a service must run for its failure count to
	// reset.
	StableAfter time.Duration
	// StuckFailures is how many consecutive failures make a critical
	// service count as stuck in back-off (unhealthy).
	StuckFailures int
	// StopTimeout bounds how long shutdown waits for each service.
	StopTimeout time.Duration
}

// DefaultPolicy is what New uses.
var DefaultPolicy = Policy{
	MinBackoff:    time.Second,
	MaxBackoff:    time.Minute,
	StableAfter:   time.Minute,
	StuckFailures: 3,
	StopTimeout:   5 * time.Second,
}

type entry struct {
	svc      Service
	critical bool

	mu      sync.Mutex
	status  ServiceStatus
	cancel  context.CancelFunc
	restart chan struct{} // buffered 1: a restart request
	done    chan struct{} // closed when the run loop ends
}

// Supervisor owns the services' goroutines.
type Supervisor struct {
	clock  clock.Clock
	log    *slog.Logger
	policy Policy

	mu      sync.Mutex
	entries []*entry
	byName  map[string]*entry
	started bool
}

// New returns a supervisor using clk for back-off and log for events.
func New(clk clock.Clock, log *slog.Logger, p Policy) *Supervisor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Supervisor{clock: clk, log: log, policy: p, byName: map[string]*entry{}}
}

// Add registers a service, to be started in the order added. Critical
// services count for Healthy. Add panics on a duplicate name or after
// Serve has started (programmer errors).
func (s *Supervisor) Add(svc Service, critical bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		panic("supervisor: Add after Serve")
	}
	if _, dup := s.byName[svc.Name()]; dup {
		panic("supervisor: duplicate service " + svc.Name())
	}
	e := &entry{svc: svc, critical: critical, restart: make(chan struct{}, 1), done: make(chan struct{})}
	e.status = ServiceStatus{Name: svc.Name(), Critical: critical, State: Pending, Since: s.clock.Now()}
	s.entries = append(s.entries, e)
	s.byName[svc.Name()] = e
}

// Serve starts every service in order and blocks until ctx is cancelled;
// then it stops them in reverse order, waiting up to StopTimeout for each,
// and returns nil.
func (s *Supervisor) Serve(ctx context.Context) error {
	s.mu.Lock()
	s.started = true
	entries := append([]*entry(nil), s.entries...)
	s.mu.Unlock()

	ctxs := make([]context.CancelFunc, len(entries))
	for i, e := range entries {
		sctx, cancel := context.WithCancel(context.Background())
		ctxs[i] = cancel
		go s.loop(sctx, e)
		s.log.Info("service started", "service", e.svc.Name())
	}
	<-ctx.Done()
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		e.set(func(st *ServiceStatus) { st.State = Stopping }, s.clock.Now())
		ctxs[i]()
		select {
		case <-e.done:
			s.log.Info("service stopped", "service", e.svc.Name())
		case <-time.After(s.policy.StopTimeout):
			s.log.Error("service did not stop in time", "service", e.svc.Name(), "timeout", s.policy.StopTimeout)
		}
	}
	return nil
}

func (e *entry) set(f func(*ServiceStatus), now time.Time) {
	e.mu.Lock()
	old := e.status.State
	f(&e.status)
	if e.status.State != old {
		e.status.Since = now
	}
	e.mu.Unlock()
}

func (s *Supervisor) serveOnce(ctx context.Context, e *entry) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Service: e.svc.Name(), Value: v}
		}
	}()
	return e.svc.Serve(ctx)
}

func (s *Supervisor) loop(ctx context.Context, e *entry) {
	defer close(e.done)
	name := e.svc.Name()
	backoff := time.Duration(0)
	for {
		rctx, cancel := context.WithCancel(ctx)
		e.mu.Lock()
		e.cancel = cancel
		e.mu.Unlock()
		start := s.clock.Now()
		e.set(func(st *ServiceStatus) { st.State = Running; st.Backoff = 0 }, start)
		// A restart request cancels this run.
		stopWatch := make(chan struct{})
		restarted := make(chan bool, 1)
		go func() {
			select {
			case <-e.restart:
				restarted <- true
				cancel()
			case <-stopWatch:
				restarted <- false
			}
		}()
		err := s.serveOnce(rctx, e)
		close(stopWatch)
		wasRestart := <-restarted
		cancel()
		if ctx.Err() != nil {
			e.set(func(st *ServiceStatus) { st.State = Stopped }, s.clock.Now())
			return
		}
		if wasRestart {
			s.log.Info("service restarted on request", "service", name)
			e.set(func(st *ServiceStatus) { st.Failures = 0 }, s.clock.Now())
			backoff = 0
			continue
		}
		msg := "returned"
		if err != nil {
			msg = err.Error()
		}
		if errors.Is(err, ErrDoNotRestart) {
			s.log.Warn("service stopped for good", "service", name, "err", msg)
			e.set(func(st *ServiceStatus) { st.State = Stopped; st.LastError = msg }, s.clock.Now())
			return
		}
		now := s.clock.Now()
		if now.Sub(start) >= s.policy.StableAfter {
			backoff = 0
			e.set(func(st *ServiceStatus) { st.Failures = 0 }, now)
		}
		if backoff == 0 {
			backoff = s.policy.MinBackoff
		} else if backoff *= 2; backoff > s.policy.MaxBackoff {
			backoff = s.policy.MaxBackoff
		}
		e.set(func(st *ServiceStatus) {
			st.State = Backoff
			st.Failures++
			st.Restarts++
			st.LastError = msg
			st.Backoff = backoff
		}, now)
		s.log.Error("service failed; restarting after back-off", "service", name, "err", msg, "backoff", backoff)
		select {
		case <-ctx.Done():
			e.set(func(st *ServiceStatus) { st.State = Stopped }, s.clock.Now())
			return
		case <-s.clock.After(backoff):
		case <-e.restart:
			backoff = 0
		}
	}
}

// Restart asks the named service to restart now: its context is
// cancelled, and when Serve returns it is started again without back-off.
// A service in back-off starts at once. It does not wait.
func (s *Supervisor) Restart(name string) error {
	s.mu.Lock()
	e, ok := s.byName[name]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownService, name)
	}
	select {
	case e.restart <- struct{}{}:
	default: // one already pending
	}
	return nil
}

// Status returns a snapshot of every service, in start order.
func (s *Supervisor) Status() []ServiceStatus {
	s.mu.Lock()
	entries := append([]*entry(nil), s.entries...)
	s.mu.Unlock()
	out := make([]ServiceStatus, len(entries))
	for i, e := range entries {
		e.mu.Lock()
		out[i] = e.status
		e.mu.Unlock()
	}
	return out
}

// Healthy returns nil unless a critical service is stuck in back-off
// (StuckFailures consecutive failures); then an error naming it.
func (s *Supervisor) Healthy() error {
	var errs []error
	for _, st := range s.Status() {
		if st.Critical && st.State == Backoff && st.Failures >= s.policy.StuckFailures {
			errs = append(errs, fmt.Errorf("service %s stuck in back-off after %d failures: %s", st.Name, st.Failures, st.LastError))
		}
	}
	return errors.Join(errs...)
}
