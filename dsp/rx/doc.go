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
//     extended training sequence): timing from the training sequence
//     (a half-symbol grid at one sample per symbol, then a parabola
//     through the grid's peak, to the nearest sample), a whitening filter that turns the matched filter's
//     coloured noise white (Forney's whitened matched filter), a least-
//     squares estimate of a 5-tap channel impulse response at one sample
//     per symbol on the training sequence, a maximum-likelihood sequence
//     (max-log-MAP) equaliser that gives soft bits for all 148
//     positions, and decision-directed passes that fit the channel again
//     over the whole burst and equalise again.
//   - A reduced-state trellis (equaliser.shorten): each pass models only
//     the taps the channel estimate needs, 2 to 5 (2 to 16 states). After
//     whitening, GMSK alone is a two-tap channel (1 and 0.6 of the main
//     tap, the third at −23 dB), so on the static channel nearly every
//     burst runs on 2 states; multipath keeps the taps that hold energy.
//     A tap is left out when what it holds, less what the estimation
//     error alone gives it, stays below a tenth of the noise (a fifth on
//     the hard passes) or −17 dB of the signal; what is left out is added
//     to the noise. Dropping the taps that hold only estimation noise
//     also sharpens the receiver: 0.1 to 0.4 dB on every profile.
//   - Passes: a burst whose training C/I reaches 12 dB is equalised once,
//     with soft output. A weaker one runs a hard Viterbi pass on the
//     training's estimate, a fit over the whole burst with soft output,
//     and a second fit only when the first changed more than 2 decisions
//     (a third of the bursts at 3 dB Eb/N0), plus any frequency retries.
//     Whitening and re-estimation gained 1.5 dB (1 % SDCCH block errors
//     at 2.5 dB Eb/N0 instead of 4.0 dB), the reduced-state trellis 0.1
//     more on the static channel (TestSDCCHBLER, BenchmarkBLERCurve).
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
// receiver, of it on the full 16-state trellis, and of the one before
// issue 16, with the reference-sensitivity margin. BenchmarkNormal (one
// burst at 10 dB) and BenchmarkSDCCHBlock (the four bursts of a block at
// 3 dB, the sensitivity limit, demodulated and decoded) compare the
// receivers side by side in one run and report CPU time per op and the
// ratio to real time for one TRX (8 × 1733 bursts/s, xRT-cpu):
//
//	go test -run XXX -bench 'Normal$|SDCCHBlock' -benchtime 3000x ./dsp/rx
//
// On this 2-core Xeon, loaded (load average about 13; CPU time, 8 runs
// of each build back to back, benchstat), the receiver costs 8.5 µs a
// burst at 10 dB (68× real time per core for one TRX) and 13.7 µs a
// burst at 3 dB with decoding (55 µs a block: 42×), against 25.8 and
// 57 µs (22× and 10×) for the receiver of commit 61d5f36, the 16-state
// one; rx=full is that trellis inside today's receiver. What limits it
// at the sensitivity limit (profile of BenchmarkSDCCHBlock/rx=now): the
// passes (a hard Viterbi pass, one or two fits, one or two max-log-MAP
// passes, the phase-slope fits: about 45 %), the matched filter at 4 sps
// (15 taps, about 230 outputs a burst: 20 %), the whitener (7 %), the
// block decoder (gsm/coding, 11 %) and the RSSI (4 %). Each is already
// written out for the compiler; what is left is the number of passes
// and Go's lack of vector instructions.
//
// The next measurement (issue 16, item 3; the test binaries of commit
// f4c180d and of this one run alternately, 10 times each, benchstat,
// CPU time, loaded, load average 7 to 10): the branchless add-compare-
// select of gsm/coding's Viterbi decoder is 19 % faster (3.73 against
// 4.63 µs a block, ±3 %, BenchmarkViterbiVsRef in one binary) and its
// quality figure no longer re-encodes into a copy, but that is 2 % of a
// block, within the noise: BenchmarkSDCCHBlock/rx=now 53.2 against
// 53.5 µs (±2 %, p = 0.85), 43× real time at 3 dB before and after;
// BenchmarkNormal/rx=now 8.4 against 8.5 µs (68×).
//
// The third (issue 16, item 3; the test binaries of commit 31985ea and
// of this one run alternately, 20 times each, benchstat, CPU time,
// loaded, load average 4 to 6): BenchmarkSDCCHBlock/rx=now 48.2 against
// 53.1 µs a block (−9 %, ±3 %, p < 0.001), 47.9× real time at 3 dB
// against 43.5×; BenchmarkNormal/rx=now 8.0 against 8.6 µs (72× against
// 67×); 0 allocations. What changed, each measured alone (15 alternate
// runs): the two-state max-log-MAP runs its forward and backward
// recursions in one loop (the two chains of add-and-min overlap; the
// soft outputs follow in a loop that waits on nothing), and the
// whitener's recursion waits on one multiply-add a step instead of two
// adds (together −3 %); the refit sums the samples per pattern of the
// five decisions an observation sees (32 sums, one add per sample)
// instead of five multiply-adds per sample (−3 %); the soft bits are
// clipped on their bits with an integer min instead of Go's float
// min/max (−1.5 %); the phase-slope fit takes angles within ±0.38
// radian from atan's series, without atan2's octant reduction (−1.5 %).
// The two-state Viterbi pass now keeps only the difference of its two
// metrics (no gain measured, kept for the shorter chain). The curves
// did not move (BenchmarkBLERCurve, 4000 blocks a point: 1 % static at
// Eb/N0 1.84 dB, TU50 10 % at 6.33 dB, before and after). Tried and
// left out: no second fit at all (refitChanged 148 or more) costs 0.14 dB on the
// static channel and 0.09 on TU50, 8 costs 0.11 static, and in this
// benchmark's four bursts none takes the second fit, so no time either;
// 4 costs nothing measurable and gains nothing here; Kay's phasor
// estimator for the free slope (one angle instead of 18) costs 0.12 dB
// on both; a 13-tap matched filter (±1.5 symbols, the taps at ±1.75
// hold −44 dB) gives no measurable gain and moves two seeded tests;
// two chains in correlate and a two-step whitener recursion gain under
// 1 %. What limits it now (profile of BenchmarkSDCCHBlock/rx=now): the
// matched filter's outputs (about 260 a burst, a third of them for the
// timing search: 21 %), the max-log-MAP pass (12 %) and the hard
// Viterbi pass before the fit (10 %), the block decoder (9 %), the
// phase-slope fits (three a burst: 10 %), the correlations of the
// timing search (7 %), the training's channel estimate over four
// windows (6 %). The rest of the way to 50× is in the number of
// matched-filter outputs and passes, not in their inner loops.
//
// The fourth (issue 16, item 3; the test binaries of commit d9e8ff4 and
// of this one run alternately, 25 times each, benchstat, CPU time,
// loaded, load average 2 to 4): BenchmarkSDCCHBlock/rx=now 44.7 against
// 48.5 µs a block (−7.8 %, ±3 %, p < 0.001), 51.7× real time at 3 dB
// against 47.6×; BenchmarkNormal/rx=now 7.0 against 7.8 µs (82× against
// 74×); 0 allocations. What changed: the timing search no longer
// filters the samples between the half-symbol grid's (a third of the
// matched filter's outputs went there) nor correlates on every sample
// around the peak: the timing is the vertex of a parabola through the
// grid's peak and its two neighbours (square roots of the correlations,
// as before), rounded to the nearest sample; an off-grid timing's
// samples are filtered with the rest of the burst's symbols anyway. The
// normalised correlation's energy is summed on the samples its
// correlation saw (one a symbol, scaled). The matched filter runs in
// strided loops without a call per output, and the symbols whose
// samples the search already filtered are copied as one run (bit-exact;
// alone within the noise, 0 to 2 %). Sensitivity (BenchmarkBLERCurve, 4000
// blocks a point): 1 % static at Eb/N0 1.85 dB (1.84 before), TU50 10 %
// at 6.29 dB (6.33). Time of arrival (TestAccessToA, RMS error over
// 0..63.75 symbols): 0.023 symbol without noise (0.015 before; the
// parabola on half-symbol spacing is a little biased), 0.052 at 8 dB
// and 0.091 at 3 dB (0.050, 0.089); the GNU Radio vectors' offsets move
// by 0.02 symbol. Tried on the way: refining on the two lags between
// the grid's at one sample per symbol (their own phases filtered, 36
// outputs) gained 3 to 5 %, the parabola instead 2 % more. What limits it
// now (profile of BenchmarkSDCCHBlock/rx=now): the refits with their
// Viterbi and max-log-MAP passes (about 45 %), the matched filter
// (16 %), the phase-slope fits (12 %), the block decoder (10 %), the
// whitener (6 %) and the grid's correlations (5 %).
//
// At 2 sps (Config.SPS 2; InputSPS 4 puts the half-band decimator of
// decimate.go in front, as dsp/trx's cell can) the receiver is no
// cheaper: the matched filter drops to 7 taps on about the same number
// of outputs, but the decimator spends more than that saves (the 4-sps
// matched filter is already the best decimating filter): rx=2sps took
// 58.5 µs a block against rx=now's 53.2 (±3 %, the same run: 39×). It
// also needs about 0.1 dB more (BenchmarkBLERCurve with 4000 blocks a
// point: 1 % SDCCH block errors at Eb/N0 1.93 dB against 1.84, raw BER
// 0.0322 against 0.0315 at 3 dB; TU50 10 % at 6.28 against 6.33 dB).
// It pays only where the radio itself delivers 2 sps, so dsp/trx keeps
// 4 by default.
//
// Demodulator.Symbols gives the last burst's symbols as the equaliser saw
// them (±1 plus noise) for the console's constellation picture.
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
// gmsk.Config (txModulation; or SPS halved with InputSPS the
// transmitter's, TransceiverConfig.Rx.SPS), the board's RSSI calibration, and a margin
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
