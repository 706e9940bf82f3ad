// Package rtp is the media framing of voice between the BTS and the rest
// of the world: the RTP fixed header of RFC 3550 §5.1, the audio payload
// types of RFC 3551 §6 that gsmbox speaks (0 PCMU, 3 GSM, 8 PCMA, all at
// 8000 Hz), a Packetizer that stamps sequence numbers and timestamps on
// outgoing frames, and a Depacketizer that validates an incoming stream
// and classifies each packet (in order, after a gap, late/reordered,
// duplicate, restart) following RFC 3550 Appendix A.1, without a jitter
// buffer, and keeps the receiver statistics of Appendix A.3 and A.8. DTMF
// digits travel as RFC 4733 telephone-events in the same stream.
//
// Header and Packet follow the pion/rtp shape: Unmarshal(b), MarshalTo(b)
// and MarshalSize(), with a length check before every field read. Decoded
// slices (payload, header extension) alias the input buffer.
//
// The package is pure: no I/O, no goroutines, no clock (arrival times are
// passed in). It imports only the standard library and sits in the pure
// tier; the SIP/media services of gsm/core and the TCH path of gsm/l1 use
// it together with gsm/codec/fr and gsm/codec/g711.
package rtp
