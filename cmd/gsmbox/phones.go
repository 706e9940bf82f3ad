package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// phoneOpts are the `gsmbox sim` flags for virtual phones.
type phoneOpts struct {
	n         int
	report    string
	live      time.Duration
	seed      uint64
	provision bool
	calls     int
	talk      time.Duration
	talkSet   bool                 // --talk given
	sms       int                  // --sms: messages each phone sends (sms.go)
	smsReport *simphones.SMSReport // filled by the command before phoneSummary
}

// addPhoneFlags defines --phones, --report and --live on the sim flag set.
func addPhoneFlags(fs *flag.FlagSet) *phoneOpts {
	o := &phoneOpts{}
	fs.Var(intValue{&o.n, config.CheckSimPhones}, "phones", "run N virtual phones on the air: cell search, camping, RACH, SDCCH, location update")
	fs.StringVar(&o.report, "report", "", "with --phones: write the final phone table as JSON to this file")
	o.live = 5 * time.Second
	fs.Var(durationValue{&o.live, func(d time.Duration) error { return config.CheckDuration(d, 0) }}, "live", "with --phones: print the phone table every this much air time (0: only at the end)")
	fs.Uint64Var(&o.seed, "phone-seed", 0, "with --phones: seed for placement, IMSIs and keys (0: the config's sim.seed)")
	fs.BoolVar(&o.provision, "provision", false, "with --phones: add the phones to the subscriber registry with their Ki (COMP128-3) first, so they are authenticated and ciphered")
	fs.Var(intValue{&o.calls, func(n int) error { return config.CheckRange(n, 0, config.MaxSimPhones/2) }}, "calls", "with --phones: once all are registered, place K simultaneous calls between random pairs (implies --provision)")
	o.talk = 5 * time.Second
	fs.Var(durationValue{&o.talk, func(d time.Duration) error {
		o.talkSet = true
		return config.CheckPositiveDuration(d, 24*time.Hour)
	}}, "talk", "with --calls or --soak: how long each call talks before the caller hangs up")
	fs.Var(intValue{&o.sms, func(n int) error { return config.CheckRange(n, 0, 10000) }}, "sms", "with --phones: each phone sends M text messages to random others (7-bit, UCS2, 3-part long), some phones going off and on; implies --provision")
	return o
}

// check checks what one flag alone cannot: --calls against --phones.
// --calls and --sms imply --provision (calls and texts need the phones'
// MSISDNs and keys in the registry).
func (o *phoneOpts) check() error {
	if 2*o.calls > o.n {
		return fmt.Errorf("%w: --calls %d needs %d phones, have --phones %d", errUsage, o.calls, 2*o.calls, o.n)
	}
	if o.calls > 0 || o.sms > 0 {
		o.provision = true
	}
	return nil
}

// phoneRows returns the phones' rows with the number the network gave
// (or had for) each registered subscriber, when reg is not nil.
func phoneRows(ps *simphones.Phones, reg *registry.Registry) []simphones.Row {
	rows := ps.Rows()
	for i := range rows {
		if rows[i].Registered() && reg != nil {
			if s, err := reg.Get(rows[i].IMSI); err == nil && s.MSISDN != "" {
				rows[i].MSISDN = s.MSISDN
			}
		}
	}
	return rows
}

// phoneTable prints the phone table.
func phoneTable(w io.Writer, title string, rows []simphones.Row) {
	fmt.Fprintf(w, "phones, %s:\n", title)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PHONE\tIMSI\tTMSI\tMSISDN\tRESULT\tAIR TIME\tREQUESTS\tTA\tRELEASE\tSTATE")
	for _, r := range rows {
		at, rel := "-", "-"
		if r.AirTimeS > 0 {
			at = fmt.Sprintf("%.2f s", r.AirTimeS)
		}
		if r.Releases > 0 {
			// the worst time from Channel Release to back in idle
			rel = fmt.Sprintf("%.2f s", r.ReleaseWorstS)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", r.Phone, r.IMSI, r.TMSI, r.MSISDN, r.Result, at, r.Requests, r.TA, rel, r.State)
	}
	tw.Flush()
}

// phoneSummary prints the final table, the registration figures and
// writes the report (when o.report is set). Call it after ps.Stop.
func phoneSummary(out io.Writer, o *phoneOpts, ps *simphones.Phones, reg *registry.Registry, st bts.Stats, airTime time.Duration) error {
	rows := phoneRows(ps, reg)
	phoneTable(out, fmt.Sprintf("final, after %.1f s of air", airTime.Seconds()), rows)
	n := 0
	var sum, worst, lu, luWorst, relWorst float64
	var releases, discRepeats, relTimeouts uint64
	for _, r := range rows {
		releases += r.Releases
		discRepeats += r.DISCRepeats
		relTimeouts += r.ReleaseTimeouts
		relWorst = max(relWorst, r.ReleaseWorstS)
		if r.Registered() {
			n++
			sum += r.AirTimeS
			worst = max(worst, r.AirTimeS)
			lu += r.RACHToLU
			luWorst = max(luWorst, r.RACHToLU)
		}
	}
	fmt.Fprintf(out, "%d of %d phones registered", n, len(rows))
	if n > 0 {
		fmt.Fprintf(out, "; air time to register: mean %.2f s, worst %.2f s; RACH to LU accept: mean %.2f s, worst %.2f s",
			sum/float64(n), worst, lu/float64(n), luWorst)
	}
	fmt.Fprintln(out)
	if releases > 0 {
		fmt.Fprintf(out, "releases: %d timed, Channel Release to idle worst %.2f s of air; %d DISC repeated, %d ended unanswered\n",
			releases, relWorst, discRepeats, relTimeouts)
	}
	fmt.Fprintf(out, "cell: %d channel requests decoded, %d assigned, %d rejected, %d activated, %d released, %d T3101 expiries\n",
		st.AccessBursts, st.Dedicated.Assigned, st.Dedicated.Rejected, st.Dedicated.Activated, st.Dedicated.Released, st.Dedicated.T3101Expired)
	fmt.Fprintf(out, "cell: %d channels ciphered, %d MS power and %d timing advance corrections ordered\n",
		st.Dedicated.Ciphered, st.Dedicated.PowerAdjusted, st.Dedicated.TimingAdjusted)
	smsSummary(out, o.smsReport)
	if o.report == "" {
		if o.calls > 0 {
			callTable(out, ps.CallRows())
		}
		return nil
	}
	var calls []simphones.CallRow
	if o.calls > 0 {
		calls = ps.CallRows()
		callTable(out, calls)
	}
	b, err := json.MarshalIndent(struct {
		AirTimeS float64              `json:"air_time_s"`
		Phones   []simphones.Row      `json:"phones"`
		SMS      *simphones.SMSReport `json:"sms,omitempty"`
		Calls    []simphones.CallRow  `json:"calls,omitempty"`
	}{airTime.Seconds(), rows, o.smsReport, calls}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.report, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("sim: report: %w", err)
	}
	fmt.Fprintf(out, "wrote %s\n", o.report)
	return nil
}

// callTable prints the calls of --calls: setup times, codec, speech each
// way (frames sent, relayed and matching, lost) and how the call ended.
func callTable(w io.Writer, rows []simphones.CallRow) {
	fmt.Fprintln(w, "calls:")
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "CALL\tFROM\tTO\tCODEC\tDIAL→ALERT\tDIAL→CONNECT\tA→B SENT/HEARD/LOST\tMATCH\tB→A SENT/HEARD/LOST\tMATCH\tCAUSE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%d\t%d (%s)\t%s\t%.2f s\t%.2f s\t%d/%d/%d\t%v\t%d/%d/%d\t%v\t%s\n", r.Call, r.Caller, r.Callee, r.Number, r.Codec,
			r.DialToAlertS, r.DialToAnswerS, r.Up.Sent, r.Up.Relayed, r.Up.Lost, r.Up.Matches, r.Down.Sent, r.Down.Relayed, r.Down.Lost, r.Down.Matches, r.Cause)
	}
	tw.Flush()
}
