// Package filter designs and runs the FIR filters the DSP core needs:
// windowed-sinc low-pass design with a Kaiser window, a streaming complex
// FIR with real taps, fractional-delay interpolation kernels, and a
// streaming polyphase rational resampler (L/M), which lets IQ files be
// written at rates other than 4 samples per symbol: 1 MS/s is 12/13 and
// 2 MS/s 24/13 of 1625000/6×4 samples per second.
//
// It is pure (no goroutines, no I/O, no clock) and sits just above dsp/iq
// in the dependency order. Design functions allocate; the streaming
// Filter and Process methods do not once their buffers have grown.
package filter
