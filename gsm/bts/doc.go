// Package bts wires one GSM cell: the System Information built by gsm/rr
// from the cell's settings, the downlink scheduler and uplink demultiplexer
// of gsm/l1, the GSMTAP mirror of every block, and the BTS side of the
// seam to the core (gsm/rsl, shaped like Abis RSL, TS 48.058). It is the
// layer the per-cell loop drives frame by frame, below which sits the
// burst PHY seam (an in-process transceiver or the TRX protocol).
//
// What the cell does on its own, as a BTS does:
//
//   - random access: a Channel Request (TS 44.018 §3.3.1.1) gets an SDCCH
//     from the pool and an Immediate Assignment on the AGCH (or a Reject
//     with T3122), T3101 until the MS shows up; the core hears of it as
//     CHANNEL REQUIRED;
//   - the dedicated-channel pool, keyed by logical channel: SDCCH/4
//     (combination V), SDCCH/8 (VII) and TCH/F with FACCH/F and SACCH/TF
//     (I) from Config; a RACH takes an SDCCH, or a TCH/F in signalling
//     mode when none is free or, with Config.VeryEarlyAssignment, for a
//     call; the core activates a TCH/F (CHANNEL ACTIVATION, any free one,
//     timing advance, power and cipher carried over) for an assignment;
//   - speech: TRAFFIC CONNECT joins two TCH/Fs, whose speech frames the
//     cell relays to each other through bounded queues, as they are
//     (tch.go; TCH/FS and TCH/EFS alike);
//   - LAPDm (gsm/lapdm) on every active channel: SDCCH parameters on an
//     SDCCH, FACCH/F ones on a TCH/F; the core sees only L3 messages per
//     SAPI (ESTABLISH, DATA, UNIT DATA and RELEASE INDICATION up, DATA
//     REQUEST down);
//   - the SACCH: SI5/SI6, the timing advance loop (TS 45.010 §5.5), MS
//     power control (TS 45.008 §4.7), the radio link counter (§5.2,
//     CONNECTION FAILURE up), measurement reports up (MEASUREMENT RESULT);
//   - ciphering on the air (TS 44.018 §3.4.7.2): on the core's
//     ENCRYPTION COMMAND the cell sends the Ciphering Mode Command,
//     deciphers the uplink at once and enciphers the downlink from the
//     first correctly deciphered uplink block; the key is wiped when the
//     channel is freed;
//   - the release (TS 44.018 §3.4.13.1.1): on RF CHANNEL RELEASE with
//     the Channel Release message the cell sends it, runs T3109 from when
//     LAPDm has delivered it, answers the MS's DISC with UA, holds the
//     channel for T3111 (answering a repeated DISC) and only then frees
//     it (RF CHANNEL RELEASE ACK up);
//   - paging: PAGING COMMAND queues a Paging Request Type 1 in the MS's
//     paging group (TS 45.002 §6.5.2).
//
// Cell is pure in the sense of DESIGN.md: it has no goroutines, does no
// I/O of its own and reads no clock. The loop that owns it calls Frame once
// per TDMA frame for the downlink and Receive for every uplink burst, from
// one goroutine. Its timers are frame-number deadlines. Its events go into
// the core's bounded queue (Config.Up) and the core's requests come
// through the cell's own (Down), drained at the start of each Frame;
// neither ever blocks, a full queue drops and counts (DedicatedStats).
//
// Place in the dependency order: network layer, above gsm/l1, gsm/lapdm,
// gsm/rr, gsm/rsl and gsm/gsmtap; below the node that joins it to the
// burst PHY and to gsm/core.
package bts
