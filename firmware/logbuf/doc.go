// Package logbuf keeps the most recent log lines in a ring buffer behind a
// log/slog handler, so `gsmbox status`, the USB report and a technician can
// see what happened, and persists the ring to the data partition
// periodically and at shutdown (the previous boot's log is kept as
// gsmbox.prev.log).
//
// Place in the dependency order: platform (firmware/); imports
// firmware/clock and firmware/storage.
package logbuf
