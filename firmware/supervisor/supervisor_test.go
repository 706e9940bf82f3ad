package supervisor

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
)

// fakeService runs a script: each call to Serve takes the next behaviour.
type fakeService struct {
	name  string
	mu    sync.Mutex
	calls int
	// fail[i] is returned by call i (when non-nil); calls beyond it block
	// until cancelled.
	fail    []error
	started chan int
	stopped chan string
	stopLog *[]string
	logMu   *sync.Mutex
}

func newFake(name string, fail ...error) *fakeService {
	return &fakeService{name: name, fail: fail, started: make(chan int, 100)}
}

func (f *fakeService) Name() string { return f.name }

func (f *fakeService) Serve(ctx context.Context) error {
	f.mu.Lock()
	i := f.calls
	f.calls++
	f.mu.Unlock()
	f.started <- i
	if i < len(f.fail) {
		if f.fail[i] == errPanic {
			panic("boom")
		}
		return f.fail[i]
	}
	<-ctx.Done()
	if f.stopLog != nil {
		f.logMu.Lock()
		*f.stopLog = append(*f.stopLog, f.name)
		f.logMu.Unlock()
	}
	return ctx.Err()
}

var errPanic = errors.New("panic please")

func waitStart(t *testing.T, f *fakeService, want int) {
	t.Helper()
	select {
	case got := <-f.started:
		if got != want {
			t.Fatalf("%s: start #%d, want #%d", f.name, got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: start #%d did not happen", f.name, want)
	}
}

func startSup(t *testing.T, clk clock.Clock, svcs ...*fakeService) (*Supervisor, func()) {
	t.Helper()
	s := New(clk, nil, DefaultPolicy)
	for _, f := range svcs {
		s.Add(f, true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Serve(ctx); close(done) }()
	return s, func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Serve did not return after cancel")
		}
	}
}

func TestBackoffDoubles(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	boom := errors.New("boom")
	f := newFake("cell", boom, boom, boom, boom)
	s, stop := startSup(t, clk, f)
	defer stop()
	waitStart(t, f, 0)
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if !clk.BlockUntil(1, 5*time.Second) {
			t.Fatalf("no back-off wait after failure %d", i+1)
		}
		st := s.Status()[0]
		if st.State != Backoff || st.Backoff != want {
			t.Fatalf("after failure %d: Status() = %s backoff %v, want backoff %v", i+1, st.State, st.Backoff, want)
		}
		if i+1 >= DefaultPolicy.StuckFailures {
			if err := s.Healthy(); err == nil {
				t.Errorf("Healthy() after %d failures = nil, want stuck", i+1)
			}
		} else if err := s.Healthy(); err != nil {
			t.Errorf("Healthy() after %d failures = %v, want nil", i+1, err)
		}
		clk.Advance(want - time.Millisecond)
		select {
		case <-f.started:
			t.Fatalf("restarted before back-off %v elapsed", want)
		case <-time.After(20 * time.Millisecond):
		}
		clk.Advance(time.Millisecond)
		waitStart(t, f, i+1)
	}
	// Call 4 blocks: running and healthy.
	waitRunning(t, s, 0)
	if st := s.Status()[0]; st.Restarts != 4 || st.LastError != "boom" {
		t.Errorf("Status() = %+v, want 4 restarts, last error boom", st)
	}
}

func waitRunning(t *testing.T, s *Supervisor, i int) {
	t.Helper()
	for d := time.Now().Add(5 * time.Second); time.Now().Before(d); time.Sleep(time.Millisecond) {
		if s.Status()[i].State == Running {
			return
		}
	}
	t.Fatalf("service %d never running: %+v", i, s.Status()[i])
}

func TestDoNotRestart(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	f := newFake("cell", DoNotRestart(errors.New("model mismatch")))
	s, stop := startSup(t, clk, f)
	defer stop()
	waitStart(t, f, 0)
	for d := time.Now().Add(5 * time.Second); time.Now().Before(d) && s.Status()[0].State != Stopped; time.Sleep(time.Millisecond) {
	}
	st := s.Status()[0]
	if st.State != Stopped || st.LastError == "" {
		t.Fatalf("Status() = %+v, want stopped with the error", st)
	}
	clk.Advance(time.Hour)
	select {
	case <-f.started:
		t.Fatal("service restarted after ErrDoNotRestart")
	case <-time.After(20 * time.Millisecond):
	}
	if err := s.Healthy(); err != nil {
		t.Errorf("Healthy() = %v, want nil (a deliberate stop is not stuck)", err)
	}
}

func TestPanicIsAFailure(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	f := newFake("cell", errPanic)
	s, stop := startSup(t, clk, f)
	defer stop()
	waitStart(t, f, 0)
	clk.BlockUntil(1, 5*time.Second)
	if st := s.Status()[0]; st.State != Backoff {
		t.Errorf("after panic Status() = %+v, want backoff", st)
	}
	clk.Advance(time.Second)
	waitStart(t, f, 1)
}

func TestRestartOnRequest(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	a, b := newFake("a"), newFake("cell")
	s, stop := startSup(t, clk, a, b)
	defer stop()
	waitStart(t, a, 0)
	waitStart(t, b, 0)
	if err := s.Restart("cell"); err != nil {
		t.Fatalf("Restart(cell) = %v", err)
	}
	waitStart(t, b, 1) // at once, no back-off
	select {
	case <-a.started:
		t.Error("Restart(cell) restarted a")
	case <-time.After(20 * time.Millisecond):
	}
	if err := s.Restart("nope"); !errors.Is(err, ErrUnknownService) {
		t.Errorf("Restart(nope) = %v, want ErrUnknownService", err)
	}
	if st := s.Status()[1]; st.Restarts != 0 {
		t.Errorf("a requested restart counted as failure: %+v", st)
	}
}

func TestOrderedShutdown(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	var log []string
	var mu sync.Mutex
	var svcs []*fakeService
	for _, n := range []string{"storage", "leds", "cell", "usb"} {
		f := newFake(n)
		f.stopLog, f.logMu = &log, &mu
		svcs = append(svcs, f)
	}
	before := runtime.NumGoroutine()
	_, stop := startSup(t, clk, svcs...)
	for _, f := range svcs {
		waitStart(t, f, 0)
	}
	stop()
	want := []string{"usb", "cell", "leds", "storage"}
	if len(log) != len(want) {
		t.Fatalf("stop order = %v, want %v", log, want)
	}
	for i := range want {
		if log[i] != want[i] {
			t.Fatalf("stop order = %v, want %v", log, want)
		}
	}
	// No goroutine left behind.
	for d := time.Now().Add(2 * time.Second); time.Now().Before(d) && runtime.NumGoroutine() > before; time.Sleep(time.Millisecond) {
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines after shutdown = %d, before start %d", n, before)
	}
}

func TestStableRunResetsBackoff(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	f := &longRun{clk: clk, started: make(chan int, 10)}
	s := New(clk, nil, DefaultPolicy)
	s.Add(f, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx)
	<-f.started // run 1 fails at once: back-off 1s
	clk.BlockUntil(1, 5*time.Second)
	clk.Advance(time.Second)
	<-f.started // run 2 fails at once: back-off 2s
	clk.BlockUntil(1, 5*time.Second)
	if st := s.Status()[0]; st.Backoff != 2*time.Second {
		t.Fatalf("after two quick failures Status() = %+v, want backoff 2s", st)
	}
	clk.Advance(2 * time.Second)
	<-f.started
	// Run 3 lasts 2 minutes then fails: back-off must be back to the minimum.
	clk.BlockUntil(1, 5*time.Second)
	clk.Advance(2 * time.Minute)
	clk.BlockUntil(1, 5*time.Second)
	if st := s.Status()[0]; st.Backoff != time.Second || st.Failures != 1 {
		t.Errorf("after a stable run Status() = %+v, want backoff 1s, 1 failure", st)
	}
}

// longRun fails after the fake clock has moved on by two minutes.
type longRun struct {
	clk     *clock.Fake
	started chan int
	n       int
}

func (l *longRun) Name() string { return "long" }
func (l *longRun) Serve(ctx context.Context) error {
	l.n++
	l.started <- l.n
	if l.n <= 2 {
		return errors.New("quick failure")
	}
	select {
	case <-l.clk.After(2 * time.Minute):
		return errors.New("late failure")
	case <-ctx.Done():
		return nil
	}
}
