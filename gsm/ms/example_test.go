package ms_test

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A phone's frame loop: for each frame of its radio, the uplink a few
// frames ahead, then what to receive in the downlink frame, and the
// bursts received handed back.
func Example() {
	sim := mm.NewSIM("001010123456789", crypto.COMP128v3, crypto.Ki{1, 2, 3}, crypto.OPc{})
	cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
	upper := ms.NewMM(&mm.MSConfig{Classmark1: cm1, Classmark2: l3.Classmark2{Classmark1: cm1, A53: true}}, sim)
	phone, err := ms.New(ms.Config{SIM: sim, Seed: 1, Upper: upper})
	if err != nil {
		fmt.Println(err)
		return
	}
	phone.PowerOn()
	var (
		plan ms.Plan
		ul   [tdma.Slots]tdma.TxBurst
		rx   tdma.RxBurst
	)
	for fn := tdma.FN(0); fn < 3; fn++ {
		phone.Frame(fn.Add(2), &ul) // the radio renders ul with TA phone.TA()
		phone.Listen(fn, &plan)     // the radio demodulates what plan asks for
		for tn, what := range plan.Slots {
			if what != ms.ListenOff {
				rx = tdma.RxBurst{FN: fn, TN: tdma.TN(tn)} // nothing found on this quiet air
				phone.Receive(&rx)
			}
		}
	}
	fmt.Println(phone.State(), plan.Slots[0])
	// Output: search fcch
}
