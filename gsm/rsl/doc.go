// Package rsl is the seam between the cells (gsm/bts, the BTS side) and
// the core (gsm/core, the BSC and MSC side), shaped like the Abis Radio
// Signalling Link of TS 48.058: the cell runs layer 1, LAPDm and the radio
// procedures of a channel (timing advance, power, ciphering on the air,
// the release handshake), and reports what happens on each channel as
// upward events; the core runs RR's dedicated procedures, MM and the
// registry, and drives the cells with downward requests.
//
// Every event and request names its cell (CellID) and channel (l1.Chan
// of the main channel, plus Ref, the activation it belongs to), so one
// core serves any number of cells or carriers and, later, a BTS over a
// real Abis link. Layer 3 messages cross per SAPI, as in RSL's DATA
// INDICATION and DATA REQUEST (TS 48.058 §8.3); LAPDm itself stays on
// the BTS side.
//
// Both directions run over bounded queues (Queue): a full queue drops
// the item and counts it, so the cell's frame loop never waits for the
// core, nor the core for a slow cell.
//
// Place in the dependency order: a leaf of gsm/, above gsm/tdma and
// gsm/l1 (for the channel names) only; gsm/bts and gsm/core import it.
package rsl
