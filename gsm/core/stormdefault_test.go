package core

import "github.com/gsmbox/gsmbox/gsm/tdma"

// The channel layout of firmware/config.Default, which gsm/core cannot
// import: a non-combined CCCH on TN0 (channel combination IV) and
// SDCCH/8 on TN1 and TN2 (config.DefaultSDCCH8Timeslots).
var (
	defaultCombinedCCCH = false
	defaultSDCCH8       = []tdma.TN{1, 2}
)
