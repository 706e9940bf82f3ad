package core

import "github.com/gsmbox/gsmbox/gsm/tdma"

// The channel layout of firmware/config.Default, which gsm/core cannot
// import: a non-combined CCCH on TN0 (channel combination IV), SDCCH/8
// on TN1 and TN2 (config.DefaultSDCCH8Timeslots), TCH/F on TN3 to TN7,
// the highest two of them dynamic (config.DefaultDynamicTimeslots).
var (
	defaultCombinedCCCH = false
	defaultSDCCH8       = []tdma.TN{1, 2}
	defaultTCHF         = []tdma.TN{3, 4, 5, 6, 7}
	defaultDynamicTS    = []tdma.TN{6, 7}
)
