// Package trx is the transceiver: it turns bursts into samples on a
// radio.Stream and (in a later issue) samples back into bursts. This file
// set holds the transmit side and the TDMA clock.
//
// Timing (3GPP TS 45.002 §4.3, §5.2; TS 45.010 §5): at S samples per
// symbol (S a multiple of 4) a timeslot is 156.25·S samples (625 at 4 sps)
// and a TDMA frame 8 slots (5000). Timeslot TN of a frame starts TN slot
// lengths after the frame start, and its burst's bit 0 begins BurstLead
// samples later (10 at 4 sps): the ramp up occupies those samples, the
// tail of the previous slot's 8.25-bit guard period, and the ramp down and
// silence fill the rest of the slot after the last bit. A receiver built
// on this package finds bit 0 of timeslot TN at BurstStart(TN).
//
// The TDMA clock is kept from the sample counter: Clock maps a frame
// number to the Timestamp of its first sample, anchored once and advanced
// with every frame, so FN wraps at the hyperframe (TS 45.002 §4.3.3) while
// timestamps keep counting.
//
// Rendering is pure and allocation-free per frame; WriteFrame is the one
// call that touches a Stream. Place in the dependency order: above
// dsp/gmsk, dsp/iq and dsp/radio, and gsm/phy, whose Carrier
// StreamCarrier implements (the in-process burst PHY); firmware/node
// drives it.
package trx
