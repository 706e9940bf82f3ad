// Package fr is the GSM 06.10 full-rate speech codec (RPE-LTP, 13 kbit/s),
// bit-exact with the fixed-point reference of 3GPP TS 46.010 / ETSI EN 300 961.
//
// The encoder turns 160 samples of 8 kHz 16-bit linear PCM (20 ms) into the
// 76 parameters of TS 46.010 Table 1.1 (LARc[8] and, per 40-sample
// subframe, Nc, bc, Mc, xmaxc and xMc[13]); the decoder does the inverse.
// Every operation follows the fixed-point algorithm of TS 46.010 §5 (basic
// operations §5.1, preprocessing §5.2.1–5.2.3, LPC analysis §5.2.4–5.2.7,
// short-term analysis filtering §5.2.8–5.2.10, long-term prediction
// §5.2.11–5.2.12, RPE encoding §5.2.13–5.2.18, decoder §5.3), so outputs
// agree sample for sample and bit for bit with other conformant
// implementations; the tests check this against Debian's toast/untoast.
//
// Parameters travel in the 33-byte frame of RFC 3551 §4.5.8 (the RTP
// payload type 3 and the toast ".gsm" file format): a 0xD signature nibble
// then the 260 parameter bits, most significant bit first.
//
// A Substitutor replaces lost or bad frames and mutes long losses as
// 3GPP TS 46.011 §6 describes. Codec homing by in-band homing frames
// (TS 46.010 §4, an optional feature per TS 46.001 §10) is not
// implemented, as in libgsm, against which the codec is verified; Reset
// puts an Encoder or Decoder in its home state.
//
// Encoder and Decoder values hold the codec state; they allocate nothing
// per frame and are not safe for concurrent use. The package is pure (no
// I/O, no goroutines, no clock) and imports only the standard library; it
// sits in the pure tier under gsm/ and is used by gsm/l1 (TCH/FS) and the
// media side of gsm/core.
package fr
