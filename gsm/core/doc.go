// Package core is the network in the box above the cells: the radio
// resource messages of dedicated mode (TS 44.018 §3.4: ciphering mode,
// classmark enquiry, channel release), mobility management (gsm/mm:
// location updating with identification, authentication, ciphering, TMSI
// allocation and MM Information; IMSI detach; paging responses), with the
// subscriber registry (gsm/core/registry) as its VLR and HLR. Until SMS
// and call control exist, what it cannot serve gets the answer the
// protocols define: CP-ERROR #97 on SAPI 3 (TS 24.011 §7.2.3) and
// RELEASE COMPLETE #79 or #81 for call control (TS 24.008 §8.3.1).
//
// It talks to any number of cells through gsm/rsl, the seam shaped like
// Abis RSL: upward events arrive on one bounded queue (Network.Up), each
// cell's requests go to its own (AddCell). LAPDm, ciphering on the air
// and the release handshake are the cells'; the core decides (one owner
// per side: it sends an encryption command with the algorithm, Kc and
// Ciphering Mode Command, the cell does the rest).
//
// Time and goroutines. The core's timers run on a clock that belongs to
// no cell. On a board, Network.Serve(ctx) runs the core on its own
// goroutine with the injected Clock and the registry on a worker
// goroutine with a bounded request queue: MM's lookups (gsm/mm's
// ActLookup) and writes (ActCommit) go there and the answers come back as
// events, so no fsync (nor, later, a GSUP round trip to an HLR) lands on
// a cell's frame loop. In simulation whoever drives virtual time calls
// Network.Step(now) after each frame instead; with Config.SyncHLR the
// registry's requests run inside Step, which keeps the run deterministic.
//
// State. The core keeps one conn per active channel (keyed by cell and
// channel, and the activation's Ref) and a session table by IMSI: the
// connection a subscriber is on and the mobile-terminated work waiting
// for its paging response (Network.Page). Network.Snapshot returns a copy
// of the counters and sessions, safe from any goroutine.
//
// HLR adapts the registry to gsm/mm.Registry and applies MM's updates.
//
// Calls. The switch (switch.go, cc.go) connects calls between local
// subscribers by MSISDN (TS 24.008 §5 on each leg): early (or very early)
// assignment to a TCH/F, the codec both phones support, the speech relay
// in the cell (rsl.TrafficConnect), clearing across legs with TS 24.008
// causes, emergency calls to Config.Calls.Emergency, and a call detail
// record (gsm/core/cdr) written on the registry worker. docs/calls.md has
// the path of a call.
//
// Place in the dependency order: the top of gsm/, above gsm/rsl, gsm/mm,
// gsm/rr, gsm/l3 and gsm/core/registry; it does not import gsm/bts.
package core
