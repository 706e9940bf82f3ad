package status

import "errors"

// ErrNoStatus means no supervisor has written a status file (gsmbox is not
// running as the appliance's init).
var ErrNoStatus = errors.New("status: no status file; is the supervisor running?")
