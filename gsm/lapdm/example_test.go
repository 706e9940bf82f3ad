package lapdm_test

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A mobile establishes SAPI 0 on an SDCCH with its Location Updating
// Request in the SABM; the network hands that message to L3 and answers.
func Example() {
	net, _ := lapdm.NewEntity(lapdm.Config{Side: lapdm.Network, SAPI: 0, Channel: lapdm.SDCCH})
	ms, _ := lapdm.NewEntity(lapdm.Config{Side: lapdm.MS, SAPI: 0, Channel: lapdm.SDCCH})
	ms.Establish([]byte{0x05, 0x08, 0x70})

	var blk [lapdm.BlockLen]byte
	for fn := tdma.FN(0); fn < 200; fn++ {
		for _, i := range append(net.Tick(fn), ms.Tick(fn)...) {
			fmt.Println(i)
		}
		if fn%51 == 0 && net.Next(fn, &blk) { // downlink SDCCH block
			for _, i := range ms.Receive(fn+4, blk[:]) {
				fmt.Println("MS:", i)
			}
		}
		if fn%51 == 15 && ms.Next(fn, &blk) { // uplink, 15 frames later
			for _, i := range net.Receive(fn+4, blk[:]) {
				fmt.Println("network:", i)
				if i.Kind == lapdm.EstablishInd {
					net.Send([]byte{0x05, 0x18, 0x01}) // Identity Request
				}
			}
		}
	}
	// Output:
	// network: DL-ESTABLISH-IND SAPI0 05 08 70
	// MS: DL-ESTABLISH-CONF SAPI0
	// MS: DL-DATA-IND SAPI0 05 18 01
}
