// Package kasumi implements the KASUMI 64-bit block cipher (3GPP TS 35.202)
// and the KGCORE keystream generator built on it (3GPP TS 55.216 §4,
// identical to the f8 construction of TS 35.201), which A5/3 and GEA3 use.
//
// It is pure (no I/O, no goroutines, no clock) and allocation free. It sits
// below gsm/crypto/a5 in the dependency order and imports only the standard
// library.
package kasumi
