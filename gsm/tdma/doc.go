// Package tdma holds the leaf vocabulary of the GSM air interface that both
// the DSP core and the GSM stack share: TDMA frame numbers and timeslots
// (3GPP TS 45.002 §4.3), absolute radio frequency channel numbers and bands
// (TS 45.005 §2), the base station identity code (TS 23.003 §4.3.2), and the
// fixed bit patterns of the burst types (TS 45.002 §5.2).
//
// It sits at the bottom of the dependency order: it imports only the
// standard library, and dsp/ may import it (but nothing else in gsm/).
package tdma
