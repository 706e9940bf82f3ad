// Package config is gsmbox's one configuration file, gsmbox.toml: its
// schema, the built-in defaults (the test network 001/01), decoding with
// every unknown key rejected by name and line, and validation that reports
// every problem at once, with limits checked against the board descriptor
// (bands, transmit power).
//
// It is the only package that imports the TOML library. It validates
// [subscribers] and [security] with the bbolt-free leaves
// gsm/core/registry/policy and gsm/mm, never gsm/core/registry itself, so
// the host-side image builder (tools/mkimage) links no database
// (tools/archcheck enforces it). Callers get typed
// values: tdma.Band and tdma.ARFCN, tdma.BSIC, time.Duration.
//
// Order of work, as a field technician's file is applied: Default(), then
// the file is decoded over the defaults, then Validate(board). Parse does
// all three and returns *Error listing every Problem.
package config
