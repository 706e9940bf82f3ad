package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// CCCHConf is the CCCH_CONF field of the Control Channel Description (TS
// 44.018 §10.5.2.11, table 10.5.2.11.1).
type CCCHConf uint8

// CCCH configurations.
const (
	CCCH1NonCombined CCCHConf = 0 // one basic physical channel (TS0), not combined with SDCCHs
	CCCH1Combined    CCCHConf = 1 // TS0 combined with SDCCH/4
	CCCH2NonCombined CCCHConf = 2
	CCCH3NonCombined CCCHConf = 4
	CCCH4NonCombined CCCHConf = 6
)

// ControlChannelDesc is the Control Channel Description IE value (TS
// 44.018 §10.5.2.11), 3 octets:
//
//	  8     7     6   5   4     3   2   1
//	| MSCR| ATT | BS_AG_BLKS_RES | CCCH_CONF  |  octet 2
//	|SI22I| CBQ3    | 0 | 0 |  BS_PA_MFRMS   |  octet 3
//	|              T3212                    |  octet 4
type ControlChannelDesc struct {
	MSCR        bool     // MSC release 99 or later
	ATT         bool     // IMSI attach/detach allowed
	BSAGBlksRes uint8    // CCCH blocks reserved for AGCH, 0..7
	CCCHConf    CCCHConf // 3 bits
	SI22Ind     bool
	CBQ3        uint8 // 2 bits
	BSPAMfrms   uint8 // 2..9 multiframes between paging sub-channel repeats
	T3212       uint8 // periodic location update timer in deci-hours, 0 = infinite
}

func (c *ControlChannelDesc) marshal(b []byte) error {
	if c.BSAGBlksRes > 7 || c.CCCHConf > 7 || c.BSPAMfrms < 2 || c.BSPAMfrms > 9 || c.CBQ3 > 3 {
		return fmt.Errorf("%w: control channel description %+v", ErrRange, *c)
	}
	b[0] = bit(c.MSCR, 7) | bit(c.ATT, 6) | c.BSAGBlksRes<<3 | byte(c.CCCHConf)
	b[1] = bit(c.SI22Ind, 7) | c.CBQ3<<5 | (c.BSPAMfrms - 2)
	b[2] = c.T3212
	return nil
}

func (c *ControlChannelDesc) unmarshal(b []byte) {
	*c = ControlChannelDesc{
		MSCR: b[0]&0x80 != 0, ATT: b[0]&0x40 != 0, BSAGBlksRes: b[0] >> 3 & 7, CCCHConf: CCCHConf(b[0] & 7),
		SI22Ind: b[1]&0x80 != 0, CBQ3: b[1] >> 5 & 3, BSPAMfrms: b[1]&7 + 2, T3212: b[2],
	}
}

// DTX is the uplink DTX indication of the Cell Options IEs.
type DTX uint8

// DTX modes (TS 44.018 table 10.5.2.3.1). On the SACCH (table 10.5.2.3a.2)
// the 3-bit code says what applies on TCH/F and on TCH/H separately; the
// mode here is the TCH/F behaviour, and TCH/H gets "may" where the table
// allows (there is no "shall use on both" code).
const (
	DTXMay      DTX = 0 // the MS may use uplink DTX
	DTXShall    DTX = 1 // the MS shall use uplink DTX
	DTXShallNot DTX = 2 // the MS shall not use uplink DTX
)

// CellOptions is the Cell Options IE value, BCCH form (TS 44.018 §10.5.2.3)
// or SACCH form (§10.5.2.3a), one octet:
//
//	BCCH:  | DN-IND | PWRC | DTX (2) | RADIO-LINK-TIMEOUT (4) |
//	SACCH: | DTX b3 | PWRC | DTX b2..1 | RADIO-LINK-TIMEOUT (4) |
//
// RADIO-LINK-TIMEOUT is coded (value/4)−1 for 4..64 SACCH blocks.
type CellOptions struct {
	DNInd            bool // BCCH only: dynamic ARFCN mapping
	PWRC             bool // power control indicator
	DTX              DTX
	RadioLinkTimeout uint8 // 4, 8, ... 64 SACCH blocks
}

// sacchDTX maps DTX to the 3-bit SACCH code (table 10.5.2.3a.2): 100 may
// on TCH/F and TCH/H, 011 shall on TCH/F and may on TCH/H, 010 shall not
// on either.
var sacchDTX = [3]uint8{0b100, 0b011, 0b010}

// sacchDTXF is the TCH/F behaviour of each SACCH DTX code.
var sacchDTXF = [8]DTX{DTXMay, DTXShall, DTXShallNot, DTXShall, DTXMay, DTXShallNot, DTXShallNot, DTXMay}

func (c *CellOptions) marshal(sacch bool) (byte, error) {
	if c.RadioLinkTimeout < 4 || c.RadioLinkTimeout > 64 || c.RadioLinkTimeout%4 != 0 || c.DTX > DTXShallNot {
		return 0, fmt.Errorf("%w: cell options %+v (radio link timeout 4..64 in steps of 4)", ErrRange, *c)
	}
	v := bit(c.PWRC, 6) | (c.RadioLinkTimeout/4 - 1)
	if sacch {
		d := sacchDTX[c.DTX]
		v |= d>>2<<7 | (d&3)<<4
	} else {
		v |= bit(c.DNInd, 7) | byte(c.DTX)<<4
	}
	return v, nil
}

func (c *CellOptions) unmarshal(v byte, sacch bool) {
	*c = CellOptions{PWRC: v&0x40 != 0, RadioLinkTimeout: (v&0xf + 1) * 4}
	if !sacch {
		c.DNInd = v&0x80 != 0
		// Code 11 is reserved; read it as "shall not", the safe choice.
		c.DTX = min(DTX(v>>4&3), DTXShallNot)
		return
	}
	c.DTX = sacchDTXF[v>>7<<2|v>>4&3]
}

// CellSelParams is the Cell Selection Parameters IE value (TS 44.018
// §10.5.2.4), 2 octets:
//
//	| CELL-RESELECT-HYSTERESIS (3) | MS-TXPWR-MAX-CCH (5) |  octet 2
//	| ACS | NECI | RXLEV-ACCESS-MIN (6)                  |  octet 3
type CellSelParams struct {
	CellReselectHyst uint8 // 0..7, in 2 dB steps
	MSTxPwrMaxCCH    uint8 // power control level, 0..31 (see PowerLevel)
	ACS              bool  // additional reselect parameters in SI4 rest octets
	NECI             bool  // new establishment causes supported
	RxLevAccessMin   uint8 // 0..63 (see RxLev)
}

func (c *CellSelParams) marshal(b []byte) error {
	if c.CellReselectHyst > 7 || c.MSTxPwrMaxCCH > 31 || c.RxLevAccessMin > 63 {
		return fmt.Errorf("%w: cell selection parameters %+v", ErrRange, *c)
	}
	b[0] = c.CellReselectHyst<<5 | c.MSTxPwrMaxCCH
	b[1] = bit(c.ACS, 7) | bit(c.NECI, 6) | c.RxLevAccessMin
	return nil
}

func (c *CellSelParams) unmarshal(b []byte) {
	*c = CellSelParams{CellReselectHyst: b[0] >> 5, MSTxPwrMaxCCH: b[0] & 31, ACS: b[1]&0x80 != 0, NECI: b[1]&0x40 != 0, RxLevAccessMin: b[1] & 63}
}

// RACHControl is the RACH Control Parameters IE value (TS 44.018
// §10.5.2.29), 3 octets:
//
//	| Max retrans (2) | Tx-integer (4) | CELL_BAR_ACCESS | RE |  octet 2
//	| AC C15 | C14 | C13 | C12 | C11 | EC | AC C09 | AC C08  |  octet 3
//	| AC C07 | ... | AC C00                                 |  octet 4
type RACHControl struct {
	MaxRetrans uint8 // 1, 2, 4 or 7
	TxInteger  uint8 // the coded value 0..15; see TxIntegerSlots
	CellBarred bool  // CELL_BAR_ACCESS
	RE         bool  // call re-establishment NOT allowed
	// Barred has bit n set when access class n (0..15) is barred; bit 10
	// is the EC (emergency call) bit: set means emergency calls only from
	// classes 11..15.
	Barred uint16
}

// txIntegerSlots is table 10.5.2.29.1.
var txIntegerSlots = [16]uint8{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 25, 32, 50}

// TxIntegerSlots returns the number of slots the coded Tx-integer spreads
// transmissions over.
func TxIntegerSlots(code uint8) int { return int(txIntegerSlots[code&15]) }

// TxIntegerCode returns the code for a number of slots, or false if the
// table has no such entry.
func TxIntegerCode(slots int) (uint8, bool) {
	for i, s := range txIntegerSlots {
		if int(s) == slots {
			return uint8(i), true
		}
	}
	return 0, false
}

func (c *RACHControl) marshal(b []byte) error {
	var mr byte
	switch c.MaxRetrans {
	case 1:
		mr = 0
	case 2:
		mr = 1
	case 4:
		mr = 2
	case 7:
		mr = 3
	default:
		return fmt.Errorf("%w: max retrans %d (want 1, 2, 4 or 7)", ErrRange, c.MaxRetrans)
	}
	if c.TxInteger > 15 {
		return fmt.Errorf("%w: tx-integer code %d", ErrRange, c.TxInteger)
	}
	b[0] = mr<<6 | c.TxInteger<<2 | bit(c.CellBarred, 1) | bit(c.RE, 0)
	b[1] = byte(c.Barred >> 8)
	b[2] = byte(c.Barred)
	return nil
}

func (c *RACHControl) unmarshal(b []byte) {
	*c = RACHControl{
		MaxRetrans: [4]uint8{1, 2, 4, 7}[b[0]>>6], TxInteger: b[0] >> 2 & 15,
		CellBarred: b[0]&2 != 0, RE: b[0]&1 != 0, Barred: uint16(b[1])<<8 | uint16(b[2]),
	}
}

func bit(v bool, shift uint) byte {
	if v {
		return 1 << shift
	}
	return 0
}

// PowerLevel returns the MS power control level (TS 45.005 §4.1.1, tables
// for GSM 400/900/850, DCS 1800 and PCS 1900) whose nominal output power is
// the highest not above dBm, so a cell never allows more than configured.
// Powers below the band's lowest level give the lowest level.
func PowerLevel(b tdma.Band, dBm int) uint8 {
	switch b {
	case tdma.DCS1800, tdma.PCS1900:
		// Levels 29, 30, 31 (DCS: 36, 34, 32 dBm; PCS: 30 = 33, 31 = 32 dBm),
		// then 0 = 30 dBm down in 2 dB steps to 15 = 0 dBm.
		if b == tdma.DCS1800 {
			switch {
			case dBm >= 36:
				return 29
			case dBm >= 34:
				return 30
			}
		} else if dBm >= 33 {
			return 30
		}
		if dBm >= 32 {
			return 31
		}
		if dBm >= 30 {
			return 0
		}
		if dBm <= 0 {
			return 15
		}
		return uint8((30 - dBm + 1) / 2)
	default:
		// GSM 900/850: level 2 = 39 dBm down in 2 dB steps to 19 = 5 dBm.
		if dBm >= 39 {
			return 2
		}
		if dBm <= 5 {
			return 19
		}
		return uint8(2 + (39-dBm+1)/2)
	}
}

// PowerDBm returns the nominal output power of control level lvl in band b
// (TS 45.005 §4.1.1).
func PowerDBm(b tdma.Band, lvl uint8) int {
	lvl &= 31
	switch b {
	case tdma.DCS1800:
		switch {
		case lvl <= 15:
			return 30 - 2*int(lvl)
		case lvl < 29:
			return 0
		}
		return 36 - 2*int(lvl-29)
	case tdma.PCS1900:
		switch {
		case lvl <= 15:
			return 30 - 2*int(lvl)
		case lvl == 30:
			return 33
		case lvl == 31:
			return 32
		}
		return 0
	default:
		switch {
		case lvl <= 2:
			return 39
		case lvl <= 19:
			return 39 - 2*int(lvl-2)
		}
		return 5
	}
}

// RxLev returns the RXLEV code (TS 45.008 §8.1.4) of a level in dBm:
// 0 for −110 dBm or less, 63 for −48 dBm or more.
func RxLev(dBm int) uint8 { return uint8(min(max(dBm+110, 0), 63)) }
