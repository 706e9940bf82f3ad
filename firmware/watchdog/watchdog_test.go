package watchdog

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
)

func TestFeedsOnlyWhileHealthy(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	dev := &Fake{}
	var fn atomic.Uint64
	var storageErr atomic.Pointer[error]
	f := &Feeder{Dev: dev, Clock: clk, Interval: time.Second, Checks: []Check{
		{Name: "tdma clock", Fn: Advancing(fn.Load)},
		{Name: "storage", Fn: func() error {
			if e := storageErr.Load(); e != nil {
				return *e
			}
			return nil
		}},
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- f.Serve(ctx) }()
	step := func(advance bool) {
		t.Helper()
		if !clk.BlockUntil(1, 5*time.Second) {
			t.Fatal("feeder not waiting")
		}
		if advance {
			fn.Add(51)
		}
		clk.Advance(time.Second)
	}
	// Fed once at start, then once per healthy interval.
	step(true)
	step(true)
	clk.BlockUntil(1, 5*time.Second)
	if got := dev.Count(); got != 3 {
		t.Fatalf("keep-alives while healthy = %d, want 3", got)
	}
	step(false) // the frame number stood still
	clk.BlockUntil(1, 5*time.Second)
	if got := dev.Count(); got != 3 {
		t.Errorf("fed while the TDMA clock is stuck: %d keep-alives", got)
	}
	if err := f.LastError(); !errors.Is(err, ErrNotAdvancing) {
		t.Errorf("LastError() = %v, want ErrNotAdvancing", err)
	}
	ro := errors.New("read-only")
	storageErr.Store(&ro)
	step(true)
	clk.BlockUntil(1, 5*time.Second)
	if got := dev.Count(); got != 3 {
		t.Errorf("fed while storage fails: %d keep-alives", got)
	}
	storageErr.Store(nil)
	step(true)
	clk.BlockUntil(1, 5*time.Second)
	if got := dev.Count(); got != 4 {
		t.Errorf("keep-alives after recovery = %d, want 4", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

func TestEvery(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	calls := 0
	fail := false
	check := Every(clk, time.Minute, func() error {
		calls++
		if fail {
			return errors.New("read-only")
		}
		return nil
	})
	check()
	fail = true
	clk.Advance(30 * time.Second)
	if err := check(); err != nil || calls != 1 {
		t.Errorf("within the period: err %v after %d calls, want the cached nil after 1", err, calls)
	}
	clk.Advance(30 * time.Second)
	if err := check(); err == nil || calls != 2 {
		t.Errorf("after the period: err %v after %d calls, want the new failure after 2", err, calls)
	}
}
