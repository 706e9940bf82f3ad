package rf

import "errors"

// Errors of the chain table and the front-end layer.
var (
	// ErrChain reports an inconsistent chain description.
	ErrChain = errors.New("rf: bad chain")
	// ErrUnknownChain is returned by LookupChain for a name no chain has.
	ErrUnknownChain = errors.New("rf: unknown chain")
	// ErrOutOfBand refuses a TX tune outside the configured band's
	// downlink range.
	ErrOutOfBand = errors.New("rf: TX frequency outside the band's downlink range")
	// ErrPowerLimit refuses a power setting above the board's maximum.
	ErrPowerLimit = errors.New("rf: power above the board's maximum")
	// ErrNotReady refuses to enable the PA before PLL lock and clock
	// discipline (or an operator override).
	ErrNotReady = errors.New("rf: transmitter not ready")
	// ErrNoClockReference: nothing vouches for the reference oscillator
	// (no GPS lock, no calibration against GSM cells, no override); its
	// text is NoClockReference.
	ErrNoClockReference = errors.New(NoClockReference)
	// ErrTripped refuses to enable the PA while a trip is latched.
	ErrTripped = errors.New("rf: interlock tripped")
	// ErrBand reports a band the chain has no filter for.
	ErrBand = errors.New("rf: band not supported by the chain")
)
