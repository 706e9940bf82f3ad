package watchdog

import "errors"

// ErrUnhealthy is the error a failing health check is reported with.
var ErrUnhealthy = errors.New("watchdog: unhealthy")

// ErrNotAdvancing means a progress counter (the TDMA frame number) has not
// moved since the previous check.
var ErrNotAdvancing = errors.New("not advancing")
