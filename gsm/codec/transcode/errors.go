package transcode

import "errors"

var (
	// ErrFormat is returned for a payload type that cannot be transcoded.
	ErrFormat = errors.New("transcode: unsupported payload type")
	// ErrPtime is returned for a packet duration that is not a positive
	// multiple of the output format's frame, or too long.
	ErrPtime = errors.New("transcode: bad packet duration")
	// ErrPayload is returned for an input payload that is not a whole
	// number of frames of the input format.
	ErrPayload = errors.New("transcode: bad input payload")
	// ErrOverflow is returned when input arrives faster than output is
	// taken and the buffer is full; the input is dropped.
	ErrOverflow = errors.New("transcode: buffer full")
	// ErrShort is returned for a destination buffer too small for one
	// output payload.
	ErrShort = errors.New("transcode: destination too short")
)
