package adf4351

import "errors"

var (
	// ErrRange reports a frequency or option the part cannot produce.
	ErrRange = errors.New("adf4351: out of range")
	// ErrLockTimeout is returned when LD stays low past the timeout.
	ErrLockTimeout = errors.New("adf4351: PLL did not lock")
	// ErrNoLockDetect is returned by WaitLock when no LD pin was given.
	ErrNoLockDetect = errors.New("adf4351: no lock-detect pin")
	// ErrRegister reports a register word that does not decode.
	ErrRegister = errors.New("adf4351: bad register word")
)
