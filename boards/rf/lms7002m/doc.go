// Package lms7002m drives the Lime Microsystems LMS7002M two-channel
// transceiver (LimeSDR, LimeNET Micro) over SPI, in periph.io style.
//
// What a GSM cell needs from it: a reset and a chip-ID check, the clock
// generator (CGEN) that makes the ADC/DAC sample clock, the RX and TX
// synthesisers (SXR, SXT) tuned to the uplink and downlink carriers, the
// RX gains (LNA, TIA, PGA), the TX pad loss, the narrowest baseband
// low-pass filters (channel selection at 200 kHz happens digitally), and a
// TX pad power-down the front-end interlock uses as its PA switch.
//
// SPI protocol (LMS7002M datasheet, "Serial Port Interface"): every
// transaction is 32 bits, MSB first; the first 16 bits are the command,
// bit 15 = 1 for a write and 0 for a read, bits 14..0 the register
// address; the next 16 bits are the data, driven by the host for a write
// and by the chip on SDO for a read (4-wire mode).
//
// Register addresses and field positions follow the LMS7002M datasheet's
// register map (0x0020 MAC and resets, 0x002F chip ID, 0x0086..0x008C
// CGEN, 0x0100..0x010A TRF/TBB, 0x010C..0x011A RFE/RBB, 0x011C..0x0124
// SXR/SXT). The synthesiser equations: fVCO = N × fREF (N = INT + 4 +
// FRAC/2^20, with fREF doubled by EN_DIV2 when fVCO > 5.5 GHz) and fLO =
// fVCO / 2^(DIV_LOCH+1); for CGEN fVCO = (INT + 1 + FRAC/2^20) × fREF and
// fOUT = fVCO / (2 × (DIV_OUTCH + 1)). VCO capacitor banks (CSW) are found
// with the VCO_CMPHO/VCO_CMPLO comparators.
//
// For streaming (stream.go): the LimeLight digital interface (0x0021..
// 0x002C), the TSP half-band interpolation/decimation (HBI_OVR 0x0203,
// HBD_OVR 0x0403) planned for 1625/6 kHz × sps, and the IQ gain/phase and
// TX DC correctors (0x0201..0x0204, 0x0401..0x0404). Calibration runs on
// the host, not on the chip's MCU (docs/rf-bringup.md says why):
// CalibrateTX (cal.go) searches the TX correctors over a Loop, and
// TXLoopback (loopback.go) routes the TX output into the receiver
// through the TX pad's loopback tap (0x0101) and the RFE loopback paths
// (0x010C, 0x010D) with the pad itself powered down.
//
// Place in the dependency order: a leaf driver under boards/rf.
package lms7002m
