// Package rfhost opens a board's buses and pins on the running host,
// through periph's host drivers and registries (host.Init, spireg, i2creg,
// gpioreg). It is the only package that initialises periph's host.
//
// It is kept apart from boards and boards/rf so that reading a board's
// descriptor (the image builder, the config validator) links no host
// drivers and initialises nothing: host init happens where a board is
// opened, in the appliance (cmd/gsmbox run → firmware.Options.RFOpener)
// and in `gsmbox rf probe`.
//
// Place in the dependency order: platform layer. Imports boards/rf and
// periph's host; imported only by cmd/gsmbox (tools/archcheck enforces
// both).
package rfhost
