// Package core is the network in the box above the cells: the radio
// resource messages of dedicated mode (TS 44.018 §3.4: ciphering mode,
// classmark enquiry, channel release), mobility management (gsm/mm:
// location updating with identification, authentication, ciphering, TMSI
// allocation and MM Information; IMSI detach; paging responses), with the
// subscriber registry (gsm/core/registry) as its VLR and HLR; the SMSC
// (sms.go, smsconn.go: SM-CP/RP/TL of TS 24.011 and TS 23.040 on SAPI 3,
// store and forward in gsm/core/smsc, paging for mobile-terminated
// delivery) and USSD (ussd.go, TS 24.080/24.090). Without an SMS store,
// SAPI 3 gets CP-ERROR #97 (TS 24.011 §7.2.3); until call control exists
// a call gets RELEASE COMPLETE #79 or #81 (TS 24.008 §8.3.1).
//
// SMS. A message is acknowledged (RP-ACK) only once the store has it on
// disk: the lookups and the write run on the SMSC's worker goroutine
// (inside Step with SyncHLR), never on a frame loop. Delivery is tried
// at once if the recipient is attached (on its open connection, or by
// paging, repeated every SMSConfig.PageRetry until PageTimeout, the
// network's T3113), else on its next location update, IMSI attach or
// RP-SMMA, and after a failed attempt by the back-off of SMSConfig.Retry.
// The recipient's RP-ACK is recorded through the same worker; a restart
// between the two redelivers (the only duplicate, which the phone's
// inbox recognises). See docs/sms.md.
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
