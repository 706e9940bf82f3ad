// Package l3 is the layer 3 message toolkit shared by the RR, MM, CC, SMS
// and SS codecs:
//
//   - the information element formats of 3GPP TS 24.007 §11.2.1.1 (T, V,
//     TV, LV, TLV, LV-E, TLV-E and the half-octet type 1 IEs), as a Decoder
//     and an Encoder that check lengths before every read or write and
//     carry a sticky error;
//   - the message header of TS 24.007 §11.2.3 (protocol discriminator, skip
//     indicator or transaction identifier, message type with the N(SD)
//     sequence bits of MM/CC/SS);
//   - the common IEs of TS 24.008 §10.5.1: Location Area Identification
//     (§10.5.1.3), Mobile Identity (§10.5.1.4), Cell Identity (§10.5.1.1),
//     Mobile Station Classmark 1, 2 and 3 (§10.5.1.5–7).
//
// Decoders return sub-slices of their input where possible and never panic
// on malformed input. Encoders write into caller buffers without
// allocating.
//
// Place in the dependency order: a pure package above gsm/tdma and
// gsm/internal/bitio; gsm/rr, mm, cc, sms and ss import it.
package l3
