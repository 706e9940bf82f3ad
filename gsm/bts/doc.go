// Package bts wires one GSM cell: the System Information built by gsm/rr
// from the cell's settings, the downlink scheduler and uplink demultiplexer
// of gsm/l1, and the GSMTAP mirror of every block. It is the layer the
// per-cell loop drives frame by frame, below which sits the burst PHY seam
// (an in-process transceiver or the TRX protocol).
//
// Cell is pure in the sense of DESIGN.md: it has no goroutines, does no
// I/O of its own and reads no clock. The loop that owns it calls Frame once
// per TDMA frame for the downlink and Receive for every uplink burst, from
// one goroutine. Its timers are frame-number deadlines.
//
// Place in the dependency order: network layer, above gsm/l1, gsm/rr and
// gsm/gsmtap; below cmd/gsmbox, which joins it to the DSP core.
package bts
