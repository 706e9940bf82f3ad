// Package crypto is the front of gsmbox's authentication and ciphering
// algorithms: the Algorithm names the subscriber registry and the config
// store as text ("comp128v1", "comp128v2", "comp128v3", "milenage", "xor"),
// Authenticate runs the chosen A3/A8 for a challenge, VerifySRES compares
// the answer in constant time, and the key types (Ki, OP, OPc, Kc) never
// print their value through fmt or log/slog.
//
// The algorithms themselves live in sub-packages: comp128 (COMP128-1/2/3),
// milenage (3GPP TS 35.206, with the c2/c3 conversions of TS 33.102
// §6.8.1.2), kasumi (TS 35.202, KGCORE of TS 55.216) and a5 (the A5/1 and
// A5/3 ciphering keystreams of TS 43.020 / TS 55.216, used by gsm/l1).
// "xor" is the XOR-2G test algorithm of 3GPP TS 51.010-1 Annex 4 §A.4.1.2
// that test SIMs and MS testers implement.
//
// The package is pure (no I/O, goroutines or clock) and sits in the "pure"
// layer: gsm/core imports it; it imports only the standard library and its
// sub-packages.
package crypto
