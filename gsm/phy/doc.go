// Package phy is the burst PHY seam: the interface between a layer 1
// that schedules bursts (gsm/l1 under gsm/bts, or gsm/ms on the mobile
// side) and whatever turns bursts into radio signals and back (the
// in-process transceiver dsp/trx over a radio.Stream, or an external
// transceiver reached over the TRX protocol, gsm/trxproto/trxclient).
//
// Downlink bursts for one TDMA frame go in (tdma.TxBurst); uplink bursts
// come out with their measurements (tdma.RxBurst: RSSI, TS 45.008 §8.1;
// time of arrival, TS 45.010 §5; C/I). A Plan says, per timeslot, what the
// receiver listens for in one frame (3GPP TS 45.002 §5.2: normal, access,
// frequency correction and synchronisation bursts), with the training
// sequence of each normal-burst slot (TS 45.002 §5.2.3). It is the one
// receive-mode type for both the network and the mobile side.
//
// Place in the dependency order: a leaf beside gsm/tdma, importing only
// gsm/tdma and the standard library, so that both dsp/ and gsm/ may
// import it. phytest holds a fake Carrier for tests.
package phy
