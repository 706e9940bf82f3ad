package gpspps

import "errors"

// ErrCounter wraps a failure to read the sample counter.
var ErrCounter = errors.New("gpspps: sample counter")

// ErrNoFit: the software latch (Fit) has no sample-stream arrivals around
// the edge (the stream is not running). The clock service counts such a
// second as one without PPS.
var ErrNoFit = errors.New("gpspps: no sample-stream fit")
