// Package channel models a radio link's impairments on complex baseband:
// path loss, propagation delay in fractional samples, a multipath tap
// profile (static, or Rayleigh-fading with the classical Doppler spectrum;
// the TU, HT and RA profiles of TS 45.005 Annex C.3 are provided), carrier
// frequency offset, and additive white Gaussian noise at a given Eb/N0. Everything is a pure function of the input samples, the
// absolute sample time and a seed, so a simulation is reproducible however
// its blocks are scheduled.
//
// dsp/sim builds the simulated air from these links, and dsp/radio's IQ
// file sink can apply one before writing. It sits above dsp/iq and
// dsp/filter and imports gsm/tdma only for the symbol rate.
//
// Noise convention: Eb/N0 is that of a full-scale (|x| = 1) GMSK signal
// after path loss. GMSK carries one bit per symbol, so Eb/N0 = Es/N0, and
// with SPS samples per symbol the complex noise variance per sample is
// σ² = 10^(−PathLoss/10) · SPS / 10^(EbN0/10).
//
// Noise source: each variate is one of 2^16 quantiles of the normal
// distribution picked by 16 bits of a splitmix64 sequence seeded from the
// link's seed and the block's time (gauss.go): the marginal is Gaussian to
// 16 bits of probability, truncated beyond ±4.33σ, and four variates cost
// one 64-bit draw (TestNoiseStatistics checks moments, tail mass and
// correlations; BenchmarkAddNoise compares it with math/rand's ziggurat).
// A single whole-sample path without fading, what the simulated air's
// phones get, is applied in one pass (gain, delay, carrier offset).
package channel
