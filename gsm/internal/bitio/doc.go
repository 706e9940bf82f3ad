// Package bitio reads and writes bit-packed fields, most significant bit
// first, as used by the CSN.1-described rest octets and bit-mapped IEs of
// 3GPP TS 44.018 (§10.5.2 and Annex J) and TS 24.008.
//
// Both Reader and Writer carry a sticky error: the first read past the end
// (or write past the end of the buffer) sets Err, later reads return
// zeros and later writes are dropped, so a decoder can read a whole
// structure and check the error once.
//
// L and H: rest octets use the CSN.1 "L/H" notation (TS 44.018 §10.5.2.x,
// 3GPP TS 24.007 Annex B/CSN.1): L is the bit value the 0x2B padding
// pattern has at that bit position, H its complement. Rest octets are
// padded with the spare padding pattern 0x2B ("00101011") aligned to the
// octet, so a field read as L from padding means "absent".
//
// Place in the dependency order: a pure internal leaf of gsm/; it imports
// only the standard library.
package bitio
