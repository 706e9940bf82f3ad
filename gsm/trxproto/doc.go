// Package trxproto speaks the TRX protocol that joins a GSM layer 1 (the
// "BTS" side: osmo-bts-trx, or gsmbox's own stack) to a transceiver (the
// "TRX" side: osmo-trx, or gsmbox's own DSP) over UDP. It is the
// OpenBTS-derived protocol documented in the OsmoTRX and OsmoBTS user
// manuals ("TRX Manager UDP socket interface") and dissected by Wireshark's
// osmo_trxc and osmo_trxd dissectors.
//
// Three sockets per transceiver channel, on a base port B (default 5700):
//
//	clock    B          TRX → BTS   "IND CLOCK <fn>"
//	control  B+1+2n     both ways   "CMD <VERB> [args]" / "RSP <VERB> <status> [args]"
//	data     B+2+2n     both ways   TRXD burst PDUs (binary)
//
// for channel n; the BTS side binds the same layout 100 ports higher.
//
// TRXD PDUs (versions 0 and 1; version 2's batching is refused by
// negotiating down with SETFORMAT, as osmo-bts-trx expects):
//
//	downlink (BTS → TRX), v0 and v1 alike:
//	  VER(4) | 0 | TN(3)   FN(32, big-endian)   ATT(8, dB)   148 hard bits, one per byte (0/1)
//	uplink (TRX → BTS):
//	  v0: VER|TN   FN   RSSI(8, −dBm)   ToA256(16, signed)   148 soft bits (0..254) [2 padding bytes]
//	  v1: ... ToA256   MTS(8)   C/I(16, signed, centibels)   148 soft bits, or none for a NOPE
//	  MTS: NOPE(1) | modulation(4: 00SS = GMSK with TSC set SS) | TSC(3)
//
// Soft bits on the wire are unsigned, 0 meaning a certain 0 and 254 a
// certain 1 (255 is read as a certain 1); gsmbox's soft bits are int8 with
// positive meaning 0 (tdma.SoftBurst), so wire = 127 − soft.
//
// The codecs (Command, Response, Indication, DownlinkPDU, UplinkPDU) are
// pure and follow pion's pattern: Unmarshal with a length check before
// every read, MarshalTo/MarshalSize, no allocation on the burst path.
// ControlServer answers TRXC commands as osmo-trx does, keeping the
// resulting State for the transceiver's frame loop and asking Hooks where
// the transceiver must check or act (RF-safe tuning, power on); Link owns
// the three UDP sockets of one channel and runs commands for the layer 1
// side (Command, with osmo-bts-trx's retries and response matching).
//
// State.Plan is the receive plan (gsm/phy) a transceiver follows.
//
// Place in the dependency order: protocol layer, above gsm/tdma and
// gsm/phy. The stack reaches a transceiver through trxclient (a
// phy.Carrier); the transceiver side (dsp/trx) is joined to it in
// firmware/node/trxserver, since dsp/ may not import it.
package trxproto
