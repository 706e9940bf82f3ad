// Package registry is gsmbox's subscriber registry: the durable, embedded
// table of subscribers that the core consults on every location update,
// authentication, call and SMS, and that an operator inspects and edits
// with "gsmbox subscribers".
//
// A Subscriber holds the identities of 3GPP TS 23.003 (IMSI §2.2, MSISDN
// §3.3, IMEI §6.2 with its Luhn check digit of Annex B, TMSI §2.4), the
// authentication data of gsm/crypto (algorithm, Ki, OPc, the Milenage SQN
// of TS 33.102 Annex C) and the location state the MSC/VLR keeps: the LAI
// of the last successful location update (TS 24.008 §4.4), the time the
// subscriber was last seen, and whether it is attached (IMSI detach,
// TS 24.008 §4.3.4).
//
// # Storage
//
// Registry works over a Store, a small transactional interface with two
// indexes (TMSI → IMSI, MSISDN → IMSI) that the Store keeps consistent
// inside each transaction. Open returns the durable Store, a bbolt file
// (go.etcd.io/bbolt: copy-on-write B+tree, data pages written and fsynced
// before the meta page that commits them, so a power cut at any instant
// leaves either the old or the new state; Options.GroupCommit shares one
// fsync among concurrent commits). registrytest holds an in-memory
// Store for callers' tests. Records are stored in a versioned binary
// encoding with a CRC-32C (record.go); decoding never panics on corrupted
// bytes.
//
// # Policy
//
// Decide applies the registration Policy to an IMSI that asks to register:
// closed (only provisioned IMSIs), open (any IMSI, auto-provisioned with the
// next free MSISDN of a range) or a mix (open for listed IMSI prefixes). A
// refusal is a value: the reject cause of TS 24.008 §10.5.3.6 for the
// Location Updating Reject. The Policy's types and parsers live in the
// bbolt-free leaf gsm/core/registry/policy (so firmware/config can validate
// them without linking storage); Policy, Mode and Range here are aliases.
//
// # Secrets
//
// Ki and OPc are crypto.Ki and crypto.OPc, which redact themselves in fmt
// and log/slog. They leave memory only through the store, the CSV export
// and an explicit --show-keys.
//
// Place in the dependency order: network layer (gsm/core). It imports
// gsm/crypto, gsm/l3, gsm/core/registry/policy and bbolt; it never imports firmware/ (the caller
// passes the path) and is safe for concurrent use by the core's goroutines.
package registry
