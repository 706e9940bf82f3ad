// Package tp is the SM-TL of 3GPP TS 23.040: the transfer protocol data
// units (§9.2.2) SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT and the ACK
// and ERROR forms of SMS-DELIVER-REPORT and SMS-SUBMIT-REPORT, their
// parameters (§9.2.3: addresses with TON/NPI including alphanumeric ones,
// TP-VP in relative, absolute and enhanced formats, time stamps with time
// zone, TP-DCS of TS 23.038 §4, TP-ST, TP-FCS) and the user data with its
// header (§9.2.3.24).
//
// # Layers of the user data
//
// A TPDU keeps its user data as it travels (UserData: TP-UDHI, TP-UDL and
// the octets), so that an SMSC can store and forward an SMS-SUBMIT's text
// as an SMS-DELIVER without touching it, and so that every decode
// re-encodes to the same octets. UserData.Decode interprets it under a
// TP-DCS: the header's information elements, then GSM 7-bit text (with
// fill bits after the header), UCS2 text, or 8-bit data.
//
// EncodeText goes the other way for a whole text: GSM 7-bit when every
// character is in the default alphabet or its extension table, else UCS2;
// a text too long for one message is split into parts chained by the
// concatenation IE (8-bit reference §9.2.3.24.1 or 16-bit §9.2.3.24.8),
// never cutting an escape sequence or a surrogate pair. Reassembler puts
// the parts together again at the receiver, bounded in memory.
//
// Decoders take the direction from the caller (DecodeMS, DecodeSC): the
// message type indicator means different TPDUs each way, and the form of
// a report depends on the RP message that carries it.
//
// Place in the dependency order: a leaf above gsm/l3 and gsm/sms/gsm7;
// the SMSC and the phones' SMS entities use it inside gsm/sms/rp.
package tp
