// Package g711 is the ITU-T G.711 pulse code modulation of voice
// frequencies: A-law and µ-law companding between 16-bit linear PCM and
// 8-bit codes, as carried by RTP payload types 8 (PCMA) and 0 (PCMU),
// RFC 3551 §4.5.14.
//
// The encoders follow the segment (chord) and step structure of G.711
// Tables 1 and 2: A-law works on the 13 most significant bits with even-bit
// inversion (XOR 0x55), µ-law on the 14 most significant bits with the bias
// of 33 and all bits inverted. They agree for all 65536 inputs with the
// classic public-domain Sun reference behaviour (also Python's audioop);
// for µ-law that means a negative input is truncated toward minus infinity
// to 14 bits before taking its magnitude. The decoders return the centre of
// each quantisation interval scaled to 16 bits (A-law ×8, µ-law ×4).
//
// The package is pure and allocation-free; it imports only the standard
// library and sits in the pure tier under gsm/codec, beside gsm/codec/fr.
package g711
