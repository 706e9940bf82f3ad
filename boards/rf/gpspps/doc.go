// Package gpspps receives a GPS receiver's 1 PPS on a GPIO edge and
// timestamps each edge against the board's sample-clock counter.
//
// A Linux GPIO interrupt is serviced tens of microseconds late and
// unevenly, far too coarse for a 50 ppb reference; so the timestamp is
// the sample counter latched by hardware at the edge (the HAT's CPLD, the
// LimeNET Micro's FPGA), read through the Counter interface after the
// GPIO edge says a new latch is there. Boards without a latch — USB
// radios, whose counter only reaches the host in the sample stream — get
// a software latch (soft.go): Fit relates the stream's counter to the
// host clock (the lower envelope of the RX transfers' arrival times:
// USB latency only adds), and SoftCounter reads it at the GPIO edge, or
// KernelPPS at the kernel pps-gpio interrupt's timestamp (Linux PPS API,
// <linux/pps.h>). Their microseconds of jitter need the discipline loop's
// averaging mode.
//
// Place in the dependency order: a leaf under boards/rf; the clock
// service in boards/rf feeds its events to boards/rf/discipline.
package gpspps
