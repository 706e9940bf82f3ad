package cc_test

import (
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/cc"
)

// The network side of a mobile-originated call: the switch creates a Call
// when a Setup arrives on a new transaction, feeds it every CC message of
// that transaction, acts on the returned actions and calls Tick when the
// deadline passes.
func Example_networkMO() {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	// Octets of a Setup from the MS: TI 0, bearer capability (EFR, FR),
	// called number 1234.
	b := []byte{0x03, 0x05, 0x04, 0x03, 0x60, 0x02, 0x80, 0x5e, 0x03, 0x81, 0x21, 0x43}
	m, err := cc.Decode(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := *m.Hdr()
	call := cc.NewCall(cc.Network, cc.Config{}, h.TI, h.TIFlag)
	for _, a := range call.Receive(now, m, nil) {
		fmt.Println(a)
		if a.Event == cc.EvSetup {
			s := a.Msg.(*cc.Setup)
			fmt.Println("dialled", s.Called.Digits, "speech", s.Bearer.SpeechVersions())
		}
	}
	out := call.Proceed(now, &cc.CallProceeding{}, nil)
	out = call.Alert(now, out)
	out = call.Connect(now, out)
	for _, a := range out {
		fmt.Println(a)
	}
	d, t, _ := call.Deadline()
	fmt.Println(t, d.Sub(now), cc.StateName(call.Side(), call.State()))
	// Output:
	// notify setup
	// dialled 1234 speech [EFR FR]
	// send Call Proceeding
	// send Alerting
	// send Connect
	// T313 30s N28
}
