package main

import (
	"fmt"
	"io"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
)

// smsPlan is the phones' SMS traffic of --sms, or nil.
func (o *phoneOpts) smsPlan(cfg *config.Config) *simphones.SMSPlan {
	if o.sms <= 0 {
		return nil
	}
	return &simphones.SMSPlan{PerPhone: o.sms, Gap: 5 * time.Second, Cycle: max(o.n/7, 1), OffFor: 30 * time.Second,
		SCAddress: cfg.SMS.SCAddress}
}

// smsFinished says whether the SMS traffic is over: every message sent
// and answered, delivered or refused, and the network's queue empty.
func smsFinished(o *phoneOpts, ps *simphones.Phones, queued int) bool {
	return o.sms <= 0 || ps.SMSDone() && queued == 0
}

// smsLive prints the SMS line of the live table.
func smsLive(w io.Writer, o *phoneOpts, ps *simphones.Phones, queued int) {
	if o.sms <= 0 {
		return
	}
	r := ps.SMS(queued)
	fmt.Fprintf(w, "sms: %d sent, %d accepted, %d delivered, %d duplicated, %d queued\n", r.Sent, r.Accepted, r.Delivered, r.Duplicated, r.StillQueued)
}

// smsSummary prints the SMS figures of the final table.
func smsSummary(w io.Writer, r *simphones.SMSReport) {
	if r == nil {
		return
	}
	fmt.Fprintf(w, "sms: %d sent (%d parts), %d accepted, %d refused, %d delivered, %d duplicated (%d parts shown once by phones), %d lost, %d still queued, %d pending; %d power cycles\n",
		r.Sent, r.Parts, r.Accepted, r.Refused, r.Delivered, r.Duplicated, r.PhoneDups, r.Lost, r.StillQueued, r.Pending, r.PowerCycles)
	if r.LatencyCount > 0 {
		fmt.Fprintf(w, "sms: end-to-end air latency (single-part, %d messages): median %.2f s, p95 %.2f s, worst %.2f s\n",
			r.LatencyCount, r.LatencyMedianS, r.LatencyP95S, r.LatencyWorstS)
	}
}
