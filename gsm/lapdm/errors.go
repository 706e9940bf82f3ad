package lapdm

import "errors"

var (
	// ErrShort is returned when a frame is shorter than its header says.
	ErrShort = errors.New("lapdm: frame too short")
	// ErrAddress is returned for an address field that is not a LAPDm
	// address (EA bit 0 without a short L2 header, TS 44.006 §3.2).
	ErrAddress = errors.New("lapdm: bad address field")
	// ErrControl is returned for a control field that encodes no LAPDm
	// frame type (TS 44.006 §3.4, Table 4).
	ErrControl = errors.New("lapdm: bad control field")
	// ErrLength is returned for a bad length indicator field (EL bit 0, or
	// a length beyond the block, TS 44.006 §3.6) or an information field
	// that does not fit the frame format.
	ErrLength = errors.New("lapdm: bad length")
	// ErrBuffer is returned when an output buffer is too small.
	ErrBuffer = errors.New("lapdm: buffer too small")
	// ErrTooLong is returned by a request whose L3 message exceeds what the
	// entity can carry (MaxMessage, or N201 for a UI frame or a SABM).
	ErrTooLong = errors.New("lapdm: message too long")
	// ErrQueueFull is returned by a request when the transmit queue is full.
	ErrQueueFull = errors.New("lapdm: transmit queue full")
	// ErrState is returned by a request the entity cannot take in its
	// current state (for example data before establishment).
	ErrState = errors.New("lapdm: not allowed in this state")
	// ErrConfig is returned by NewEntity and NewLink for a bad Config.
	ErrConfig = errors.New("lapdm: bad config")
)
