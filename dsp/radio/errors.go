package radio

import "errors"

// ErrClosed is returned by every method of a Stream after Close, and by
// calls that Close interrupted.
var ErrClosed = errors.New("radio: stream closed")

// ErrConfig reports an invalid stream configuration.
var ErrConfig = errors.New("radio: invalid config")
