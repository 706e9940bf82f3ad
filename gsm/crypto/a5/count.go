package a5

import "github.com/gsmbox/gsmbox/gsm/tdma"

// Count returns the 22-bit COUNT input of A5 for frame fn,
// COUNT = T1 (11 bits) ‖ T3 (6 bits) ‖ T2 (5 bits) with T1 in the most
// significant position (3GPP TS 43.020 Annex C; TS 55.216 §3.2). The
// layout is confirmed by the TS 55.217 vectors and by libosmogsm, which
// real phones interoperate with (see testdata/README.md).
// T1 = FN div 1326 is below 2048 for any FN in the hyperframe.
func Count(fn tdma.FN) uint32 {
	fn %= tdma.HyperFrame
	return uint32(fn.T1())<<11 | uint32(fn.T3())<<5 | uint32(fn.T2())
}
