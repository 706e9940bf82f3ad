// Package transcode converts a voice stream between the RTP payload
// formats gsmbox speaks, all 8 kHz: GSM 06.10 full rate (PT 3, 33-byte
// frames of 20 ms, package gsm/codec/fr) and G.711 A-law and µ-law (PT 8
// and 0, one octet per sample, package gsm/codec/g711), with any packet
// duration (ptime) on either side. It is what a call between a GSM phone
// and a SIP peer without GSM needs.
//
// A Transcoder decodes each input payload to linear PCM, buffers it, and
// hands out output payloads as soon as a whole one is available. Lost
// input packets are filled by frame substitution and muting (3GPP TS
// 46.011 §6) for GSM input and by silence for G.711 input, so the output
// timing stays intact.
//
// The package is pure and allocation-free per packet; it imports the
// sibling codec packages and gsm/codec/rtp for the payload formats, and is
// used by the media side of gsm/core.
package transcode
