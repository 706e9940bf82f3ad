package l1

import "fmt"

// MeasClass groups the uplink's channels for the operator's
// measurements: the level received and the share of blocks lost, per
// type of channel (the console's Radio page and /metrics). The Uplink
// measures the RACH (UplinkStats.RACH); the cell (gsm/bts) measures the
// dedicated channels, where it knows which are in use.
type MeasClass uint8

// The classes.
const (
	// MeasSDCCH is SDCCH/4 and SDCCH/8 blocks.
	MeasSDCCH MeasClass = iota
	// MeasSACCH is the SACCH blocks of every dedicated channel.
	MeasSACCH
	// MeasTCH is TCH/F speech frames and FACCH/F blocks.
	MeasTCH
	// MeasRACH is access bursts on the RACH: "blocks" are bursts, "bad"
	// those that did not decode (TS 45.003 §4.6 parity).
	MeasRACH
	NumMeasClasses
)

var measClassNames = [...]string{"SDCCH", "SACCH", "TCH", "RACH"}

func (m MeasClass) String() string {
	if int(m) < len(measClassNames) {
		return measClassNames[m]
	}
	return fmt.Sprintf("MeasClass(%d)", uint8(m))
}

// MeasClassOf returns the class of an uplink channel kind.
func MeasClassOf(k ChanKind) (MeasClass, bool) {
	switch k {
	case ChanSDCCH4, ChanSDCCH8:
		return MeasSDCCH, true
	case ChanSACCHC4, ChanSACCHC8, ChanSACCHTF:
		return MeasSACCH, true
	case ChanTCHF, ChanFACCHF:
		return MeasTCH, true
	case ChanRACH:
		return MeasRACH, true
	}
	return 0, false
}

// measWeight is the weight of the newest block in the running averages:
// 1/16, about the last two SACCH periods' worth of SDCCH blocks.
const measWeight = 1.0 / 16

// ChannelMeas is the uplink as measured on one class of channel.
type ChannelMeas struct {
	// Blocks counts the blocks (RACH: access bursts) decoded, BadBlocks
	// those that failed.
	Blocks, BadBlocks uint64
	// LevelDBm is the received level (RSSI) of the blocks that had any
	// bursts, and BLER the share of bad blocks, each a running average
	// giving the newest block a weight of 1/16. Valid once Blocks > 0
	// (LevelDBm once a block with bursts was seen: Levels > 0).
	LevelDBm float32
	BLER     float32
	Levels   uint64
}

// Add counts one block; rssi is used when received (any bursts). It
// does not allocate.
func (m *ChannelMeas) Add(good, received bool, rssi float32) {
	bad := float32(0)
	if !good {
		bad = 1
		m.BadBlocks++
	}
	if m.Blocks == 0 {
		m.BLER = bad
	} else {
		m.BLER += (bad - m.BLER) * measWeight
	}
	m.Blocks++
	if !received {
		return
	}
	if m.Levels == 0 {
		m.LevelDBm = rssi
	} else {
		m.LevelDBm += (rssi - m.LevelDBm) * measWeight
	}
	m.Levels++
}
