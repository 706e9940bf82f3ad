package sms_test

import (
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/sms/cp"
	"github.com/gsmbox/gsmbox/gsm/sms/rp"
	"github.com/gsmbox/gsmbox/gsm/sms/tp"
)

// Example shows a mobile-originated SMS through the three layers: the
// phone builds SMS-SUBMIT in RP-DATA, its CP entity sends the CP-DATA;
// the network's CP entity acknowledges and delivers the RPDU, the SMSC
// decodes the text and answers RP-ACK, which travels back the same way.
func Example() {
	now := time.Unix(0, 0)
	phone, _ := cp.NewEntity(cp.Config{}, 0, true)    // opens the transaction
	network, _ := cp.NewEntity(cp.Config{}, 0, false) // answers it

	// Phone: text → TPDU → RPDU → CP-DATA.
	parts, _ := tp.EncodeText("Hello from the village", tp.TextOptions{})
	submit, _ := tp.Marshal(&tp.Submit{MR: 1, DA: tp.Number("+4917012345"), DCS: parts[0].DCS, UD: parts[0].UD})
	rpdu, _ := rp.Marshal(&rp.Data{MR: 7, Destination: rp.Number("+491700000001"), UserData: submit})
	toNetwork, _ := phone.Send(now, rpdu)

	// Network: CP-DATA → CP-ACK and the RPDU for the SMSC.
	var toPhone []cp.Action
	for _, a := range network.Receive(now, toNetwork[0].Msg) {
		switch a.Kind {
		case cp.ActSend:
			toPhone = append(toPhone, a)
		case cp.ActDeliver:
			m, _ := rp.Decode(a.RPDU)
			data := m.(*rp.Data)
			t, _ := tp.DecodeMS(data.UserData, tp.InRPData)
			s := t.(*tp.Submit)
			c, _ := s.UD.Decode(s.DCS)
			fmt.Printf("SMSC: %q for %v, RP MR %d\n", c.Text, s.DA, data.MR)
			// Durable now: acknowledge, and release once acked.
			ack, _ := rp.Marshal(&rp.Ack{Downlink: true, MR: data.MR})
			acts, _ := network.Send(now, ack)
			toPhone = append(toPhone, acts...)
			network.Release()
		}
	}
	// Phone: CP-ACK, then CP-DATA(RP-ACK), answered with CP-ACK.
	for _, out := range toPhone {
		for _, a := range phone.Receive(now, out.Msg) {
			switch a.Kind {
			case cp.ActDeliver:
				m, _ := rp.Decode(a.RPDU)
				fmt.Printf("phone: %v for MR %d\n", m.MTI(), m.(*rp.Ack).MR)
				phone.Release()
			case cp.ActSend:
				for _, b := range network.Receive(now, a.Msg) {
					fmt.Println("network:", b.Kind)
				}
			}
		}
	}
	fmt.Println(phone.State(), "/", network.State())
	// Output:
	// SMSC: "Hello from the village" for +4917012345, RP MR 7
	// network: release
	// phone: RP-ACK (N→MS) for MR 7
	// released / released
}
