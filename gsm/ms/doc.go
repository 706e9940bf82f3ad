// Package ms is the mobile side of the GSM radio interface: the layer 1
// and RR (radio resource) state machine of a phone, with a SIM model. The
// virtual phones of `gsmbox sim --phones N` and the signalling tests run
// it against the cell.
//
// A Phone follows the idle-mode and access procedures of a real mobile:
//
//   - cell search on what its receiver reports: an FCCH burst found (the
//     receiver corrects its carrier), then the SCH one frame later on the
//     same timeslot, whose BSIC and reduced frame number (T1, T2, T3')
//     synchronise the phone to the cell's TDMA frame numbering (3GPP TS
//     45.002 §3.3.2, §5.2.5; TS 45.010 §6);
//   - reading the BCCH (SI1–SI4, TS 44.018 §9.1.31–§9.1.36, decoded by
//     gsm/rr) and camping when SI3 gives the LAI, the CCCH configuration
//     and the RACH control parameters and the cell is not barred (TS
//     43.022 §3.2, TS 45.008 §6.4);
//   - reading its paging sub-channel (TS 45.002 §6.5.2–§6.5.3, the group
//     arithmetic of gsm/l1);
//   - random access (TS 44.018 §3.3.1.1.2): Channel Requests with random
//     references and the establishment cause of Table 9.1.8.1, spread by
//     the Tx-integer T and the S of Table 3.3.1.1.2.1, M+1 attempts at
//     most, then T3126; the Immediate Assignment is matched against the
//     request references (RA and reduced FN) of the last three attempts
//     (§3.3.1.1.3.1), an Immediate Assignment Reject starts T3122 with its
//     wait indication (§3.3.1.1.3.2);
//   - dedicated mode on the SDCCH/4 or SDCCH/8 it was given, with the
//     timing advance of the assignment (TS 45.010 §5.6): LAPDm (gsm/lapdm,
//     MS side) on the SDCCH and SACCH, measurement reports up the SACCH
//     every reporting period (TS 44.018 §9.1.21, RXLEV and RXQUAL of the
//     serving cell per TS 45.008 §8.1–§8.2), SI5/SI6 and the ordered timing
//     advance down, the radio link counter S of TS 45.008 §5.2,
//     ciphering (TS 44.018 §3.4.7: A5/1 or A5/3 with the Kc of the last
//     authentication, through gsm/l1's Cipher), and Channel Release (TS
//     44.018 §3.4.13) back to idle: the phone disconnects the main
//     signalling link (DISC), repeats an unanswered DISC every T200 (TS
//     44.006 §5.4.4.3) and releases locally after T3110; Stats times each
//     release from the Channel Release to idle (ReleaseFramesLast/Max/Sum)
//     and counts repeated DISCs and releases that ended unanswered;
//   - answering paging (TS 44.018 §3.3.2) with a Paging Response in the
//     SABM, and Classmark Enquiry with Classmark Change (§3.4.11);
//   - the downlink signalling failure counter on the paging blocks in
//     idle mode (TS 45.008 §6.5): a lost cell sends the phone back to the
//     cell search.
//
// Not done: cell reselection and neighbour measurements (the reports say
// no neighbour was measured), MS power control (the ordered level is ignored),
// frequency hopping and handover.
//
// Calls: the TCH/F of combination I, reached by Assignment Command (LAPDm
// suspended on the old channel and resumed on the new, TS 44.018 §3.4.3)
// or straight from an Immediate Assignment, with Channel Mode Modify, the
// FACCH/F, the SACCH/TF and speech through the Voice an Upper may
// implement (tch.go); Caller (call.go) is the Upper that makes and takes
// calls: MM with the mobile side of CC (gsm/cc) above it.
//
// Above RR sits an Upper (the MS side of MM): it gives the initial L3
// message sent in the SABM and answers what the network sends. MM is the
// Upper that runs gsm/mm's MS-side state machine and SIM model (location
// updating with identity, authentication, TMSI reallocation, T3210/T3211/
// T3212/T3240) on virtual time counted in frames. SMS wraps MM with the
// short message service (sms.go: an outbox sent after a CM service
// request for SMS on SAPI 3, CP-ACK and RP-ACK for what the network
// delivers, reassembly, an inbox that shows a duplicate once) and USSD
// (ussd.go); PowerOff pulls the battery (power.go).
//
// Interface to its DSP (dsp/trx's PhoneRadio; Phone implements its
// PhoneL1, with gsm/phy's receive plan): once
// per TDMA frame, Listen says what to receive on each timeslot of a
// downlink frame (off, FCCH search, SCH, normal burst with its training
// sequence), Receive takes what was received, and Frame fills the uplink
// bursts of a frame. Frame numbers on this interface are the radio's own
// frame count: the phone keeps the offset to the cell's numbering, found
// on the SCH, so the radio never needs to know it.
//
// The package is pure: no goroutines, no I/O, no clock; every timer is a
// frame-number deadline. Listen, Receive and Frame do not allocate in idle
// mode except when a block is decoded into an RR message.
//
// Place in the dependency order: network layer, above gsm/l1 (multiframe
// tables, CCCH groups), gsm/coding, gsm/rr, gsm/lapdm, gsm/mm, gsm/l3 and
// gsm/crypto and gsm/phy; below firmware/node/simphones.
package ms
