// Package mcp4725 drives the Microchip MCP4725 12-bit DAC on I2C, which
// sets the tuning voltage of the RPi4 HAT's 26 MHz VCTCXO.
//
// MCP4725 data sheet (DS22039): write commands §6.1 (fast mode: two
// bytes, C2:C1 = 00; write DAC register C2:C0 = 010; write DAC register
// and EEPROM C2:C0 = 011), read §6.2 (five bytes: status, DAC register,
// EEPROM), EEPROM write busy flag RDY/BSY in bit 7 of the status byte.
//
// Place in the dependency order: a leaf driver under boards/rf.
package mcp4725
