// Package a5 generates the GSM ciphering keystreams A5/1 and A5/3 for one
// TDMA frame: 114 bits for the downlink (BTS→MS) burst and 114 bits for the
// uplink (MS→BTS) burst, from the 64-bit Kc and the frame number
// (3GPP TS 43.020 Annex C; TS 55.216 for A5/3).
//
// A5/2 is deliberately not implemented: 3GPP withdrew it (mobiles must not
// support it from Release 7 on, and GSMA asked networks to drop it), and
// asking for it is an error. A5/0 means no ciphering and yields all-zero keystream.
//
// Kc is passed in the octet order in which A8, the SIM and the
// Cipher Mode Command carry it (the order osmo-auc-gen prints), and bits are
// the unpacked hard bits (one 0/1 value per byte) used by gsm/l1, or packed
// octets most significant bit first. All keystream functions are pure and
// allocate nothing; they sit between gsm/crypto/kasumi and gsm/l1 in the
// dependency order.
package a5
