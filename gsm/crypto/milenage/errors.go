package milenage

import "errors"

// ErrRESLength is returned by C2 for a RES that is not 4 to 16 octets.
var ErrRESLength = errors.New("milenage: RES must be 4 to 16 octets")
