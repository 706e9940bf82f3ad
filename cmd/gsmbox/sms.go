package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/sms/gsm7"

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

// defaultSMSDB is the SMS queue on the appliance's data partition.
const defaultSMSDB = "/perm/gsmbox/sms.db"

func init() {
	register(command{
		name:    "sms",
		summary: "SMS queue of a stopped network: list, show, send, broadcast, cancel",
		run:     runSMS,
	})
}

const smsUsage = `Usage: gsmbox sms <subcommand> [--db PATH] [flags] [args]

Subcommands:
  list                 the messages waiting (--all: delivered, expired... too; --json)
  show ID              one message, with its text
  send NUMBER TEXT     queue TEXT for NUMBER, from the operator (--from NAME)
  broadcast TEXT       queue TEXT for every subscriber with a number (--subscribers PATH)
  cancel ID...         delete waiting messages

The queue defaults to ` + defaultSMSDB + ` (beside the subscriber registry).
Only one process may write it: stop the running gsmbox first. Queued
messages go out when the network runs again.
`

func runSMS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, smsUsage)
		return errUsage
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list", "ls":
		return smsList(rest, stdout, stderr)
	case "show":
		return smsShow(rest, stdout, stderr)
	case "send":
		return smsSend(rest, stdout, stderr, false)
	case "broadcast":
		return smsSend(rest, stdout, stderr, true)
	case "cancel":
		return smsCancel(rest, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, smsUsage)
		return nil
	}
	fmt.Fprint(stderr, smsUsage)
	return fmt.Errorf("sms: unknown subcommand %q", sub)
}

func newSMSFlags(name, usage string, stderr io.Writer) *subFlags {
	fs := newFlagSet("sms "+name, usage+"\nFlags:\n", stderr)
	return &subFlags{FlagSet: fs, db: fs.String("db", defaultSMSDB, "SMS queue file")}
}

func openSMS(path string, write bool) (*smsc.Store, error) {
	if _, err := os.Stat(path); !write && errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no SMS queue at %s (--db picks another)", path)
	}
	st, err := smsc.Open(path, &smsc.Options{ReadOnly: !write, Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("%w (is gsmbox running? stop it first)", err)
	}
	return st, nil
}

func smsText(r *smsc.Record) string {
	t, err := r.Text()
	if err != nil {
		return "(undecodable: " + err.Error() + ")"
	}
	return t
}

func smsList(args []string, stdout, stderr io.Writer) error {
	f := newSMSFlags("list", "Usage: gsmbox sms list [--db PATH] [--all] [--json]\n", stderr)
	all := f.Bool("all", false, "include messages already delivered, expired, cancelled or failed")
	asJSON := f.Bool("json", false, "print JSON")
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	st, err := openSMS(*f.db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	recs, _, bad, err := st.Load()
	if err != nil {
		return err
	}
	var out []smsc.Record
	for _, r := range recs {
		if *all || r.State == smsc.Queued {
			out = append(out, r)
		}
	}
	if *asJSON {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tFROM\tTO\tRECEIVED\tATTEMPTS\tTEXT")
	for _, r := range out {
		text := smsText(&r)
		if len([]rune(text)) > 40 {
			text = string([]rune(text)[:40]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%v\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.State, r.From, r.To, r.Received.Format(time.DateTime), r.Attempts, sanitise(text))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if bad > 0 {
		fmt.Fprintf(stdout, "%d damaged records skipped\n", bad)
	}
	return nil
}

// sanitise keeps control characters from a message off the terminal.
func sanitise(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '·'
		}
		return r
	}, s)
}

func smsShow(args []string, stdout, stderr io.Writer) error {
	f := newSMSFlags("show", "Usage: gsmbox sms show [--db PATH] ID\n", stderr)
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) != 1 {
		return fmt.Errorf("%w: sms show takes one ID", errUsage)
	}
	id, err := strconv.ParseUint(f.pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not a message ID", errUsage, f.pos[0])
	}
	st, err := openSMS(*f.db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Get(id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "id:        %d\nstate:     %v\nfrom:      %s %s\nto:        %s %s\nreceived:  %s\nexpires:   %s\nattempts:  %d (next %s, last cause #%d)\nreport:    %v\ntext:      %s\n",
		r.ID, r.State, r.From, r.FromIMSI, r.To, r.ToIMSI, r.Received.Format(time.RFC3339), r.Expiry.Format(time.RFC3339),
		r.Attempts, r.NextAttempt.Format(time.RFC3339), r.Cause, r.SRR, sanitise(smsText(&r)))
	if r.State.Final() {
		fmt.Fprintf(stdout, "done:      %s\n", r.Done.Format(time.RFC3339))
	}
	return nil
}

func smsSend(args []string, stdout, stderr io.Writer, broadcast bool) error {
	name, usage := "send", "Usage: gsmbox sms send [--db PATH] [--from NAME] [--validity D] NUMBER TEXT\n"
	if broadcast {
		name, usage = "broadcast", "Usage: gsmbox sms broadcast [--db PATH] [--subscribers PATH] [--from NAME] [--validity D] TEXT\n"
	}
	f := newSMSFlags(name, usage, stderr)
	from := f.String("from", "gsmbox", "sender name the phones show (up to 11 characters)")
	validity := f.Duration("validity", 72*time.Hour, "how long the message waits for a phone that is off")
	subs := f.String("subscribers", defaultSubscriberDB, "with broadcast: the subscriber registry")
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	var to []string
	var text string
	switch {
	case broadcast && len(f.pos) == 1:
		text = f.pos[0]
		reg, db, err := openRegistry(*subs, false)
		if err != nil {
			return err
		}
		after := ""
		for {
			page, err := reg.List(after, 500)
			if err != nil {
				db.Close()
				return err
			}
			for _, s := range page.Subscribers {
				if s.MSISDN != "" && !s.Barred {
					to = append(to, s.MSISDN)
				}
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
		db.Close()
	case !broadcast && len(f.pos) == 2:
		to, text = []string{f.pos[0]}, f.pos[1]
		if !isDigits(f.pos[0]) {
			return fmt.Errorf("%w: %q is not a number", errUsage, f.pos[0])
		}
	default:
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	if n, err := gsm7.Count(*from); *from == "" || err != nil || n > 11 {
		return fmt.Errorf("%w: --from %q: want 1..11 characters of the GSM alphabet", errUsage, *from)
	}
	st, err := openSMS(*f.db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	var recs []smsc.Record
	for i, n := range to {
		rs, err := smsc.TextRecords(*from, n, text, now, *validity, uint16(now.UnixNano())+uint16(i))
		if err != nil {
			return err
		}
		recs = append(recs, rs...)
	}
	if len(recs) == 0 {
		fmt.Fprintln(stdout, "no subscriber has a number: nothing queued")
		return nil
	}
	if err := st.Put(recs...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "queued %d messages (%d recipients), IDs %d..%d\n", len(recs), len(to), recs[0].ID, recs[len(recs)-1].ID)
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func smsCancel(args []string, stdout, stderr io.Writer) error {
	f := newSMSFlags("cancel", "Usage: gsmbox sms cancel [--db PATH] ID...\n", stderr)
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) == 0 {
		return fmt.Errorf("%w: sms cancel takes message IDs", errUsage)
	}
	st, err := openSMS(*f.db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	var errs []error
	for _, a := range f.pos {
		id, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q is not a message ID", a))
			continue
		}
		_, err = st.Update(id, func(r *smsc.Record) error {
			if r.State != smsc.Queued {
				return fmt.Errorf("message %d is %v, not queued", id, r.State)
			}
			r.State, r.Done = smsc.Cancelled, time.Now()
			return nil
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(stdout, "cancelled %d\n", id)
	}
	return errors.Join(errs...)
}
