// Package iq holds the sample-block helpers of the DSP core: blocks of
// complex64 baseband samples (full scale is magnitude 1), their power in
// dBFS, scaling and summing, a numerically controlled oscillator that shifts
// a block in frequency, and the IQ file format: complex float32, I then Q,
// little-endian, interleaved, with no header. That is GNU Radio's
// "complex" file sink format, the one gr-gsm's `grgsm_decode -c` reads
// (native endian on every platform we run on).
//
// It is a leaf: it imports only the standard library. dsp/filter,
// dsp/gmsk, dsp/radio, dsp/trx and dsp/sim build on it. Apart from Writer
// and Reader, which wrap an io.Writer or io.Reader handed in by the caller,
// it does no I/O.
package iq
