// Package decode runs our own downlink receiver on recorded complex
// baseband: an IQ file (complex64 little-endian, the "cfile" that
// `gsmbox sim --iq-out` writes and gr-gsm's grgsm_decode reads) at any
// rate is resampled to 4 samples per symbol and fed, frame by frame, to
// the same phone radio (dsp/trx.PhoneRadio) the virtual phones use: FCCH
// search and carrier correction (TS 45.002 §5.2.4, TS 45.010 §6), then
// the synchronisation and normal bursts its layer above asks for, with
// each burst's measurements (RSSI, C/I, time of arrival, frequency
// offset; TS 45.008 §8.1).
//
// The layer above (what to listen to, SCH and block decoding, printing)
// is a trx.PhoneL1 that `gsmbox decode` supplies from gsm/: dsp/ knows
// nothing of channel coding. This package is the DSP half: the sample
// source and the frame loop.
//
// Place in the dependency order: above dsp/trx, dsp/filter and dsp/iq;
// used by cmd/gsmbox.
package decode
