// Package supervisor runs the appliance's long-running services, gokrazy
// style: each is a Service with Serve(ctx) error; the supervisor starts them
// in order, restarts one that returns with exponential back-off (1 s
// doubling to 1 min, reset after it has run for a minute), never restarts
// one that returned an error wrapping ErrDoNotRestart, restarts one on
// request (a configuration change), and stops them in reverse order.
//
// Healthy reports whether any critical service is stuck in back-off; the
// watchdog feeder uses it so a wedged box is reset by the hardware.
//
// It has no I/O and takes its clock as a parameter (firmware/clock), so it
// is tested in fake time.
//
// Place in the dependency order: platform (firmware/); imports
// firmware/clock and log/slog only. Used by the firmware runtime and
// cmd/gsmbox.
package supervisor
