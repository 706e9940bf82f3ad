// Package rp is the short message relay layer of 3GPP TS 24.011 (§7.3
// messages, §8.2 elements): RP-DATA in both directions, RP-ACK, RP-ERROR
// with its cause and diagnostic, and RP-SMMA, with the message reference
// that pairs answers with requests and the service centre addresses in
// TS 24.008 BCD with TON/NPI.
//
// RP messages travel inside CP-DATA (gsm/sms/cp); RP-DATA, RP-ACK and
// RP-ERROR carry a TPDU (gsm/sms/tp) as opaque octets, decoded with
// tp.DecodeMS or tp.DecodeSC by whoever needs it. The relay layer's
// timers (TR1M, TR2M, TRAM of §10) belong to the SMR entities of the
// SMSC and the phones, which are built on these codecs.
//
// Place in the dependency order: a leaf above gsm/l3.
package rp
