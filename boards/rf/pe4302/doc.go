// Package pe4302 drives the pSemi PE4302 6-bit digital step attenuator
// (0 to 31.5 dB in 0.5 dB steps) through GPIO lines, in serial mode (P/S
// strapped high: Data, Clock and LE) or latched parallel mode (six data
// lines and LE).
//
// PE4302 product specification: "Programming Options"; the serial word
// is six bits C16, C8, C4, C2, C1, C0.5, entered MSB (C16) first on
// rising Clock edges while LE is low, then LE is pulsed high and brought
// low again to latch it (Serial Interface Timing Diagram). In parallel
// mode the six lines are set while LE is low and latched the same way.
//
// Place in the dependency order: a leaf driver under boards/rf.
package pe4302
