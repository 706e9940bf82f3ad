// Package policy is the subscriber registry's registration policy as data:
// the open/closed mode, the MSISDN range auto-provisioning draws from, the
// IMSI prefixes, the reject causes (3GPP TS 24.008 §10.5.3.6), and their
// parsers from gsmbox.toml's [subscribers] words.
//
// It is a leaf apart from gsm/core/registry so that firmware/config can
// validate [subscribers] without linking the registry's storage
// (go.etcd.io/bbolt) into the host-side image builder (tools/mkimage);
// tools/archcheck enforces that. registry re-exports these types under
// its own names (registry.Policy, registry.Mode, ...) and applies the
// policy in Decide.
//
// Place in the dependency order: under gsm/core; imports gsm/l3 (digit
// checks) and gsm/mm (the reject cause type) only.
package policy
