package watchdog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	uwd "github.com/u-root/u-root/pkg/watchdog"
	"golang.org/x/sys/unix"
)

// Device is an armed hardware watchdog.
type Device interface {
	// KeepAlive restarts the countdown. The feeder calls it every
	// Interval, from one goroutine.
	KeepAlive() error
	// Close releases the device without disarming it (no magic close):
	// if shutdown hangs, the hardware still resets the box.
	Close() error
}

// Open arms the watchdog at path with the given timeout.
func Open(path string, timeout time.Duration) (Device, error) {
	w, err := uwd.Open(path)
	if err != nil {
		return nil, fmt.Errorf("watchdog: open %s: %w", path, err)
	}
	// WDIOC_SETTIMEOUT takes whole seconds as an int (linux/watchdog.h).
	// (u-root's SetTimeout passes the time.Duration itself, which drivers
	// reject, so the ioctl is made here.)
	if err := unix.IoctlSetPointerInt(int(w.File.Fd()), unix.WDIOC_SETTIMEOUT, int(timeout/time.Second)); err != nil {
		// Keep the driver's default rather than fail.
		slog.Warn("watchdog: cannot set timeout; using the driver's", "err", err)
	}
	if err := w.KeepAlive(); err != nil {
		w.Close()
		return nil, fmt.Errorf("watchdog: keepalive: %w", err)
	}
	return w, nil
}

// Check is one health check.
type Check struct {
	Name string
	// Fn returns nil when healthy. It is called every Interval from the
	// feeder's goroutine and must not block for long.
	Fn func() error
}

// Advancing returns a check function that fails when counter() returns the
// same value twice in a row (the TDMA frame number must move between
// checks).
func Advancing(counter func() uint64) func() error {
	var mu sync.Mutex
	var last uint64
	first := true
	return func() error {
		mu.Lock()
		defer mu.Unlock()
		v := counter()
		if !first && v == last {
			return fmt.Errorf("%w: still %d", ErrNotAdvancing, v)
		}
		first, last = false, v
		return nil
	}
}

// Every returns a check function that runs fn at most once per period
// (as measured by clk) and repeats its last result in between: the storage
// probe writes to flash, which should not happen every few seconds.
func Every(clk clock.Clock, period time.Duration, fn func() error) func() error {
	var mu sync.Mutex
	var last time.Time
	var result error
	ran := false
	return func() error {
		mu.Lock()
		defer mu.Unlock()
		now := clk.Now()
		if !ran || now.Sub(last) >= period {
			result, last, ran = fn(), now, true
		}
		return result
	}
}

// Feeder is the service that feeds the watchdog while healthy.
type Feeder struct {
	Dev      Device
	Clock    clock.Clock
	Interval time.Duration
	Checks   []Check
	Log      *slog.Logger

	mu      sync.Mutex
	lastErr error
	fed     int
}

// Name implements supervisor.Service.
func (f *Feeder) Name() string { return "watchdog" }

// Serve implements supervisor.Service.
func (f *Feeder) Serve(ctx context.Context) error {
	for {
		err := f.CheckAll()
		f.mu.Lock()
		changed := (err == nil) != (f.lastErr == nil)
		f.lastErr = err
		f.mu.Unlock()
		if err != nil {
			if changed && f.Log != nil {
				f.Log.Error("health check failed; not feeding the watchdog", "err", err)
			}
		} else {
			if changed && f.Log != nil {
				f.Log.Info("health checks pass again; feeding the watchdog")
			}
			if kerr := f.Dev.KeepAlive(); kerr != nil {
				return fmt.Errorf("watchdog: keepalive: %w", kerr)
			}
			f.mu.Lock()
			f.fed++
			f.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-f.Clock.After(f.Interval):
		}
	}
}

// CheckAll runs every check and joins the failures.
func (f *Feeder) CheckAll() error {
	var errs []error
	for _, c := range f.Checks {
		if err := c.Fn(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.Name, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrUnhealthy, errors.Join(errs...))
	}
	return nil
}

// LastError returns the most recent health result (nil when healthy).
func (f *Feeder) LastError() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastErr
}

// Fake is a Device that counts keep-alives.
type Fake struct {
	mu     sync.Mutex
	Alive  int
	Closed bool
}

// KeepAlive implements Device.
func (d *Fake) KeepAlive() error {
	d.mu.Lock()
	d.Alive++
	d.mu.Unlock()
	return nil
}

// Close implements Device.
func (d *Fake) Close() error {
	d.mu.Lock()
	d.Closed = true
	d.mu.Unlock()
	return nil
}

// Count returns the keep-alives so far.
func (d *Fake) Count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.Alive
}
