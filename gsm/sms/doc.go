// Package sms is the home of GSM point-to-point SMS (3GPP TS 24.011,
// TS 23.040, TS 23.038). The codecs live in sub-packages, one per layer,
// each a leaf that imports only gsm/l3 and each other downwards:
//
//   - gsm/sms/cp: the control protocol on SAPI 3 (CP-DATA, CP-ACK,
//     CP-ERROR) and the SMC entity with TC1* and retransmission;
//   - gsm/sms/rp: the relay protocol (RP-DATA, RP-ACK, RP-ERROR,
//     RP-SMMA) carried in CP-DATA;
//   - gsm/sms/tp: the transfer protocol data units carried in RP-User
//     data (SMS-SUBMIT, SMS-DELIVER, SMS-STATUS-REPORT and the reports),
//     user data, concatenation and reassembly;
//   - gsm/sms/gsm7: the GSM 7-bit default alphabet and its packings,
//     shared with gsm/ss for USSD.
//
// This package holds no code of its own; its tests check the whole stack
// against Wireshark's dissectors.
package sms
