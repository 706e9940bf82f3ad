// Package ina219 drives the TI INA219 current/power monitor on I2C, used
// on the PA supply to trip the transmitter on over-current.
//
// INA219 data sheet (SBOS448): register set §8.6 (Configuration 00h,
// Shunt Voltage 01h, Bus Voltage 02h, Power 03h, Current 04h,
// Calibration 05h), calibration equations §8.5.1 (Equations 1 to 4).
// Registers are 16 bits, MSB first; a read writes the register pointer
// and reads two bytes.
//
// Place in the dependency order: a leaf driver under boards/rf.
package ina219
