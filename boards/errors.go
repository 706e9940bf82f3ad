package boards

import "errors"

// ErrUnknownBoard is returned by Lookup for a name no descriptor has.
var ErrUnknownBoard = errors.New("boards: unknown board")
