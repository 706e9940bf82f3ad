package usbredir

import "errors"

var (
	// ErrShort: the stream ended inside a packet.
	ErrShort = errors.New("usbredir: short packet")
	// ErrTooLarge: a packet or transfer above the size limits.
	ErrTooLarge = errors.New("usbredir: packet too large")
	// ErrBadLength: a packet whose length does not fit its type.
	ErrBadLength = errors.New("usbredir: bad packet length")
	// ErrUnexpected: a packet type a usb-guest does not send, or one out
	// of place (anything before the hello, a second hello).
	ErrUnexpected = errors.New("usbredir: unexpected packet")
	// ErrStall is returned by a Handler to stall a request (the reply's
	// status is StatusStall).
	ErrStall = errors.New("usbredir: stall")
	// ErrTimeout is returned by a Handler for a transfer that timed out
	// (StatusTimeout).
	ErrTimeout = errors.New("usbredir: timeout")
	// ErrClosed: the server was closed.
	ErrClosed = errors.New("usbredir: closed")
)
