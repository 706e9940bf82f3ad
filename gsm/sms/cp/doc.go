// Package cp is the short message control protocol of 3GPP TS 24.011:
// the CP-DATA, CP-ACK and CP-ERROR messages (§7.2, §8.1) that carry RP
// messages over an MM connection on SAPI 3, and Entity, the SMC entity of
// one transaction (§5.2, §5.3, annex B) for either side and direction.
//
// # Entity
//
// An SMS transaction is one CP-DATA each way: RP-DATA (or RP-SMMA) from
// the side that opens it, RP-ACK or RP-ERROR back. The side that opens
// it (the MS for mobile-originated SMS, the network for mobile-terminated)
// sends with TI flag 0, the other with TI flag 1 (TS 24.007 §11.2.3.1.3).
// Each CP-DATA is acknowledged by a CP-ACK; the sender restarts timer
// TC1* and retransmits a bounded number of times (§5.3.2.1) before giving
// up. A new CP-DATA received while waiting for a CP-ACK can only be the
// peer's answer, which it could not give without our CP-DATA, so it also
// acknowledges ours (the CP-ACK may have been lost or be still on its
// way); a CP-DATA received twice (our CP-ACK was lost) is acknowledged
// again but delivered once.
//
// Entity is pure: no goroutines, no clock, no I/O. Its methods take the
// time and return Actions (send these octets, deliver this RPDU to the
// relay layer, report an error, release the MM connection); the owner
// arms a timer at Deadline and calls Tick. Time is a time.Time, virtual
// in the simulator, as in gsm/mm.
//
// Place in the dependency order: a leaf above gsm/l3; the SMSC's and the
// phones' SMS entities run one Entity per transaction identifier.
package cp
