// Package gsmtap encodes GSMTAP version 2 headers, the pseudo-header with
// which GSM air-interface frames and bursts are handed to Wireshark, and
// delivers them two ways: as UDP datagrams to port 4729 (Sender) and as a
// classic pcap capture file with synthesized Ethernet/IPv4/UDP headers
// (PcapWriter).
//
// The header layout and constants are the ones Wireshark's GSMTAP dissector
// and libosmocore's gsmtap.h use (GSMTAP is not a 3GPP protocol; the values
// of the channel types follow the logical channels of 3GPP TS 45.002 §3).
//
// Place in the dependency order: a pure package above gsm/tdma. Encode and
// the constants are allocation-free and safe for the per-burst path; Sender
// and PcapWriter own I/O and are used by services and tests.
package gsmtap
