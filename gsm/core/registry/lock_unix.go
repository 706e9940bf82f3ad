package registry

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// flockShared takes a shared flock on f (the lock bbolt's readers take;
// a writer holds an exclusive one), waiting up to timeout. The lock goes
// with f's Close.
func flockShared(f *os.File, timeout time.Duration) error {
	return flockWait(f, syscall.LOCK_SH, timeout)
}

func flockWait(f *os.File, how int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lockProbe fails with ErrLocked when another process has the file at
// path open through bbolt (reading or writing).
func lockProbe(path string, timeout time.Duration) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	if err := flockWait(f, syscall.LOCK_EX, timeout); err != nil {
		return fmt.Errorf("%w: %s (stop the running gsmbox first)", ErrLocked, path)
	}
	return nil
}
