package discipline

import "errors"

var (
	// ErrConfig reports an unusable loop configuration.
	ErrConfig = errors.New("discipline: bad config")
	// ErrCalibration reports too few or too inconsistent carrier offset
	// estimates to compute a correction.
	ErrCalibration = errors.New("discipline: calibration failed")
)
