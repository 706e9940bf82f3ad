package rr

import (
	"fmt"
)

// SACCHInfoLen is the information field of a SACCH UI frame in LAPDm
// format B4 (TS 44.006 §2.1, §8.1), as used for SI5, SI5bis, SI5ter and SI6:
// 23 octets minus the 2-octet L1 header, the address and control octets.
// The L3 message in it starts with its own L2 pseudo length octet (TS
// 44.018 §9.1.37, §9.1.40) instead of a LAPDm length indicator.
const SACCHInfoLen = 19

// LAPDm header of a downlink SACCH UI command on SAPI 0 (TS 44.006 §3):
// address 0x03 (LPD 00, SAPI 0, C/R 1, EA 1), control 0x03 (UI, P=0).
const (
	lapdmAddrSAPI0Cmd = 0x03
	lapdmCtrlUI       = 0x03
)

// PutSACCHL1Header writes the SACCH L1 header (TS 44.004 §7.2) into the
// first two octets of a downlink SACCH block:
//
//	  8     7     6     5   4   3   2   1
//	| 0   | SRO | FPC |  ordered MS power level (5) |  octet 1
//	| 0   | 0   |  ordered timing advance (6)      |  octet 2
//
// L1 calls it per MS on each block; it does not touch the rest.
func PutSACCHL1Header(b *[BlockLen]byte, msPower uint8, fpc bool, ta uint8) {
	b[0] = bit(fpc, 5) | msPower&31
	b[1] = ta & 63
}

// SACCHBlock builds a downlink SACCH block carrying info (at most 19
// octets: an SI message with its pseudo length) as a LAPDm format B4 UI
// frame on SAPI 0, with an L1 header of power level 0 and timing advance 0
// for L1 to overwrite.
func SACCHBlock(dst *[BlockLen]byte, info []byte) error {
	if len(info) > SACCHInfoLen {
		return fmt.Errorf("%w: %d octets for a SACCH B4 frame (max %d)", ErrBuffer, len(info), SACCHInfoLen)
	}
	fillBlock(dst[:])
	dst[0], dst[1] = 0, 0
	dst[2] = lapdmAddrSAPI0Cmd
	dst[3] = lapdmCtrlUI
	copy(dst[4:], info)
	return nil
}

// ParseSACCHBlock splits a downlink SACCH block with a SAPI 0 UI frame in
// format B4 into its L1 header fields and the information field.
func ParseSACCHBlock(b []byte) (msPower uint8, ta uint8, info []byte, err error) {
	if len(b) < 4 {
		return 0, 0, nil, fmt.Errorf("%w: SACCH block of %d octets", ErrShort, len(b))
	}
	if b[2]&0xfd != 0x01 || b[3]&0xef != lapdmCtrlUI {
		return 0, 0, nil, fmt.Errorf("%w: SACCH block is not a SAPI 0 UI frame (% x)", ErrType, b[2:4])
	}
	return b[0] & 31, b[1] & 63, b[4:], nil
}
