// Package cdr keeps call detail records: who called whom, when, how long,
// and how the call ended (the release cause of TS 24.008 §10.5.4.11).
// They are the base for billing and prepaid credit, so they must survive
// a power cut at any instant.
//
// The file is an append-only log of lines, one record each:
//
//	<CRC-32C of the JSON, 8 hex digits> <space> <JSON record> <LF>
//
// Append writes one line with a single write and fsyncs the file before
// it returns; the directory is fsynced when the file is created. A power
// cut can only leave the last line torn (short, without its LF, or with a
// CRC that does not match); Open finds it, cuts it off and fsyncs before
// anything else is appended, so a torn record never joins the next one.
// A damaged line in the middle (a bad sector) is skipped and counted,
// never fatal.
//
// Writes block on the disk: the core makes them on its registry worker
// goroutine, never on the frame loop.
//
// Place in the dependency order: a leaf under gsm/core (standard library
// only); gsm/core writes it, the console reads it.
package cdr
