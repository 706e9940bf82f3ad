// Package spectrum measures a GSM transmitter's output the way TS 45.005
// prescribes and checks it against the masks:
//
//   - the spectrum due to modulation (§4.2.1): power in a 30 kHz
//     resolution bandwidth (100 kHz from 1800 kHz offset on), averaged over
//     the part of each burst between 50 % and 90 % of its useful part,
//     excluding the midamble, relative to the same measurement at the
//     carrier;
//   - the spectrum due to switching transients (§4.2.2): peak-hold power
//     in 30 kHz over the whole signal, ramps included, relative to the
//     carrier's peak power in 300 kHz;
//   - the power-versus-time mask of Annex B for normal-duration bursts.
//
// The resolution filter is a Gaussian with the given 3 dB bandwidth, the
// usual model of an analyser's 5-pole synchronously tuned filter.
//
// It is pure and sits beside dsp/trx in the dependency order: tests and
// tools/spectrum feed it the real transmit chain's output.
package spectrum
