// Package milenage implements the MILENAGE authentication and key
// generation functions f1, f1*, f2, f3, f4, f5 and f5* (3GPP TS 35.206 §4),
// on AES-128 from crypto/aes, with the standard constants r1..r5 and c1..c5.
// It also provides the conversion functions c2 and c3 (3GPP TS 33.102
// §6.8.1.2) that turn a UMTS vector into the GSM SRES and Kc a 2G network
// uses, which is what a USIM returns to a GSM authentication (GSM-MILENAGE,
// TS 55.205).
//
// The package is pure: no I/O, no goroutines, no clock. It imports only the
// standard library; gsm/crypto sits above it.
package milenage
