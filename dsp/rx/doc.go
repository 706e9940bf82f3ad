// Package rx is the GSM burst receiver: it finds, measures and demodulates
// the bursts of one timeslot's samples, as the transceiver (dsp/trx) needs
// on the uplink of a base station and a virtual phone needs on the
// downlink.
//
// What it does, per 3GPP TS 45.002 §5.2 (burst formats), TS 45.004 (GMSK),
// TS 45.005 §6 (receiver performance), TS 45.008 §8.1 (signal level) and
// TS 45.010 §5–6 (timing, timing advance):
//
//   - Access bursts (RACH, TS 45.002 §5.2.7): correlation of the matched-
//     samples against the modulated extended tail and 41-bit
//     synchronisation sequence over the whole 0..63-symbol timing-advance
//     range, detection on the normalised correlation peak, time of arrival
//     interpolated to a fraction of a symbol, and soft demodulation of the
//     36 coded bits.
//   - Normal bursts (TS 45.002 §5.2.3) with any of the eight training
//     sequences, and synchronisation bursts (SCH, §5.2.5, the 64-bit
//     extended training sequence): timing from the training sequence,
//     a whitening filter that turns the matched filter's coloured noise
//     white (Forney's whitened matched filter), a least-squares estimate
//     of a 5-tap channel impulse response at one sample per symbol on the
//     training sequence, a maximum-likelihood sequence (max-log-MAP)
//     equaliser that gives soft bits for all 148 positions, and two
//     decision-directed passes that fit the channel again over the whole
//     burst and equalise again. Whitening and re-estimation gain 1.5 dB:
//     1 % SDCCH block errors at 2.5 dB Eb/N0 instead of 4.0 dB
//     (TestSDCCHBLER, BenchmarkBLERCurve).
//   - Frequency correction bursts (FCCH, §5.2.4): tone detection, burst
//     position and carrier frequency offset, for a phone's cell search.
//   - Per-burst measurements: RSSI (dBFS plus a calibration offset to give
//     dBm), C/I from the training-sequence residual, time of arrival in
//     symbols and the carrier frequency offset.
//
// Sensitivity and cost: `go test -run BLER ./dsp/rx` checks the SDCCH
// block error rate on the static channel (TestSDCCHBLER, a sequential
// test on a 95 % interval); `go test -run XXX -bench BLERCurve -benchtime
// 1x ./dsp/rx` prints the curves (static, TU50, RA250, HT100) of this
// receiver and the one before, with the reference-sensitivity margin;
// BenchmarkNormal and BenchmarkSDCCHBlock (demodulation and decoding)
// compare their cost side by side. Bursts whose training C/I reaches 12 dB
// take one equaliser pass; weaker ones three (two Viterbi, one
// max-log-MAP) plus any frequency retries.
//
// The receiver uses Laurent's decomposition of GMSK: the signal is close
// to a linear modulation of real symbols b(k) = 1 − 2·d(k) (the data bits
// themselves, thanks to the differential encoding of TS 45.004 §2.5) by
// the main pulse C0, rotated by j^k. The samples are filtered with C0
// (the matched filter), sampled once per symbol, derotated by j^−k, and
// what remains is a real-symbol ISI channel for the equaliser.
//
// Soft bits follow the convention of tdma.SoftBurst and the TRX protocol:
// −127..127, positive means 0.
//
// Usage, plan first and then one call per burst (no allocation per burst):
//
//	d, err := rx.NewDemodulator(rx.Config{Config: gmsk.Config{SPS: 4}})
//	m, ok := d.Normal(&soft, slotSamples, tsc)
//	m, ok := d.Access(&soft, slotSamples)
//
// # Use from dsp/trx
//
// The receive loop builds one Demodulator with the transmitter's own
// gmsk.Config (txModulation), the board's RSSI calibration, and a margin
// M of samples either side of each uplink slot (M = 6 symbols covers the
// ±4-symbol search and the matched filter):
//
//	d, err := rx.NewDemodulator(rx.Config{Config: txModulation, BurstStart: mod.Lead() + M*sps, RSSIOffset: cal})
//	w := stream[slotStart-M*sps : slotStart+slotLen+M*sps] // slotStart as Transmitter lays out slot tn
//	var rb tdma.RxBurst
//	m, ok := d.Normal(&rb.Soft, w, tsc)   // or d.Access(&rb.Soft, w) on a RACH slot
//	if ok { m.Fill(&rb); rb.Kind = tdma.KindNormal /* or KindAccess */; ... }
//
// slotStart is where the uplink slot begins in the stream: the slot start
// of Transmitter.BurstStart(tn) − Lead(), on the uplink's frame timing
// (three timeslots after the downlink, TS 45.010 §6). ToA is then in
// symbols relative to that nominal position, which is what the TRX
// protocol reports; on an access burst m.TA() is the timing advance to
// assign. A virtual phone calls FCCH on about a frame of samples, then SCH
// one frame (8 slots) after FCCHResult.Start, after correcting its carrier
// by FCCHResult.FreqOffset.
//
// The package is pure: no goroutines, no I/O, no clock. Its place in the
// dependency order: above gsm/tdma and dsp/gmsk (whose modulator makes the
// reference waveforms), used by dsp/trx.
package rx
