package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ChanType is the channel type of a Channel Description.
type ChanType uint8

// Dedicated channel types (TS 44.018 §10.5.2.5, channel type and TDMA
// offset field).
const (
	ChanTCHF   ChanType = iota + 1 // 00001: TCH/F + FACCH/F + SACCH/TF
	ChanTCHH                       // 0001T: TCH/H + ACCHs, sub-channel T
	ChanSDCCH4                     // 001TT: SDCCH/4 + SACCH/C4 (or CBCH), sub-channel TT
	ChanSDCCH8                     // 01TTT: SDCCH/8 + SACCH/C8 (or CBCH), sub-channel TTT
)

var chanTypeNames = [...]string{"?", "TCH/F", "TCH/H", "SDCCH/4", "SDCCH/8"}

func (c ChanType) String() string {
	if int(c) < len(chanTypeNames) {
		return chanTypeNames[c]
	}
	return fmt.Sprintf("ChanType(%d)", uint8(c))
}

// ChannelDesc is the Channel Description IE value (TS 44.018 §10.5.2.5),
// 3 octets:
//
//	  8   7   6   5   4   3   2   1
//	| channel type + TDMA offset  |    TN     |  octet 2
//	|    TSC    | H=0 | spare | ARFCN 9..8 |  octet 3 (single RF channel)
//	|            ARFCN 7..0             |  octet 4
//
//	|    TSC    | H=1 |     MAIO 5..2     |  octet 3 (hopping)
//	| MAIO 1..0 |         HSN             |  octet 4
type ChannelDesc struct {
	Type    ChanType
	SubChan uint8 // TCH/H 0..1, SDCCH/4 0..3, SDCCH/8 0..7
	TN      tdma.TN
	TSC     uint8
	Hopping bool
	ARFCN   tdma.ARFCN // if !Hopping
	MAIO    uint8      // if Hopping, 0..63
	HSN     uint8      // if Hopping, 0..63
}

// ChannelDescLen is the length of the value part.
const ChannelDescLen = 3

// MarshalTo writes the 3-octet value part.
func (c *ChannelDesc) MarshalTo(b []byte) (int, error) {
	if len(b) < ChannelDescLen {
		return 0, fmt.Errorf("%w: channel description needs 3 octets", ErrBuffer)
	}
	var t byte
	switch c.Type {
	case ChanTCHF:
		if c.SubChan != 0 {
			return 0, fmt.Errorf("%w: TCH/F sub-channel %d", ErrRange, c.SubChan)
		}
		t = 0b00001
	case ChanTCHH:
		t = 0b00010
		if c.SubChan > 1 {
			return 0, fmt.Errorf("%w: TCH/H sub-channel %d", ErrRange, c.SubChan)
		}
	case ChanSDCCH4:
		t = 0b00100
		if c.SubChan > 3 {
			return 0, fmt.Errorf("%w: SDCCH/4 sub-channel %d", ErrRange, c.SubChan)
		}
	case ChanSDCCH8:
		t = 0b01000
		if c.SubChan > 7 {
			return 0, fmt.Errorf("%w: SDCCH/8 sub-channel %d", ErrRange, c.SubChan)
		}
	default:
		return 0, fmt.Errorf("%w: channel type %v", ErrRange, c.Type)
	}
	if c.TN > 7 || c.TSC > 7 || c.ARFCN > 1023 || c.MAIO > 63 || c.HSN > 63 {
		return 0, fmt.Errorf("%w: channel description %+v", ErrRange, *c)
	}
	b[0] = (t|c.SubChan)<<3 | byte(c.TN)
	if c.Hopping {
		b[1] = c.TSC<<5 | 0x10 | c.MAIO>>2
		b[2] = c.MAIO<<6 | c.HSN
	} else {
		b[1] = c.TSC<<5 | byte(c.ARFCN>>8)
		b[2] = byte(c.ARFCN)
	}
	return ChannelDescLen, nil
}

// Unmarshal parses the 3-octet value part. Channel types other than the
// four above (e.g. the PDCH codes) are an error.
func (c *ChannelDesc) Unmarshal(b []byte) error {
	if len(b) < ChannelDescLen {
		return fmt.Errorf("%w: channel description of %d octets", ErrShort, len(b))
	}
	*c = ChannelDesc{TN: tdma.TN(b[0] & 7), TSC: b[1] >> 5, Hopping: b[1]&0x10 != 0}
	t := b[0] >> 3
	switch {
	case t == 0b00001:
		c.Type = ChanTCHF
	case t>>1 == 0b0001:
		c.Type, c.SubChan = ChanTCHH, t&1
	case t>>2 == 0b001:
		c.Type, c.SubChan = ChanSDCCH4, t&3
	case t>>3 == 0b01:
		c.Type, c.SubChan = ChanSDCCH8, t&7
	default:
		return fmt.Errorf("%w: channel type and TDMA offset %05b", ErrRange, t)
	}
	if c.Hopping {
		c.MAIO = (b[1]&0xf)<<2 | b[2]>>6
		c.HSN = b[2] & 63
	} else {
		c.ARFCN = tdma.ARFCN(b[1]&3)<<8 | tdma.ARFCN(b[2])
	}
	return nil
}
