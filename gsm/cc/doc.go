// Package cc is GSM Call Control for circuit-switched speech calls (3GPP TS
// 24.008 §5 procedures, §9.3 messages, §10.5.4 information elements).
//
// # Messages
//
// One file per message, each a struct with MarshalSize, MarshalTo (into a
// caller buffer, no allocation) and Unmarshal (length-checked, never
// panics). Every message carries its transaction identifier and flag (TS
// 24.007 §11.2.3.1.3) and, from the mobile station, the N(SD) send sequence
// number in bits 8–7 of the message type octet (§11.2.3.2.3; stamped and
// checked by gsm/mm's SendSequence and DuplicateFilter, which cover the
// whole MM+CC+SS flow). Unknown optional IEs are skipped (TS 24.008 §8.6.1)
// unless their IEI marks them "comprehension required" (bits 8–5 = 0000,
// TS 24.007 §11.2.4), which gives ErrComprehension; a missing or malformed
// mandatory IE gives ErrMandatory. CauseFor maps decode errors to the cause
// of the answer §8 prescribes. Opaque IEs (Facility, User-user, SS
// version, ...) alias the decoded input.
//
// The IEs of §10.5.4 are types of their own: BearerCapability (§10.5.4.5,
// with the speech version list of octets 3a etc. and the codec
// negotiation helper CommonSpeech), Number (the called, calling, connected
// and redirecting party BCD numbers, §10.5.4.7/9/13/21b), Cause
// (§10.5.4.11), ProgressIndicator (§10.5.4.21), Signal (§10.5.4.23) and
// the keypad character of §10.5.4.17.
//
// # State machines
//
// Call is one CC transaction, on the network side (states N0–N28) or the
// mobile side (U0–U19): a pure state machine with no goroutines and no
// clock of its own. It is driven by received messages, by its user (the
// switch on the network side, the virtual phone on the mobile side) and by
// the time passed into every call, and returns Actions: send a message,
// tell the user what happened, request or release the MM connection. The
// timers T301, T303, T305, T308, T310 and T313 (TS 24.008 §11.3, Tables
// 11.3 and 11.4) are deadlines the caller checks with Deadline and fires
// with Tick. NoTransaction answers a message whose transaction identifier
// belongs to no call (§8.3.1: Release Complete with cause #81), and
// ReceiveError answers a message that did not decode (§8.4, §8.5).
// Transactions holds the calls of one MM connection, allocates TI values
// and does that routing for its owner.
//
// Not implemented: in-call modification (Modify is decoded; a Call answers
// it with Status #98), hold and retrieve, user-to-user signalling, the
// in-band tone timer T306, Status Enquiry supervision (T322), and clearing
// on a Status that reports an incompatible state other than Null (the
// Status is passed to the user as EvStatus).
//
// Place in the dependency order: a pure package above gsm/l3; gsm/core (the
// switch) and gsm/ms (the virtual phones) import it.
package cc
