// Package status is the appliance's status snapshot: what runs, what the
// cell does, whether the box is healthy. The supervisor renders it to
// /run/gsmbox/status.txt every few seconds; `gsmbox status` prints that
// file, and the USB report includes it.
//
// Place in the dependency order: platform (firmware/); imports
// firmware/supervisor and firmware/storage.
package status
