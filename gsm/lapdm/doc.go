// Package lapdm is the data link layer of the GSM radio interface, LAPDm
// (3GPP TS 44.006), for the network and the mobile side.
//
// Frames. Frame encodes and decodes the formats of TS 44.006 §2.1: A and B
// (address, control, length indicator with the M and EL bits, information,
// 0x2B fill), B4 (SAPI 0 UI frames on SACCH, no length indicator), Bter
// (short L2 header) and Bbis (information only, BCCH/CCCH, which gsm/rr
// builds itself). Address (§3.2: LPD, SAPI, C/R), control (§3.4: I, S =
// RR/RNR/REJ, U = SABM/DM/UI/DISC/UA) and length (§3.6) fields follow the
// bit diagrams on Frame. Block sizes follow TS 44.004 §7 and TS 45.003: 23
// octets on SDCCH and FACCH (N201 = 20), 21 octets on SACCH after the
// 2-octet L1 header (N201 = 18 for format B, 19 for B4).
//
// Entity. An Entity is the data link entity of one SAPI (0 or 3) on one
// channel (SDCCH, SACCH, FACCH/F, FACCH/H) at one end (Network or MS),
// TS 44.006 §8 (the LAPDm protocol, built on the LAPD procedures of
// ITU-T Q.921): UI transfer; multiple frame
// establishment with SABM/UA and contention resolution (§5.4.1.4: the MS
// puts its first L3 message in the SABM, the network echoes it in the UA
// and the MS releases on a mismatch); acknowledged I frame transfer with
// window size k = 1 (§5.8.4), piggy-backed N(R), RR and REJ; T200 as a
// frame-number deadline and N200 retransmissions per channel type (§5.8.1,
// §5.8.2); timer recovery, which in LAPDm retransmits the outstanding I
// frame with P = 1 instead of sending an RR enquiry;
// segmentation of L3 messages longer than N201 with the M bit and their
// reassembly (up to MaxMessage octets); normal release with
// DISC/UA, local end release, and error handling with MDL-ERROR causes
// (unsolicited UA/DM, N(R) sequence errors leading to re-establishment, or
// on the network side of SAPI 0 to release); suspend and resume for a
// channel change (the messages not fully acknowledged move to the entity
// of the new channel). Not implemented: sending RNR (own receiver busy;
// received RNR is honoured), and the LAPDm variants of the VGCS/VBS
// talker procedures.
//
// Link. A Link joins the entities of one dedicated channel: SAPI 0 and
// SAPI 3 on the main channel (SDCCH) with SAPI 0 first, or SAPI 0 on the
// FACCH and SAPI 3 on the SACCH of a TCH, and SAPI 0 UI frames (SI5/SI6
// down, measurement reports up, format B4) on the SACCH, alternating with
// SAPI 3 when both have frames.
//
// Timing. Everything is driven by the caller: Tick(fn) each frame (or at
// least each block) runs T200, Next(fn, dst) is called by the L1 Source
// once per downlink (or, on a mobile, uplink) block and returns false when
// there is nothing to send so that L1 sends its fill frame, and Receive
// takes each received block. T200 is set when a frame is handed to L1
// (§8.1 note: "right before transmitting a frame"). Give Tick and Next
// the same clock (both the air frame number, or both ahead by L1's
// transmit lead); a lead only Next sees would lengthen T200 by it.
//
// This package is pure: no goroutines, no I/O, no clock. Receive, Tick
// and Next do not allocate; messages handed to L3 are slices of internal
// buffers, valid until the next call.
//
// On the network side the Links live in the cell (gsm/bts), as LAPDm
// lives in the BTS in Abis: the core sees only L3 messages per SAPI.
// Entity.Outstanding tells the cell when a message (the Channel Release)
// has been delivered, and Entity.Stats counts DISCs sent and repeated.
//
// Place in the dependency order: above gsm/tdma (frame numbers), below
// gsm/rr, gsm/mm and the cell (gsm/bts) and virtual phones (gsm/ms),
// beside gsm/l1, which calls Next through its Source.
package lapdm
