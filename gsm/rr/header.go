package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// MsgType is an RR message type (TS 44.018 §10.4, table 10.4.1).
type MsgType uint8

// RR message types used by this package.
const (
	MsgSI2bis             MsgType = 0x02
	MsgSI2ter             MsgType = 0x03
	MsgSI2quater          MsgType = 0x07
	MsgSI5bis             MsgType = 0x05
	MsgSI5ter             MsgType = 0x06
	MsgChannelRelease     MsgType = 0x0d
	MsgRRStatus           MsgType = 0x12
	MsgSI1                MsgType = 0x19
	MsgSI2                MsgType = 0x1a
	MsgSI3                MsgType = 0x1b
	MsgSI4                MsgType = 0x1c
	MsgSI5                MsgType = 0x1d
	MsgSI6                MsgType = 0x1e
	MsgPagingRequest1     MsgType = 0x21
	MsgPagingRequest2     MsgType = 0x22
	MsgPagingRequest3     MsgType = 0x24
	MsgImmAssReject       MsgType = 0x3a
	MsgImmAss             MsgType = 0x3f
	MsgPagingResponse     MsgType = 0x27
	MsgClassmarkChange    MsgType = 0x16
	MsgCipheringModeCmd   MsgType = 0x35
	MsgCipheringModeCompl MsgType = 0x32
	MsgAssignmentCommand  MsgType = 0x2e
	MsgAssignmentComplete MsgType = 0x29
	MsgMeasurementReport  MsgType = 0x15
)

// BlockLen is the length of a MAC block on the BCCH, CCCH and SACCH.
const BlockLen = 23

// Padding is the fill octet of unused block octets and rest octets.
const Padding = 0x2b

// PseudoLength returns the L2 pseudo length octet (TS 44.018 §10.5.2.19)
// for an L3 message of n octets not counting its rest octets: the length
// in bits 8–3, bit 2 = 0, bit 1 = 1.
func PseudoLength(n int) byte { return byte(n)<<2 | 1 }

// ParsePseudoLength checks a pseudo length octet and returns the length.
func ParsePseudoLength(v byte) (int, error) {
	if v&3 != 1 {
		return 0, fmt.Errorf("%w: %#02x (bits 2-1 must be 01)", ErrPseudoLength, v)
	}
	return int(v >> 2), nil
}

// fillBlock sets every octet of b to the padding value.
func fillBlock(b []byte) {
	for i := range b {
		b[i] = Padding
	}
}

// ccchHeader writes pseudo length, skip/PD and message type into b (of at
// least 3 octets).
func ccchHeader(b []byte, l3len int, t MsgType) {
	b[0] = PseudoLength(l3len)
	b[1] = byte(l3.PDRR)
	b[2] = byte(t)
}

// parseCCCH checks a CCCH/BCCH block's pseudo length and RR header for type
// t and returns the L3 part (header included) limited to the pseudo length
// and the rest octets that follow it. Input beyond one 23-octet block is
// ignored.
func parseCCCH(b []byte, t MsgType) (msg, rest []byte, err error) {
	if len(b) > BlockLen {
		b = b[:BlockLen]
	}
	if len(b) < 3 {
		return nil, nil, fmt.Errorf("%w: block of %d octets", ErrShort, len(b))
	}
	n, err := ParsePseudoLength(b[0])
	if err != nil {
		return nil, nil, err
	}
	if n < 2 || 1+n > len(b) {
		return nil, nil, fmt.Errorf("%w: %d in a block of %d octets", ErrPseudoLength, n, len(b))
	}
	if err := checkRR(b[1:], t); err != nil {
		return nil, nil, err
	}
	return b[1 : 1+n], b[1+n:], nil
}

// checkRR checks the RR header (skip indicator 0, PD RR, type t) at b.
func checkRR(b []byte, t MsgType) error {
	if len(b) < 2 {
		return fmt.Errorf("%w: RR header", ErrShort)
	}
	if b[0] != byte(l3.PDRR) {
		return fmt.Errorf("%w: octet 1 %#02x is not skip 0 / PD RR", ErrType, b[0])
	}
	if MsgType(b[1]) != t {
		return fmt.Errorf("%w: %#02x, want %#02x", ErrType, b[1], uint8(t))
	}
	return nil
}

// MessageType returns the message type of a CCCH/BCCH block (with pseudo
// length) for dispatch, or an error if it is not an RR message.
func MessageType(block []byte) (MsgType, error) {
	if len(block) < 3 {
		return 0, fmt.Errorf("%w: block of %d octets", ErrShort, len(block))
	}
	if _, err := ParsePseudoLength(block[0]); err != nil {
		return 0, err
	}
	if block[1] != byte(l3.PDRR) {
		return 0, fmt.Errorf("%w: octet 1 %#02x is not skip 0 / PD RR", ErrType, block[1])
	}
	return MsgType(block[2]), nil
}
