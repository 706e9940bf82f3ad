// Package gmsk is the GSM GMSK modulator of 3GPP TS 45.004 §2: differential
// encoding (§2.5), NRZ mapping, the Gaussian frequency pulse with BT = 0.3
// convolved with a one-symbol rectangle (§2.6), phase accumulation with
// modulation index ½ (§2.6) and I/Q output (§2.7), at a configurable number
// of samples per symbol (4 by default: 1625000/6×4 ≈ 1083333.33 samples/s).
//
// It also shapes each burst's power envelope in the guard period: a smooth
// ramp up before the useful part and down after it, inside the time mask of
// TS 45.005 Annex B and gentle enough to keep the switching transients of
// TS 45.005 §4.2.2 inside their mask.
//
// Usage follows gonum's plan-then-execute style:
//
//	m := gmsk.NewModulator(gmsk.Config{SPS: 4})
//	n := m.ModulateBurst(dst, &burst, tdma.KindNormal) // dst first, no allocation
//
// Burst timing within the output: sample dst[m.Lead()] is the start of
// bit 0's symbol period; bit i's frequency pulse is centred on the middle of
// its period, (i+½)·T after that. The "dummy bits" of TS 45.004 §2.4 (d = 1)
// feed the differential encoder before and after the burst.
//
// The modulator is pure: no goroutines, no I/O, no clock. Its place in the
// dependency order: it imports only gsm/tdma; dsp/trx builds on it.
package gmsk
