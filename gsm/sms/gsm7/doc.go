// Package gsm7 is the GSM 7-bit default alphabet of 3GPP TS 23.038 §6.2.1
// with its extension table (§6.2.1.1, reached through the escape 0x1B), and
// the packing of septets into octets: SMS packing with fill bits after a
// user data header (§6.1.2.1.1, TS 23.040 §9.2.3.24) and the cell
// broadcast/USSD packing that pads with CR (§6.1.2.3.1).
//
// Text goes through two steps: Encode turns a string into septets (one
// per byte, an extension character as the escape and its code) and Pack
// puts septets into octets; Unpack and Decode go back. Decoding never
// fails on septet values: every septet has a character, and an escape to
// a code the extension table lacks shows the default alphabet's character
// as §6.2.1.1 asks.
//
// Place in the dependency order: a leaf (standard library only), used by
// gsm/sms/tp for SMS text and addresses and by gsm/ss for USSD strings.
package gsm7
