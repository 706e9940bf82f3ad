package supervisor

import (
	"errors"
	"fmt"
)

// ErrDoNotRestart, wrapped in the error a service returns, tells the
// supervisor to leave the service stopped: its failure is permanent (bad
// hardware, a refused configuration) and restarting cannot help.
var ErrDoNotRestart = errors.New("do not restart")

// ErrUnknownService is returned by Restart for a name never added.
var ErrUnknownService = errors.New("supervisor: unknown service")

// DoNotRestart wraps err so that errors.Is(result, ErrDoNotRestart).
func DoNotRestart(err error) error {
	if err == nil {
		return ErrDoNotRestart
	}
	return fmt.Errorf("%w: %w", ErrDoNotRestart, err)
}

// PanicError is what a service that panicked is treated as having
// returned.
type PanicError struct {
	Service string
	Value   any
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("service %s panicked: %v", e.Service, e.Value)
}
