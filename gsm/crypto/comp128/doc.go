// Package comp128 implements the COMP128 family of GSM A3/A8 algorithms that
// SIM cards run to answer an authentication challenge: from the 128-bit
// subscriber key Ki and the 128-bit RAND they give the 32-bit SRES
// (A3, 3GPP TS 43.020 §3.2) and the 64-bit cipher key Kc (A8, §4.6).
//
// COMP128 was never published by the GSM Association. Version 1 follows the
// description in the leaked Racal document reconstructed by Briceno,
// Goldberg and Wagner (1998); versions 2 and 3 follow Tamas Jos's reverse
// engineering (2013). Versions 1 and 2 set the last 10 bits of Kc to zero,
// limiting it to 54 bits; version 3 gives all 64.
//
// The package is pure and allocation free and imports only the standard
// library; gsm/crypto sits above it.
package comp128
