// Package adf4351 drives the Analog Devices ADF4351 wideband synthesiser
// (35 MHz to 4.4 GHz, fractional-N) over SPI, in periph.io style.
//
// The part is write-only: six 32-bit registers, shifted MSB first and
// latched on the rising edge of LE (the SPI chip select going inactive).
// Registers are written R5 down to R0, and a write to R0 starts the VCO
// band selection (ADF4351 data sheet Rev. 0, "Register Map" and
// "Initialization Sequence"). Lock is observed on the LD pin, programmed
// as digital lock detect, through a GPIO input.
//
// Compute is pure: it turns a wanted output frequency into INT, FRAC, MOD,
// the R counter, the RF divider and the band-select clock divider, and
// reports the frequency error the fraction leaves. Dev writes the result
// and waits for lock.
//
// Place in the dependency order: a leaf driver under boards/rf; it imports
// only periph.io/x/conn.
package adf4351
