// Package ss is non-call-related supplementary services signalling for
// USSD (3GPP TS 24.080 §2, §3.6; TS 24.090): the Register, Facility and
// Release Complete messages (protocol discriminator 0x0B), the Facility
// IE's ASN.1 BER components (Invoke, ReturnResult, ReturnError, Reject),
// and the USSD operations processUnstructuredSS-Request (59),
// unstructuredSS-Request (60) and unstructuredSS-Notify (61) with their
// USSD-Arg/USSD-Res parameters (TS 29.002 §7.6.4 types) and the
// USSD-DataCodingScheme of TS 23.038 §5 with the 7-bit packing of
// §6.1.2.3.1.
//
// BER goes through a small reader and writer (ber.go): definite lengths
// only, in their shortest form, tags of one octet in the structures we
// parse, a nesting depth limit of 8 when checking parameters we do not
// interpret, and no allocation beyond the returned values. Operation
// parameters stay raw BER in Component.Param; USSDArg and USSDRes decode
// and encode the USSD ones.
//
// Decoders never panic; a decode that succeeds re-encodes to the same
// octets unless the message held optional IEs we skip (TS 24.007 §11.2.4),
// in which case it re-encodes to the same message without them.
//
// Place in the dependency order: a leaf above gsm/l3 and gsm/sms/gsm7;
// the core's USSD service and the virtual phones use it.
package ss
