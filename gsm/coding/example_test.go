package coding_test

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A BCCH block goes onto four normal bursts and comes back from their soft
// bits.
func ExampleEncodeXCCH() {
	msg := [23]byte{0x49, 0x06, 0x1b} // start of a System Information 3
	var payload [4][116]byte
	coding.EncodeXCCH(&payload, &msg)

	var soft [4][116]int8
	for i := range payload {
		var b tdma.Burst
		tdma.Normal(&b, &payload[i], 3) // what the transmitter sends
		var sb tdma.SoftBurst
		for j, bit := range b {
			sb[j] = 100 // a clean receiver: 0 → +100, 1 → −100
			if bit == 1 {
				sb[j] = -100
			}
		}
		tdma.NormalData(&soft[i], (*[tdma.BurstBits]int8)(&sb))
	}
	soft[1][10] = -soft[1][10] // one bit error

	var got [23]byte
	q, ok := coding.DecodeXCCH(&got, &soft)
	fmt.Printf("%x ok=%v errors=%d/%d\n", got[:3], ok, q.BitErrors, q.Bits)
	// Output: 49061b ok=true errors=1/456
}

// The SCH of a cell with BSIC 23 at frame 1327.
func ExamplePackSCHInfo() {
	var info [25]byte
	coding.PackSCHInfo(&info, tdma.BSICFromValue(23), 1326+1)
	var coded [78]byte
	coding.EncodeSCH(&coded, &info)

	var soft [78]int8
	for i, b := range coded {
		soft[i] = 127
		if b == 1 {
			soft[i] = -127
		}
	}
	var back [25]byte
	_, ok := coding.DecodeSCH(&back, &soft)
	bsic, t1, t2, t3p := coding.UnpackSCHInfo(&back)
	fmt.Println(ok, bsic, t1, t2, t3p, tdma.FromT(t1, t2, 10*t3p+1))
	// Output: true BSIC 23 (NCC 2, BCC 7) 1 1 0 FN1327
}
