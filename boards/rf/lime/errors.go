package lime

import (
	"errors"
	"fmt"
)

var (
	// ErrShort reports a buffer too short for a packet.
	ErrShort = errors.New("lime: short packet")
	// ErrPacket reports a malformed packet (bad size field, wrong reply).
	ErrPacket = errors.New("lime: malformed packet")
	// ErrConfig reports an invalid configuration.
	ErrConfig = errors.New("lime: invalid config")
	// ErrStalled is returned by Read when the board has sent no RX
	// packet for the stall timeout; the caller restarts the board.
	ErrStalled = errors.New("lime: board stalled")
	// ErrLoopback is returned by a loopback exchange whose block was
	// not sent or received whole after its retries.
	ErrLoopback = errors.New("lime: loopback exchange failed")
	// ErrCalWorse is returned by CalibrateTX when the search left the
	// leakage or the image worse than it found them (the neutral
	// correctors are then loaded).
	ErrCalWorse = errors.New("lime: TX calibration made things worse")
)

// StatusError is an LMS64C reply with a status other than "completed".
type StatusError struct {
	Cmd    Command
	Status Status
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("lime: LMS64C %v: status %v", e.Cmd, e.Status)
}
