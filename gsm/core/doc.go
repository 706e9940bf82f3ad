// Package core is the network in the box above the cell: for every
// dedicated channel a phone comes to, it runs the data link (gsm/lapdm),
// the radio resource messages of the dedicated channel (TS 44.018 §3.4:
// ciphering mode, classmark, channel release), and mobility management
// (gsm/mm: location updating with identification, authentication,
// ciphering, TMSI allocation and MM Information; IMSI detach), with the
// subscriber registry (gsm/core/registry) as its VLR and HLR.
//
// Conn implements gsm/bts.Link, so the cell hands it each dedicated
// channel it activates; HLR adapts the registry to gsm/mm.Registry.
// Everything here runs on the per-cell loop: pure state machines whose
// clock is the TDMA frame number, turned into time by Network.
//
// Place in the dependency order: network layer, above gsm/bts, gsm/mm,
// gsm/lapdm, gsm/rr and gsm/core/registry.
package core
