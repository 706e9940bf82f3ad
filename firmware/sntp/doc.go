// Package sntp is a Simple Network Time Protocol client (RFC 4330, SNTPv4)
// for the box's wall clock, and a minimal server for tests.
//
// The packet is RFC 4330 §4's 48 bytes (no extension fields, no
// authenticator); Unmarshal checks the length before reading and never
// panics. Query sends one request and checks the reply as §5 asks: the
// server's mode, a non-zero stratum (zero is a kiss-o'-death, §8), a
// synchronized leap indicator, the originate timestamp echoing the
// request's transmit timestamp, and a non-zero transmit timestamp.
//
// Place in the dependency order: a leaf (standard library only); used by
// firmware/lan.
package sntp
