// Package mm is GSM Mobility Management (3GPP TS 24.008 §4 procedures, §9.2
// messages, §10.5.3 information elements): the message codecs, the
// network-side state machine for one subscriber connection (Conn), and the
// mobile-side state machine and SIM model the virtual phones use (MS,
// SIM).
//
// # Messages
//
// One file per message, each a struct with MarshalSize, MarshalTo (into a
// caller buffer, no allocation) and Unmarshal (length-checked, never
// panics, unknown optional IEs skipped per TS 24.007 §11.2.4). The
// MS-to-network messages carry N(SD), the send sequence number in bits 8–7
// of the message type octet (TS 24.007 §11.2.3.2.3); SendSequence stamps it
// on the MS side and DuplicateFilter checks it on the network side. The
// Network Name IE (§10.5.3.5a) packs the GSM 7-bit default alphabet of TS
// 23.038 (or UCS2); time zones and universal time follow §10.5.3.8/9.
//
// # Network side
//
// Conn takes uplink MM messages, RR results (ciphering complete, classmark)
// and the time, and returns Actions: send a message, start ciphering with
// an algorithm and Kc, ask for the classmark, commit a registry update,
// report an MM connection, release the channel. It runs location updating
// (normal, periodic, IMSI attach) with identification of unknown TMSIs
// (§4.3.3), authentication (§4.3.2; RAND from an injected reader, SRES
// compared in constant time by gsm/crypto), ciphering negotiated between
// the configured set and the MS classmarks (A5/3, then A5/1, then A5/0
// only if allowed), TMSI allocation in the accept and its confirmation
// (§4.3.1), MM Information (§4.3.6), IMSI detach (§4.3.4), CM service
// requests (§4.5.1), mobile-terminated connections after paging (Paged)
// and the timers T3250, T3260 and T3270 (§11.2.2). The
// core answers through the small Registry interface; mmtest has an
// in-memory fake.
//
// Registry lookups are synchronous when Conn has a Registry, and
// asynchronous without one (NewConn with nil): each question (IMSI by
// TMSI, the registration decision, an authentication vector, a TMSI
// allocation) comes out as an ActLookup action carrying a Query, the
// Conn waits under the guard timer, and the caller passes the registry's
// Answer (Resolve computes one from a Registry) to Conn.Answer. The
// owner can so run the registry on a worker, or reach an HLR over GSUP,
// without blocking its loop. Writes are always ActCommit actions.
//
// # Time
//
// Both state machines are pure: no goroutines, no I/O, no clock. Every
// event method takes now as a time.Time (virtual time in the simulator,
// wall clock on air); timers are deadlines the caller checks with Deadline
// and expires with Tick. MM timers are seconds long, so time.Time rather
// than a TDMA frame number is the natural unit.
//
// Place in the dependency order: protocol layer, above gsm/l3 and
// gsm/crypto; gsm/core implements Registry, gsm/bts drives Conn, gsm/ms
// drives MS.
package mm
