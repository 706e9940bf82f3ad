package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

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
	sms       int                  // --sms: messages each phone sends (sms.go)
	smsReport *simphones.SMSReport // filled by the command before phoneSummary
}

// addPhoneFlags defines --phones, --report and --live on the sim flag set.
func addPhoneFlags(fs *flag.FlagSet) *phoneOpts {
	o := &phoneOpts{}
	fs.IntVar(&o.n, "phones", 0, "run N virtual phones on the air: cell search, camping, RACH, SDCCH, location update")
	fs.StringVar(&o.report, "report", "", "with --phones: write the final phone table as JSON to this file")
	fs.DurationVar(&o.live, "live", 5*time.Second, "with --phones: print the phone table every this much air time (0: only at the end)")
	fs.Uint64Var(&o.seed, "phone-seed", 0, "with --phones: seed for placement, IMSIs and keys (0: the config's sim.seed)")
	fs.BoolVar(&o.provision, "provision", false, "with --phones: add the phones to the subscriber registry with their Ki (COMP128-3) first, so they are authenticated and ciphered")
	fs.IntVar(&o.sms, "sms", 0, "with --phones: each phone sends M text messages to random others (7-bit, UCS2, 3-part long), some phones going off and on; implies --provision")
	return o
}

// check refuses more phones than an air carries.
func (o *phoneOpts) check() error {
	if o.n > simphones.Max {
		return fmt.Errorf("%w: --phones %d (at most %d)", errUsage, o.n, simphones.Max)
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
	fmt.Fprintln(tw, "PHONE\tIMSI\tTMSI\tMSISDN\tRESULT\tAIR TIME\tREQUESTS\tTA\tSTATE")
	for _, r := range rows {
		at := "-"
		if r.AirTimeS > 0 {
			at = fmt.Sprintf("%.2f s", r.AirTimeS)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.Phone, r.IMSI, r.TMSI, r.MSISDN, r.Result, at, r.Requests, r.TA, r.State)
	}
	tw.Flush()
}

// phoneSummary prints the final table, the registration figures and
// writes the report (when o.report is set). Call it after ps.Stop.
func phoneSummary(out io.Writer, o *phoneOpts, ps *simphones.Phones, reg *registry.Registry, st bts.Stats, airTime time.Duration) error {
	rows := phoneRows(ps, reg)
	phoneTable(out, fmt.Sprintf("final, after %.1f s of air", airTime.Seconds()), rows)
	n := 0
	var sum, worst, lu, luWorst float64
	for _, r := range rows {
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
	fmt.Fprintf(out, "cell: %d channel requests decoded, %d assigned, %d rejected, %d activated, %d released, %d T3101 expiries\n",
		st.AccessBursts, st.Dedicated.Assigned, st.Dedicated.Rejected, st.Dedicated.Activated, st.Dedicated.Released, st.Dedicated.T3101Expired)
	fmt.Fprintf(out, "cell: %d channels ciphered, %d MS power and %d timing advance corrections ordered\n",
		st.Dedicated.Ciphered, st.Dedicated.PowerAdjusted, st.Dedicated.TimingAdjusted)
	smsSummary(out, o.smsReport)
	if o.report == "" {
		return nil
	}
	b, err := json.MarshalIndent(struct {
		AirTimeS float64              `json:"air_time_s"`
		Phones   []simphones.Row      `json:"phones"`
		SMS      *simphones.SMSReport `json:"sms,omitempty"`
	}{airTime.Seconds(), rows, o.smsReport}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.report, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("sim: report: %w", err)
	}
	fmt.Fprintf(out, "wrote %s\n", o.report)
	return nil
}
