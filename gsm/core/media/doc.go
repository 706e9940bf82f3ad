// Package media is the media half of a SIP call leg: it joins one TCH/F
// (through an rsl.SpeechPort, the cell's speech seam) to an RTP stream
// (RFC 3550) to a SIP peer, with
//
//   - SDP offer/answer (RFC 3264, RFC 4566, with pion/sdp/v3) for PCMA
//     (PT 8), PCMU (PT 0), GSM 06.10 (PT 3, RFC 3551 §4.5.8) and
//     telephone-event (RFC 4733);
//   - transcoding between GSM full rate on the air (TS 46.010, package
//     gsm/codec/fr) and G.711 (gsm/codec/g711), or GSM frames passed
//     through untranscoded when the peer takes PT 3;
//   - an adaptive jitter buffer with loss concealment: missing frames are
//     substituted and muted on the FR side (TS 46.011 §6, fr.Substitutor);
//   - RFC 4733 DTMF both ways, RTCP sender and receiver reports (RFC 3550
//     §6.4, with pion/rtcp), statistics, and hostile-input checks.
//
// A Session owns one RTP/RTCP port pair and two goroutines: a reader
// that validates each datagram and files it in the jitter buffer, and a
// 20 ms loop paced by the injected clock that moves frames between the
// SpeechPort and the network. Neither ever blocks the cell: the port's
// rings are lock-free and bounded.
//
// The air codec of a trunk leg is FR: there is no EFR speech decoder yet
// (gsm/codec has only EFR's error concealment), so the signalling puts a
// trunk leg's TCH/F in speech version 1.
//
// Place in the dependency order: under gsm/core (the switch and the SIP
// side use it), above gsm/rsl and the codec packages (gsm/coding for the
// class order of the 260 bits, gsm/codec/...).
package media
