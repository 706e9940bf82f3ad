package mm_test

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/mm/mmtest"
)

// A cell's dedicated-channel loop feeds Conn the uplink L3 messages and
// carries out its actions in order; a subscriber without a key registers
// by IMSI and is given a TMSI.
func ExampleConn() {
	cfg := &mm.Config{LAI: l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 23}, ShortName: "gsmbox"}
	reg := mmtest.New() // gsm/core's registry on a real cell
	reg.Open = true
	conn := mm.NewConn(cfg, reg, rand.Reader)
	now := time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)

	req := &mm.LocationUpdatingRequest{Type: mm.LUIMSIAttach, CKSN: mm.CKSNNone, LAI: cfg.LAI,
		Classmark1: l3.Classmark1{Revision: 2, A51: true}, Identity: l3.IMSI("001010123456789")}
	uplink, _ := mm.Marshal(req) // what LAPDm delivers from the SDCCH

	for _, a := range conn.Handle(now, uplink) {
		switch a.Kind {
		case mm.ActSend:
			b, _ := mm.Marshal(a.Msg) // hand to LAPDm, SAPI 0
			fmt.Printf("send %v (%d octets)\n", a.Msg.MsgType(), len(b))
		case mm.ActCommit:
			reg.Apply(a.Update)
			fmt.Println("commit", a.Update.Kind)
		default:
			fmt.Println(a)
		}
	}
	d, _ := conn.Deadline()
	fmt.Println("waiting for", conn.State(), "until", d.Sub(now))
	// Output:
	// send Location Updating Accept (14 octets)
	// commit attach
	// send MM Information (11 octets)
	// waiting for wait-tmsi-complete until 12s
}
