// Package lime drives the LimeSDR Mini v1 and the LimeNET Micro (the same
// host protocol) over USB in pure Go: the FTDI FT601 bridge (0403:601F),
// the LMS64C control protocol to the MAX10 FPGA and the LMS7002M, the
// FPGA's stream registers, the 4096-byte stream packet codec, and a
// radio.Stream for the board.
//
// Endpoints of the FT601 (in its 245 FIFO mode with two channels):
//
//	EP 0x01        20-byte FT601 session commands (flush a pipe, set a stream pipe)
//	EP 0x02 / 0x82 64-byte LMS64C control packets, host→board / board→host
//	EP 0x03 / 0x83 4096-byte stream packets, TX / RX
//
// LMS64C control packet (64 bytes):
//
//	 0      1       2            3              4..7      8..63
//	+-----+--------+------------+--------------+---------+-----------+
//	| cmd | status | block count| peripheral ID| reserved| 56 data   |
//	+-----+--------+------------+--------------+---------+-----------+
//
// Commands used here: GET_INFO 0x00, LMS7002 reset 0x20, LMS7002
// write/read 0x21/0x22, FPGA register write/read 0x55/0x56, analog value
// write 0x61. A register block is 4 bytes (address big-endian with bit 15
// set for a write, then the value big-endian), so up to 14 registers fit
// one packet; a read request carries 2-byte addresses and is answered with
// 4-byte address/value blocks.
//
// Stream packet (4096 bytes):
//
//	 0        1..2 (LE)      3..7      8..15 (LE)        16..4095
//	+--------+--------------+---------+-----------------+------------------+
//	| flags  | payload size | reserved| sample counter  | 4080 sample bytes|
//	+--------+--------------+---------+-----------------+------------------+
//
// flags, TX: bit 4 = ignore the timestamp (send at once). RX: bit 3 = a TX
// packet arrived late and was dropped; bits 2..0 = RX FIFO fill in
// eighths. Samples are I then Q, 16-bit little-endian (1020 samples a
// packet) or packed 12-bit (3 bytes a sample: I[7:0], Q[3:0]<<4|I[11:8],
// Q[11:4]; 1360 samples a packet). Full scale is ±2047 in both widths: the
// converters are 12-bit.
//
// The layouts are written from the public descriptions of the protocol
// (the LMS64C protocol note, the "facts to build on", FTDI's
// FT600/FT601 data sheet); no LimeSuite code is used. What only a board
// can confirm is listed in docs/rf-bringup.md.
//
// loopback.go is the hardware side of the LMS7002M's TX calibration: the
// chip's internal TX→RX loopback exercised over the sample stream
// (Loopback, CalibrateTX).
//
// Place in the dependency order: above boards/usbfs, boards/rf/lms7002m
// and dsp/radio; below boards/rf and cmd/gsmbox. limetest holds a fake
// LimeSDR at the usbfs.Device seam.
package lime
