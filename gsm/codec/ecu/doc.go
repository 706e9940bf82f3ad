// Package ecu conceals bad and lost speech frames in the coded domain (an
// "error concealment unit"): given each 20 ms frame in the RTP payload
// format and its bad frame indication, it returns the frame to relay or to
// decode, for GSM full rate (TS 46.011 §6, through gsm/codec/fr's
// Substitutor) and for enhanced full rate (TS 46.061 §6, adapted to the
// bit stream). Good frames pass through unchanged, bit for bit.
//
// It serves the transcoder-free relay of a call between two phones: an
// uplink frame whose CRC failed (gsm/coding's bad frame indication) or
// that never arrived is replaced on the other phone's downlink by a
// repetition of the last good frame, attenuated step by step, and after
// 320 ms (16 frames) by a muted frame, so that the listener hears neither
// garbage nor clicks.
//
// Place in the dependency order: a pure leaf above gsm/codec/fr;
// allocation-free per frame, no goroutines, no clock.
package ecu
