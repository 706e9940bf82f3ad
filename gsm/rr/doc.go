// Package rr encodes and decodes the Radio Resource management messages a
// GSM cell needs (3GPP TS 44.018): the System Information messages of the
// BCCH (types 1–4) and the SACCH (types 5 and 6) with their IEs and CSN.1
// rest octets (including the Cell Channel Description and Neighbour Cell
// Description frequency lists in every format, with the range coding of
// Annex J), Paging Request Types 1–3 (and the empty paging of idle PCH
// blocks), Immediate Assignment, Immediate Assignment Reject, and on the
// dedicated channels Channel Release, RR Status, Paging Response,
// Ciphering Mode Command/Complete, Classmark Enquiry and Change, Assignment
// Command/Complete/Failure and Measurement Report, and the interpretation
// of the Channel Request (RACH) octet. BuildSystemInformation turns a CellConfig into the ready
// 23-octet blocks the L1 scheduler broadcasts; DecodeCCCH, DecodeSACCH and
// DecodeDCCH dispatch received blocks for a mobile.
//
// SI2bis and SI5bis are built when the BA list does not fit SI2 and SI5
// alone. Not built: SI2ter/2quater, SI5ter, SI13 and the other optional SIs, packet
// (TBF) assignments, and the CSN.1 rest octet fields after the ones each
// message documents.
//
// Framing. CCCH and BCCH messages (SI1–4, paging, immediate assignment)
// are complete 23-octet blocks here: the L2 pseudo length octet (TS 44.018
// §10.5.2.19, TS 44.006 §8.1 "B4" format), the L3 message and the rest
// octets, padded with 0x2B. SI5 and SI6 exist as their 19-octet form with
// pseudo length (SIBlocks.SI5Info/SI6Info) and as full SACCH blocks
// (SIBlocks.SI5/SI6): a 2-octet L1 header (TS 44.004 §7.2, ordered MS
// power and timing advance, which L1 overwrites per MS with
// PutSACCHL1Header), the LAPDm address and control octets of a SAPI 0 UI
// command in format B4 (TS 44.006 §2.1, no length indicator), then the
// message. Messages of dedicated channels (Channel Release, RR
// Status) are bare L3 messages for gsm/lapdm to carry.
//
// Each message type has its own file with the spec's layout above the
// decoder. Decoders never panic on input and check lengths before every
// read; every decoder has a fuzz target checking that a successful decode
// re-encodes to the same (or a canonical) form.
//
// Place in the dependency order: a protocol package above gsm/l3,
// gsm/internal/bitio and gsm/tdma. gsm/l1 takes the SI blocks, gsm/bts and
// gsm/ms use the message codecs.
package rr
