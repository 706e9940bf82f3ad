package filter

import "errors"

// ErrRatio reports a resampling ratio that has no small rational form.
var ErrRatio = errors.New("filter: unsupported resampling ratio")

// ErrDesign reports impossible filter design parameters.
var ErrDesign = errors.New("filter: invalid design")
