// Package soak runs the network node with a village of virtual phones on
// the burst-level air (firmware/node/burstair: tier 2, no DSP) for a long
// stretch of virtual time, and watches it for leaks (issue #16, item 5).
//
// In a storm (Config.Soak false) every phone powers on in the first
// frame and the run ends when all are registered. In a soak the phones
// keep living for the whole Duration: each, at random (exponential, mean
// Config.Churn), either loses its battery (off without a word) or is
// switched off with an IMSI detach (TS 24.008 §4.3.4), and comes back
// after a while with an IMSI attach or a normal location update; between
// times it does its periodic updates (T3212, the config's periodic_lu).
// When Duration is over the churn stops, every phone is switched on, and
// the run settles: every phone must register and every channel come free.
//
// The report samples, over the run, the process's RSS, live heap and
// goroutines, the channels in use, and the depths of the cell's, the
// core's and the node's queues.
//
// The node's loop goroutine runs everything: the churn is its OnFrame.
//
// Place: above firmware/node and firmware/node/burstair; cmd/gsmbox's
// sim --tier2 and --soak run it.
package soak
