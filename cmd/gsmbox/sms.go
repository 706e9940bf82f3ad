package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/sms/gsm7"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/console"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
)

// smsPlan is the phones' SMS traffic of --sms, or nil.
func (o *phoneOpts) smsPlan(cfg *config.Config) *simphones.SMSPlan {
	if o.sms <= 0 {
		return nil
	}
	// The phones' pace keeps the offered load near half of what one
	// TRX carries (about 400 messages a minute with the default cell's
	// SDCCHs, docs/sms.md): 50 phones sending every 5 s offer 600 a
	// minute, paging responses then lose the RACH and SDCCH race to new
	// submissions (four pagings in five went unanswered), and the
	// SMSC's back-off (30 s, 2 min, 10 min) stretches the run's tail to
	// many minutes of air.
	gap := max(5*time.Second, time.Duration(o.n)*300*time.Millisecond)
	return &simphones.SMSPlan{PerPhone: o.sms, Gap: gap, Cycle: max(o.n/7, 1), OffFor: 30 * time.Second,
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
		summary: "the SMS queue, of the running network or a stopped one's file: list, show, send, broadcast, cancel",
		run:     runSMS,
	})
}

const smsUsage = `Usage: gsmbox sms <subcommand> [flags] [args]

Subcommands:
  list                 the messages waiting (--all: delivered, expired... too; --json)
  show ID              one message, with its text
  send NUMBER TEXT     send TEXT to NUMBER from the operator
  broadcast TEXT       send TEXT to every subscriber with a number who is not barred
  cancel ID...         delete waiting messages

Which network. With the console running (the appliance, "gsmbox bts
--http", "gsmbox sim --http"), the commands go to the running network
through the console's API: on the box over its local socket
(` + consoleSocket + `, --socket), from elsewhere with --url and --token
(a token with the read scope, and write to send or cancel). A message
sent this way is durable when the command returns and goes out at once,
from the configured [sms] sender.

Where no network runs (no console answers, or --db is given), they work
on the stopped network's queue file, ` + defaultSMSDB + ` unless --db
says otherwise (--from and --validity apply there; --subscribers names
the registry a broadcast reads); queued messages go out when the network
runs again. Each command says on stderr which of the two it used.
`

func runSMS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, smsUsage)
		return errUsage
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list", "ls":
		return smsList(ctx, rest, stdout, stderr)
	case "show":
		return smsShow(ctx, rest, stdout, stderr)
	case "send":
		return smsSend(ctx, rest, stdout, stderr, false)
	case "broadcast":
		return smsSend(ctx, rest, stdout, stderr, true)
	case "cancel":
		return smsCancel(ctx, rest, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, smsUsage)
		return nil
	}
	fmt.Fprint(stderr, smsUsage)
	return fmt.Errorf("sms: unknown subcommand %q", sub)
}

// smsFlags are a subcommand's flags: the file (--db) and the console
// (--url, --token, --socket, --fingerprint).
type smsFlags struct {
	*subFlags
	url, token, sock, fp *string
}

func newSMSFlags(name, usage string, stderr io.Writer) *smsFlags {
	fs := newFlagSet("sms "+name, usage+"\nFlags:\n", stderr)
	f := &smsFlags{subFlags: &subFlags{FlagSet: fs, db: fs.String("db", defaultSMSDB, "the stopped network's SMS queue file (given: work on this file, not the running network)")}}
	f.url = fs.String("url", os.Getenv("GSMBOX_URL"), "the running network's console, e.g. https://192.168.1.20 (default: the local socket)")
	f.token = fs.String("token", os.Getenv("GSMBOX_TOKEN"), "API token for --url (or $GSMBOX_TOKEN)")
	f.sock = fs.String("socket", consoleSocket, "the console's local socket")
	f.fp = fs.String("fingerprint", "", "with --url: the console certificate's SHA-256 fingerprint to pin")
	return f
}

// smsTarget is where a subcommand works: the running network's console
// (api) or a stopped network's file (db).
type smsTarget struct {
	api   *apiClient
	where string
	db    string
}

// target picks the running network when --url is given, or when --db is
// not and the local socket is there; else the file.
func (f *smsFlags) target() (*smsTarget, error) {
	if *f.url != "" {
		if !strings.HasPrefix(*f.url, "https://") {
			return nil, fmt.Errorf("%w: --url %q: want an https:// URL", errUsage, *f.url)
		}
		c, err := newAPIClient(*f.url, *f.token, "", *f.fp)
		if err != nil {
			return nil, err
		}
		return &smsTarget{api: c, where: *f.url}, nil
	}
	if !flagSet(f.FlagSet, "db") && fileExists(*f.sock) {
		c, err := newAPIClient("", "", *f.sock, "")
		if err != nil {
			return nil, err
		}
		return &smsTarget{api: c, where: "unix:" + *f.sock}, nil
	}
	return &smsTarget{db: *f.db}, nil
}

// call does one API request; fallBack says the console did not answer
// for the network (not reachable over the socket, or no network running
// behind it), so the file is the place to work.
func (t *smsTarget) call(ctx context.Context, method, path string, in, out any) (fallBack bool, err error) {
	err = t.api.do(ctx, method, path, in, out)
	if err == nil || t.where[:5] != "unix:" {
		return false, err
	}
	var se *apiStatusError
	if errors.As(err, &se) {
		return se.Code == http.StatusServiceUnavailable || se.Code == http.StatusNotImplemented, err
	}
	return true, err // the socket is stale: no console runs
}

// announce says on stderr which network the command works on.
func (t *smsTarget) announce(stderr io.Writer) {
	if t.api != nil {
		fmt.Fprintf(stderr, "gsmbox sms: the running network (console at %s)\n", t.where)
		return
	}
	fmt.Fprintf(stderr, "gsmbox sms: no network running: the queue file %s\n", t.db)
}

// run works through the API with onAPI, or on the file with onFile;
// a socket whose console does not answer for a network falls back to the
// file.
func (t *smsTarget) run(stderr io.Writer, onAPI func() (bool, error), onFile func() error) error {
	if t.api != nil {
		fallBack, err := onAPI()
		if !fallBack {
			if err == nil {
				t.announce(stderr)
			}
			return err
		}
		fmt.Fprintf(stderr, "gsmbox sms: the console at %s answers for no running network (%v)\n", t.where, err)
		t.api = nil
	}
	t.announce(stderr)
	return onFile()
}

func openSMS(path string, write bool) (*smsc.Store, error) {
	if _, err := os.Stat(path); !write && errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no SMS queue at %s (--db picks another)", path)
	}
	st, err := smsc.Open(path, &smsc.Options{ReadOnly: !write, Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("%w (is gsmbox running? its console's API is the way to the running network)", err)
	}
	return st, nil
}

func smsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newSMSFlags("list", "Usage: gsmbox sms list [--all] [--json] [--url URL --token T | --db PATH]\n", stderr)
	all := f.Bool("all", false, "include messages already delivered, expired, cancelled or failed")
	asJSON := f.Bool("json", false, "print JSON")
	if done, err := parseOrHelp(f.subFlags, args); done {
		return err
	}
	t, err := f.target()
	if err != nil {
		return err
	}
	var l console.SMSList
	err = t.run(stderr, func() (bool, error) {
		path := "/api/sms"
		if *all {
			path += "?all=1"
		}
		return t.call(ctx, "GET", path, nil, &l)
	}, func() error {
		st, err := openSMS(t.db, false)
		if err != nil {
			return err
		}
		defer st.Close()
		recs, _, bad, err := st.Load()
		if err != nil {
			return err
		}
		l = console.SMSList{Messages: []console.SMSMessage{}, Damaged: bad}
		for i := range recs {
			if *all || recs[i].State == smsc.Queued {
				l.Messages = append(l.Messages, console.SMSView(&recs[i]))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.MarshalIndent(l, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tFROM\tTO\tRECEIVED\tATTEMPTS\tTEXT")
	for _, m := range l.Messages {
		text := smsText(&m)
		if len([]rune(text)) > 40 {
			text = string([]rune(text)[:40]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", m.ID, m.State, sanitise(m.From), m.To, m.Received.Local().Format(time.DateTime), m.Attempts, sanitise(text))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if l.Damaged > 0 {
		fmt.Fprintf(stdout, "%d damaged records skipped\n", l.Damaged)
	}
	return nil
}

func smsText(m *console.SMSMessage) string {
	if m.TextError != "" {
		return "(undecodable: " + m.TextError + ")"
	}
	return m.Text
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

func smsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newSMSFlags("show", "Usage: gsmbox sms show [--url URL --token T | --db PATH] ID\n", stderr)
	asJSON := f.Bool("json", false, "print JSON")
	if done, err := parseOrHelp(f.subFlags, args); done {
		return err
	}
	if len(f.pos) != 1 {
		return fmt.Errorf("%w: sms show takes one ID", errUsage)
	}
	id, err := strconv.ParseUint(f.pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not a message ID", errUsage, f.pos[0])
	}
	t, err := f.target()
	if err != nil {
		return err
	}
	var m console.SMSMessage
	err = t.run(stderr, func() (bool, error) {
		return t.call(ctx, "GET", fmt.Sprintf("/api/sms/%d", id), nil, &m)
	}, func() error {
		st, err := openSMS(t.db, false)
		if err != nil {
			return err
		}
		defer st.Close()
		r, err := st.Get(id)
		if err != nil {
			return err
		}
		m = console.SMSView(&r)
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	fmt.Fprintf(stdout, "id:        %d\nstate:     %s\nfrom:      %s %s\nto:        %s %s\nreceived:  %s\nexpires:   %s\nattempts:  %d (next %s, last cause #%d)\nreport:    %v\ntext:      %s\n",
		m.ID, m.State, sanitise(m.From), m.FromIMSI, m.To, m.ToIMSI, m.Received.Format(time.RFC3339), m.Expiry.Format(time.RFC3339),
		m.Attempts, m.NextAttempt.Format(time.RFC3339), m.Cause, m.Report, sanitise(smsText(&m)))
	if m.StatusFor != 0 {
		fmt.Fprintf(stdout, "reports:   message %d\n", m.StatusFor)
	}
	if !m.Done.IsZero() {
		fmt.Fprintf(stdout, "done:      %s\n", m.Done.Format(time.RFC3339))
	}
	return nil
}

func smsSend(ctx context.Context, args []string, stdout, stderr io.Writer, broadcast bool) error {
	name, usage := "send", "Usage: gsmbox sms send [--url URL --token T | --db PATH [--from NAME] [--validity D]] NUMBER TEXT\n"
	if broadcast {
		name, usage = "broadcast", "Usage: gsmbox sms broadcast [--url URL --token T | --db PATH [--subscribers PATH] [--from NAME] [--validity D]] TEXT\n"
	}
	f := newSMSFlags(name, usage, stderr)
	from := f.String("from", "gsmbox", "with a stopped network's file: the sender name the phones show (up to 11 characters); the running network uses [sms] sender")
	validity := f.Duration("validity", 72*time.Hour, "with a stopped network's file: how long the message waits for a phone that is off; the running network uses [sms] validity")
	subs := f.String("subscribers", defaultSubscriberDB, "with broadcast on a stopped network's file: the subscriber registry")
	if done, err := parseOrHelp(f.subFlags, args); done {
		return err
	}
	var to []string
	var text string
	switch {
	case broadcast && len(f.pos) == 1:
		text = f.pos[0]
	case !broadcast && len(f.pos) == 2:
		to, text = []string{f.pos[0]}, f.pos[1]
		if !l3.Digits(f.pos[0], 1, 20) { // as the console's API accepts
			return fmt.Errorf("%w: %q is not a number", errUsage, f.pos[0])
		}
	default:
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	t, err := f.target()
	if err != nil {
		return err
	}
	return t.run(stderr, func() (bool, error) {
		for _, fl := range []string{"from", "validity", "subscribers"} {
			if flagSet(f.FlagSet, fl) {
				return false, fmt.Errorf("%w: --%s applies to a stopped network's file (--db); the running network uses its [sms] configuration", errUsage, fl)
			}
		}
		var out console.SMSSent
		fallBack, err := t.call(ctx, "POST", "/api/sms", console.SMSSend{To: to, Broadcast: broadcast, Text: text}, &out)
		if err != nil {
			return fallBack, err
		}
		if len(out.IDs) == 0 {
			fmt.Fprintln(stdout, "no subscriber has a number: nothing sent")
			return false, nil
		}
		fmt.Fprintf(stdout, "sent %d messages (%d recipients), IDs %s: durable, delivery under way\n", len(out.IDs), out.Recipients, idRange(out.IDs))
		return false, nil
	}, func() error {
		if broadcast {
			reg, db, err := openRegistry(*subs, false)
			if err != nil {
				return err
			}
			to, err = console.BroadcastNumbers(reg)
			db.Close()
			if err != nil {
				return err
			}
		}
		if n, err := gsm7.Count(*from); *from == "" || err != nil || n > 11 {
			return fmt.Errorf("%w: --from %q: want 1..11 characters of the GSM alphabet", errUsage, *from)
		}
		st, err := openSMS(t.db, true)
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
		fmt.Fprintf(stdout, "queued %d messages (%d recipients), IDs %d..%d; they go out when the network runs\n", len(recs), len(to), recs[0].ID, recs[len(recs)-1].ID)
		return nil
	})
}

// idRange prints IDs as a..b when they run in sequence.
func idRange(ids []uint64) string {
	if len(ids) == 1 {
		return strconv.FormatUint(ids[0], 10)
	}
	seq := true
	for i := 1; i < len(ids); i++ {
		seq = seq && ids[i] == ids[i-1]+1
	}
	if seq {
		return fmt.Sprintf("%d..%d", ids[0], ids[len(ids)-1])
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatUint(id, 10)
	}
	return strings.Join(s, ",")
}

func smsCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newSMSFlags("cancel", "Usage: gsmbox sms cancel [--url URL --token T | --db PATH] ID...\n", stderr)
	if done, err := parseOrHelp(f.subFlags, args); done {
		return err
	}
	if len(f.pos) == 0 {
		return fmt.Errorf("%w: sms cancel takes message IDs", errUsage)
	}
	var ids []uint64
	var errs []error
	for _, a := range f.pos {
		id, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q is not a message ID", a))
			continue
		}
		ids = append(ids, id)
	}
	t, err := f.target()
	if err != nil {
		return err
	}
	err = t.run(stderr, func() (bool, error) {
		for i, id := range ids {
			fallBack, err := t.call(ctx, "DELETE", fmt.Sprintf("/api/sms/%d", id), nil, nil)
			if fallBack && i == 0 {
				return true, err
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			fmt.Fprintf(stdout, "cancelled %d\n", id)
		}
		return false, nil
	}, func() error {
		st, err := openSMS(t.db, true)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range ids {
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
		return nil
	})
	return errors.Join(append(errs, err)...)
}
