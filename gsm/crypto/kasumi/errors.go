package kasumi

import "errors"

// ErrLength is returned by KGCore when the output buffer cannot hold the
// requested number of bits.
var ErrLength = errors.New("kasumi: output buffer too short")
