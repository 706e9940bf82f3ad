package rtp

import (
	"errors"
	"fmt"
)

var (
	// ErrShort is returned when a buffer is too short for what it must hold.
	ErrShort = errors.New("rtp: buffer too short")
	// ErrVersion is returned for a packet whose version is not 2.
	ErrVersion = errors.New("rtp: version is not 2")
	// ErrPadding is returned for a padding count that is zero or larger
	// than the packet body.
	ErrPadding = errors.New("rtp: bad padding")
	// ErrHeader is returned when a Header cannot be marshalled as it is.
	ErrHeader = errors.New("rtp: invalid header")
	// ErrPayload is returned for a payload whose size does not fit its
	// payload type (for GSM, a multiple of 33 bytes).
	ErrPayload = errors.New("rtp: payload does not fit payload type")
	// ErrPayloadType is returned for a payload type this package does not
	// frame.
	ErrPayloadType = errors.New("rtp: unsupported payload type")
)

func errShort(what string, have, need int) error {
	return fmt.Errorf("%w: %s: have %d bytes, need %d", ErrShort, what, have, need)
}
