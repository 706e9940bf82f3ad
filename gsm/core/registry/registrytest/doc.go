// Package registrytest holds fakes for callers of gsm/core/registry: an
// in-memory Store with the same semantics as the bbolt one (transactions
// that roll back on error, unique TMSI and MSISDN indexes), a settable
// clock, and StoreSuite, the conformance tests every Store passes.
package registrytest
