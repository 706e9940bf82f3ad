// Package radiotest provides a fake radio.Stream for tests of code that
// drives a stream (the transceiver, recorders): it records every write,
// serves reads from a function of the timestamp, and injects flags and
// errors on demand. It never blocks. It imports only dsp/radio.
package radiotest
