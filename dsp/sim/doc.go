// Package sim is the simulated air: a cell and any number of virtual
// phones (and passive listeners) exchange complex baseband through links
// with path loss, propagation delay, multipath, frequency offset and noise
// (dsp/channel), in virtual time. Each endpoint is a radio.Stream, so the
// transceiver runs on the air exactly as on hardware.
//
// Virtual time advances only as the endpoints write and read: receive
// block k (5000 samples, one TDMA frame at 4 samples per symbol, by
// default) of an endpoint is computed once every endpoint it hears has
// committed its transmission up to the end of that block (plus the
// interpolator's few samples of lookahead on fractionally delayed links).
// A receiver hears the sum of its incoming links, so on the uplink the
// phones' access bursts can collide. Each link adds its own noise (its
// Eb/N0 is relative to its own signal), so a receiver with several noisy
// incoming links hears the sum of their noise too: give the links that
// should not add noise AWGN false. Writers may run at most Window blocks
// ahead of their slowest reader, which keeps everyone in lock-step. The
// result depends only on what was written and on the seed, never on how
// goroutines were scheduled: a run is reproducible.
//
// Committing: a Write commits the writer's transmission up to its end; a
// Read of [ts, ts+n) also commits the reader's own transmission up to
// ts+n (a radio cannot transmit in the past), so endpoints that never
// transmit do not hold anyone up. An endpoint that neither writes nor
// reads does hold up everyone who hears it (the air cannot know it will
// stay silent), so Close an endpoint that leaves the air. Transceivers
// write a frame or more ahead of what they read, as on real radios.
//
// Cost: an endpoint computes its receive blocks on its own reader's
// goroutine without holding the air's lock (the inputs are copied, or
// read in place from the writer's history where the window guarantees it
// cannot be overwritten meanwhile), so endpoints use all cores and the
// result does not depend on the schedule (TestParallelDeterministic;
// Config.Serial computes under the lock, for comparison). A link whose
// transmitter has written only silence since the block's start costs
// nothing but its noise, and writing silence over silence copies nothing.
// BenchmarkVillage runs a cell and 200 phones.
//
// Place in the dependency order: above dsp/radio and dsp/channel; the
// `gsmbox sim` command and the full-air tests (tier 3) use it.
package sim
