// Package smsc is the durable half of the SMS centre in the box: the
// store-and-forward queue of short messages (3GPP TS 23.040 §3.1, the SC's
// store) in one bbolt file beside the subscriber registry.
//
// Why bbolt. The registry already trusts bbolt with power cuts: every
// Update is one copy-on-write transaction made durable with fsync before
// it returns, and a cut at any instant leaves either the old or the new
// state (the meta page is written last and checksummed). An append-only
// log would need its own torn-tail recovery and compaction for the same
// guarantee. A message costs two durable writes: one when it is accepted
// (before the RP-ACK goes to the sender) and one when its recipient's
// RP-ACK arrives (a failed attempt, an expiry or a cancel is one more
// each). Put takes several records in one transaction, so an operator's
// broadcast is one fsync.
//
// The store holds records only; the policy (when to page, back-off,
// expiry, status reports) is gsm/core's, which keeps the queue in memory,
// loads it at start (Load) and writes each change through its worker
// goroutine, never from a frame loop. The operator's commands (gsmbox sms)
// open the file of a stopped network directly.
//
// Place in the dependency order: inside gsm/core's group, above the
// standard library and bbolt only.
package smsc
