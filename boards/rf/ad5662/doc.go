// Package ad5662 drives the Analog Devices AD5662 16-bit nanoDAC on SPI,
// which sets the tuning voltage of a VCTCXO (the LimeNET Micro's 30.72 MHz
// reference).
//
// AD5662 data sheet Rev. B: "Serial Interface" and "Input Shift
// Register": a 24-bit word, six don't-care bits, PD1:PD0 (00 = normal
// operation), then D15..D0, MSB first; SYNC low frames the word and data
// is clocked in on the falling SCLK edge (SPI mode 1), up to 30 MHz.
//
// Place in the dependency order: a leaf driver under boards/rf.
package ad5662
