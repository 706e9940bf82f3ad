// Package core is the network side of gsmbox above the radio: the
// subscriber registry (HLR/VLR data), authentication, TMSI management,
// paging, SMS store-and-forward, local call switching, the SIP trunk and the
// USSD menu.
//
// This directory holds no code of its own; each concern is a sub-package:
//
//   - registry: the durable subscriber table (IMSI, MSISDN, keys, IMEI,
//     TMSI, location, last seen), the registration policy and CSV
//     import/export (3GPP TS 23.003, TS 24.008 §10.5.3.6).
//
// Place in the dependency order: "network" layer. gsm/core imports the pure
// packages (gsm/l3, gsm/crypto, ...) and the protocol state machines; it
// never imports dsp/, boards/ or firmware/. Paths to storage come from the
// caller (on the appliance, the data partition).
package core
