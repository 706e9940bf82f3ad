// Package discipline steers a board's reference oscillator onto GPS time.
//
// GSM needs every carrier within 0.05 ppm of nominal (3GPP TS 45.010
// §5.1) and the TDMA timing derived from the same reference. A GPS
// receiver's 1 PPS edge is a time reference with tens of nanoseconds of
// jitter; the board counts sample-clock ticks between edges. Loop turns
// those counts into reference-oscillator trim-DAC codes:
//
//   - free-running: no PPS; the DAC holds its last (or calibrated) code;
//   - acquiring: a frequency-locked stage measures the offset over a few
//     seconds and corrects it in one step, then a type-2 phase-locked
//     loop (proportional-integral on the accumulated time error) takes
//     over; once the filtered frequency error and the time error stay
//     small for a while the loop is
//   - locked: transmission is allowed (boards/rf's interlock reads
//     TXAllowed);
//   - holdover: PPS lost; the DAC freezes at the loop's average code and
//     transmission stays allowed for a bounded time, after which the loop
//     falls back to free-running. A returning PPS goes back to acquiring.
//
// With PPS timestamps microseconds noisy (Config.JitterNs ≥ 1 µs: a
// software latch) the loop runs instead as an averaging frequency loop
// (averaging.go): robust least-squares frequency over a growing window,
// corrections when certain, locked at a standard error of 10 ppb. GSM
// needs frequency (TS 45.010 §5.1), not time, so nothing is lost.
//
// Missing pulses are recognised from the tick count (an interval close to
// n seconds counts as n), and spurious extra edges are ignored.
//
// CarrierCalibration covers sites without GPS: it turns a series of
// frequency-offset estimates of a received carrier of known frequency
// (a neighbouring BTS's FCCH, as the DSP measures it) into a DAC
// correction.
//
// The package is pure: no goroutines, no I/O, no clock. The caller (the
// front end's clock service) feeds it PPS tick counts and one-second
// timeouts and writes the DAC codes it returns.
//
// Place in the dependency order: a leaf under boards/rf; imports only the
// standard library.
package discipline
