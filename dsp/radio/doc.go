// Package radio defines Stream, the sample seam between a radio front end
// and the transceiver (dsp/trx): timestamped blocks of complex baseband
// samples in both directions, with underrun and overrun flags, in the way
// osmo-trx's radio device works. Behind it sit a hardware front end
// (boards/), an IQ file (dsp/radio/iqfile), or the simulated air
// (dsp/sim).
//
// Time is the sample counter: a Timestamp counts samples at the stream's
// sample rate since the stream's epoch, and the transceiver derives the
// TDMA clock from it (at 4 samples per symbol a TDMA frame is 5000
// samples). The same Timestamp names the same instant on the transmit and
// the receive side of one Stream. Sample 0 is when the stream starts
// (hardware: when streaming begins; the simulated air: its virtual time
// origin), so a transceiver starts reading at 0 and writing a few frames
// ahead of that.
//
// Place in the dependency order: a seam, so it imports no DSP processing
// (dsp/filter, dsp/channel, dsp/gmsk, dsp/rx, ...; tools/archcheck
// enforces it), only gsm/tdma; below dsp/trx, dsp/sim, dsp/radio/iqfile
// and the board drivers. radiotest holds a fake for tests.
package radio
