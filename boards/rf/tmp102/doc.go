// Package tmp102 reads the TI TMP102 temperature sensor on I2C, mounted on
// the PA heat sink for the over-temperature interlock.
//
// TMP102 data sheet (SBOS397): pointer register §7.5.1, temperature
// register §7.5.2 (12-bit, 0.0625 °C, left-justified; 13-bit when EM = 1),
// configuration register §7.5.3 (R1:R0 read as 11).
//
// Place in the dependency order: a leaf driver under boards/rf.
package tmp102
