// Package trunk is gsmbox's SIP trunk to a VoIP provider (issue #14): it
// registers with the provider, sends the calls the switch routes out as
// INVITEs and brings the provider's INVITEs to a DID in as calls to a
// local subscriber. It implements core.Trunk; the node wires it
// (firmware/node buildNetwork) and hands it a media factory
// (gsm/core/media sessions: RTP, SDP, transcoding).
//
// The SIP stack is github.com/emiago/sipgo (transactions, dialogs,
// digest authentication, UDP and TCP transports): pure Go, kept up, with
// RFC 3261 transactions and RFC 3581 rport, and small enough to read.
// gsmbox's own code is the policy above it: registration with back-off,
// routing, the DID table, the cause mapping (RFC 3398, TS 29.163), and the
// defences against hostile SIP (filter.go).
//
// References: RFC 3261 (SIP), RFC 3581 (rport), RFC 2617/8760 (digest),
// RFC 3326 (Reason), RFC 3398 and TS 29.163 §7.2.3 (cause mapping),
// RFC 3264 (offer/answer), RFC 4733 (DTMF, through the media).
//
// Order: above gsm/core (it implements core.Trunk and reports
// core.TrunkEvent); nothing in gsm/ imports it.
package trunk
