// Package l1 is the layer-1 logical-channel multiplexer of the cell: the
// TDMA multiframe tables of 3GPP TS 45.002 clause 7, the BCCH system
// information schedule (TS 45.002 §6.3.1.3, TS 44.018 §3.2.2.1), the CCCH
// block and paging group arithmetic (TS 45.002 §6.5), the downlink scheduler
// that fills all eight timeslots of the BCCH carrier C0 for every TDMA frame,
// and the uplink demultiplexer that routes received bursts to logical
// channels and decodes them.
//
// Channel combinations (TS 45.002 §6.4.1) supported, downlink and uplink:
//
//	CombIV   FCCH + SCH + BCCH + CCCH                           (TN0)
//	CombV    FCCH + SCH + BCCH + CCCH + SDCCH/4(0..3) + SACCH/C4(0..3) (TN0)
//	CombVII  SDCCH/8(0..7) + SACCH/C8(0..7)                     (any TN)
//	CombI    TCH/F + FACCH/F + SACCH/TF                          (TN1..7)
//
// The per-cell loop drives a Downlink once per TDMA frame (Downlink.Frame)
// and hands every received burst to an Uplink (Uplink.Burst). Both are pure:
// no goroutines, no I/O, no clock, no allocation per frame or burst. Blocks
// to transmit come from an upper-layer Source; decoded uplink blocks and
// access bursts go to an upper-layer Sink; an optional Tap sees every block
// in both directions so the cell can mirror them as GSMTAP.
//
// TCH/F channels (combination I) carry full-rate speech and FACCH/F through
// the optional TrafficSource and TrafficSink interfaces.
//
// Channel coding is done by gsm/coding (TS 45.003): each downlink block is
// encoded once, at its first burst, into scratch space held by the Downlink.
//
// Ciphering (3GPP TS 43.020 Annex C, TS 44.018 §3.4.7): Downlink.SetCipher
// and Uplink.SetCipher switch A5/1 or A5/3 (gsm/crypto/a5) on per dedicated
// channel, separately per direction, from the next burst; the 114 bits of
// every normal burst of the SDCCH and its SACCH, or of the TCH/F with its
// FACCH/F and SACCH/TF, are XORed with the keystream of their frame (soft
// bits sign-flipped on the uplink). Cipher does the same for a mobile.
//
// Not done here yet: TCH/H, frequency hopping, DTX, the CBCH,
// and handover access bursts on dedicated channels.
//
// Place in the dependency order: a protocol package above gsm/tdma,
// gsm/crypto/a5, gsm/coding and gsm/gsmtap (constants and header only);
// gsm/bts wires it to dsp/trx and to gsm/rr / gsm/lapdm. Fakes for tests
// are in gsm/l1/l1test.
package l1
