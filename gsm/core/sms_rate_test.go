package core

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

var smsRate = flag.Bool("sms.rate", false, "run TestSMSThroughput")

// TestSMSThroughput measures how many messages one TRX carries a minute
// when every phone always has one to send (single-part, to the next
// phone): on the default cell (combined CCCH, SDCCH/4: four channels) and
// with an SDCCH/8 on TN1 besides (twelve). Each message takes an MO and
// an MT connection. Logged for the closing figures; it fails only if
// nothing flows.
func TestSMSThroughput(t *testing.T) {
	if !*smsRate {
		t.Skip("a measurement: run with -sms.rate")
	}
	for _, c := range []struct {
		name   string
		sdcch8 []tdma.TN
	}{{"SDCCH/4", nil}, {"SDCCH/4+SDCCH/8", []tdma.TN{1}}} {
		t.Run(c.name, func(t *testing.T) {
			smsSDCCH8 = c.sdcch8
			w := newSMSWorld(t, SMSConfig{})
			smsSDCCH8 = nil
			const phones = 24
			for i := range phones {
				w.addSMSPhone(sim(fmt.Sprintf("0010100000%05d", 1001+i), crypto.COMP128v1), 17+53*i)
			}
			if !w.until(51*2000, w.registered) {
				t.Fatal("phones did not register")
			}
			nums := make([]string, phones)
			for i := range phones {
				nums[i] = w.msisdn(i)
			}
			start, startDelivered := w.fn, w.net.SMSStats().Delivered
			const minutes = 3
			frames := int(minutes * time.Minute / frameDuration)
			k := 0
			for f := range frames {
				if f%26 == 0 {
					for i, u := range w.sms {
						if u.Outbox() == 0 {
							u.Send(nums[(i+1)%phones], fmt.Sprintf("rate %d", k), false, uint64(k))
							k++
						}
					}
				}
				w.step()
			}
			st := w.net.SMSStats()
			d := st.Delivered - startDelivered
			per := float64(d) / (float64(w.fn.Sub(start)) * frameDuration.Minutes())
			busy := w.cell.Stats().Dedicated
			t.Logf("%s: %d messages delivered in %d virtual minutes: %.0f a minute (accepted %d, attempts %d failed %d; channels assigned %d, rejected %d)",
				c.name, d, minutes, per, st.Accepted, st.Attempts, st.AttemptsFailed, busy.Assigned, busy.Rejected)
			if d == 0 {
				t.Fatal("nothing delivered")
			}
		})
	}
}
