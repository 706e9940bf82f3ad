package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
)

// defaultSubscriberDB is the registry on the appliance's data partition.
const defaultSubscriberDB = "/perm/gsmbox/subscribers.db"

func init() {
	register(command{
		name:    "subscribers",
		summary: "subscriber registry: list, show, add, set, remove, import, export, check, repair, restore",
		run:     runSubscribers,
	})
}

const subscribersUsage = `Usage: gsmbox subscribers <subcommand> [--db PATH] [flags] [args]

Subcommands:
  list                 table of subscribers (--json for scripts, --show-keys for Ki/OPc)
  show ID              one subscriber; ID is an IMSI, tmsi:HEX or msisdn:NUMBER
  add IMSI [flags]     provision a subscriber (--msisdn, --algorithm, --ki, --opc|--op, --imei, --name, --barred)
  set IMSI [flags]     change provisioning fields (same flags; only those given change)
  remove IMSI...       delete subscribers, freeing their MSISDNs and TMSIs
  import FILE|-        add subscribers from CSV, all or nothing (--update to overwrite, --dry-run to check only)
  export [FILE|-]      write every subscriber as CSV, keys included (a backup; re-imports with import)
  check                verify the database file and its indexes; list the backups
  repair               rebuild a damaged database from what can be read of it (--from-backup fills gaps)
  restore [BACKUP]     replace the database with its newest good backup (or BACKUP)

The database defaults to ` + defaultSubscriberDB + `, the data partition of
the appliance. Only one process may write it: stop the running gsmbox first,
or work on a copy. CSV columns: imsi,msisdn,algorithm,ki,opc,imei,authorized,name,sqn
(see docs/subscribers.md). Run "gsmbox subscribers <subcommand> -h" for flags.
`

func runSubscribers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, subscribersUsage)
		return errUsage
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list", "ls":
		return subscribersList(rest, stdout, stderr)
	case "show":
		return subscribersShow(rest, stdout, stderr)
	case "add":
		return subscribersAdd(rest, stdout, stderr)
	case "set":
		return subscribersSet(rest, stdout, stderr)
	case "remove", "rm":
		return subscribersRemove(rest, stdout, stderr)
	case "import":
		return subscribersImport(rest, stdout, stderr)
	case "export":
		return subscribersExport(rest, stdout, stderr)
	case "check":
		return subscribersCheck(rest, stdout, stderr)
	case "repair":
		return subscribersRepair(rest, stdout, stderr)
	case "restore":
		return subscribersRestore(rest, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, subscribersUsage)
		return nil
	}
	fmt.Fprint(stderr, subscribersUsage)
	return fmt.Errorf("subscribers: unknown subcommand %q", sub)
}

// subFlags is a flag set with the --db flag, whose Parse accepts flags
// after positional arguments too ("show 00101... --json").
type subFlags struct {
	*flag.FlagSet
	db  *string
	pos []string
}

func newSubFlags(name, usage string, stderr io.Writer) *subFlags {
	fs := newFlagSet("subscribers "+name, usage+"\nFlags:\n", stderr)
	return &subFlags{FlagSet: fs, db: fs.String("db", defaultSubscriberDB, "subscriber database file")}
}

// parse parses args, collecting positional arguments wherever they are.
// It returns errHelp for -h and errUsage for a bad flag.
func (f *subFlags) parse(args []string) error {
	for {
		if help, err := parseFlags(f.FlagSet, args); help || err != nil {
			if help {
				return flag.ErrHelp
			}
			return err
		}
		args = f.Args()
		if len(args) == 0 {
			return nil
		}
		if args[0] == "-" { // stdin for import/export
			f.pos = append(f.pos, args[0])
			args = args[1:]
			continue
		}
		f.pos = append(f.pos, args[0])
		args = args[1:]
	}
}

// parseOrHelp turns -h into a successful return.
func parseOrHelp(f *subFlags, args []string) (done bool, err error) {
	if err := f.parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return true, err
	}
	return false, nil
}

// openRegistry opens the database. Reading commands open it read-only (a
// shared lock) and fail if it does not exist; writing commands create it.
func openRegistry(path string, write bool) (*registry.Registry, *registry.DB, error) {
	if !write {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("no subscriber database at %s (add or import creates one; --db picks another)", path)
		}
	}
	db, err := registry.Open(path, &registry.Options{ReadOnly: !write})
	if err != nil {
		return nil, nil, damageHint(err)
	}
	r, err := registry.New(registry.Config{Store: db})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return r, db, nil
}

const listUsage = `Usage: gsmbox subscribers list [--db PATH] [--json] [--show-keys] [--limit N] [--after IMSI]

Lists subscribers in IMSI order. Keys are shown only with --show-keys.
`

func subscribersList(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("list", listUsage, stderr)
	asJSON := f.Bool("json", false, "print JSON: {total, next, subscribers: [...]}")
	showKeys := f.Bool("show-keys", false, "include Ki and OPc (secret!)")
	limit := intFlag(f.FlagSet, "limit", 0, "at most this many (0: all)", func(n int) error { return config.CheckRange(n, 0, math.MaxInt32) })
	after := f.String("after", "", "start after this IMSI (the \"next\" of the previous page)")
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) > 0 {
		return fmt.Errorf("subscribers list: unexpected argument %q", f.pos[0])
	}
	r, db, err := openRegistry(*f.db, false)
	if err != nil {
		return err
	}
	defer db.Close()
	page, err := r.List(*after, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			Total       int                       `json:"total"`
			Next        string                    `json:"next,omitempty"`
			Subscribers []registry.SubscriberJSON `json:"subscribers"`
		}{Total: page.Total, Next: page.Next, Subscribers: []registry.SubscriberJSON{}}
		for i := range page.Subscribers {
			out.Subscribers = append(out.Subscribers, registry.ToJSON(&page.Subscribers[i], *showKeys))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	head := "IMSI\tMSISDN\tALG\tAUTH\tTMSI\tLAI\tATTACHED\tLAST SEEN\tIMEI\tNAME"
	if *showKeys {
		head += "\tKI\tOPC"
	}
	fmt.Fprintln(tw, head)
	for i := range page.Subscribers {
		s := &page.Subscribers[i]
		line := strings.Join([]string{s.IMSI, dash(s.MSISDN), algName(s), authName(s), tmsiCell(s), s.LAI.String(),
			yesNo(s.Attached), seen(s.LastSeen), dash(s.IMEI.String()), dash(registry.EscapeText(s.Name))}, "\t")
		if *showKeys {
			ki, opc := keyCells(s)
			line += "\t" + ki + "\t" + opc
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d of %d subscribers", len(page.Subscribers), page.Total)
	if page.Next != "" {
		fmt.Fprintf(stdout, "; next page: --after %s", page.Next)
	}
	fmt.Fprintln(stdout)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func algName(s *registry.Subscriber) string {
	if !s.Algorithm.Valid() {
		return "-"
	}
	return s.Algorithm.String()
}

func authName(s *registry.Subscriber) string {
	if s.Barred {
		return "barred"
	}
	return "yes"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func tmsiCell(s *registry.Subscriber) string {
	t := s.TMSI.String()
	if s.NewTMSI != registry.NoTMSI {
		t += " (new " + s.NewTMSI.String() + ")"
	}
	return t
}

func seen(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

func keyCells(s *registry.Subscriber) (ki, opc string) {
	ki, opc = "-", "-"
	if s.Algorithm.Valid() {
		ki = s.Ki.HexSecret()
		if s.Algorithm.UsesOPc() {
			opc = s.OPc.HexSecret()
		}
	}
	return ki, opc
}

const showUsage = `Usage: gsmbox subscribers show [--db PATH] [--json] [--show-keys] ID

ID is an IMSI, tmsi:HEX (e.g. tmsi:0x1a2b3c4d) or msisdn:NUMBER.
`

func subscribersShow(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("show", showUsage, stderr)
	asJSON := f.Bool("json", false, "print JSON")
	showKeys := f.Bool("show-keys", false, "include Ki and OPc (secret!)")
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) != 1 {
		f.Usage()
		return errUsage
	}
	r, db, err := openRegistry(*f.db, false)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := lookup(r, f.pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(registry.ToJSON(&s, *showKeys))
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	row("IMSI", s.IMSI)
	row("MSISDN", dash(s.MSISDN))
	row("Name", dash(registry.EscapeText(s.Name)))
	row("Authorized", authName(&s))
	row("Algorithm", algName(&s))
	if *showKeys {
		ki, opc := keyCells(&s)
		row("Ki", ki)
		row("OPc", opc)
	} else if s.Algorithm.Valid() {
		row("Ki", "[redacted] (--show-keys)")
	}
	if s.Algorithm.UsesOPc() {
		row("SQN", fmt.Sprint(s.SQN))
	}
	row("IMEI", dash(s.IMEI.String()))
	row("TMSI", tmsiCell(&s))
	row("LAI", s.LAI.String())
	row("Attached", yesNo(s.Attached))
	row("Last seen", seen(s.LastSeen))
	row("Created", seen(s.Created))
	return tw.Flush()
}

// lookup finds a subscriber by IMSI, tmsi:HEX or msisdn:NUMBER.
func lookup(r *registry.Registry, id string) (registry.Subscriber, error) {
	switch {
	case strings.HasPrefix(id, "tmsi:"):
		t, err := registry.ParseTMSI(strings.TrimPrefix(id, "tmsi:"))
		if err != nil {
			return registry.Subscriber{}, err
		}
		return r.ByTMSI(t)
	case strings.HasPrefix(id, "msisdn:"):
		return r.ByMSISDN(strings.TrimPrefix(id, "msisdn:"))
	}
	return r.Get(id)
}

const addUsage = `Usage: gsmbox subscribers add [--db PATH] IMSI [--msisdn N] [--algorithm A --ki HEX [--opc HEX | --op HEX]] [--imei IMEI] [--name TEXT] [--barred]

Provisions one subscriber. Algorithms: comp128v1, comp128v2, comp128v3,
milenage (needs --opc or --op), xor. Keys typed here end up in the shell
history: for many subscribers, or on a shared machine, prefer import.
`

// provFlags are the provisioning flags shared by add and set.
type provFlags struct {
	msisdn, alg, ki, opc, op, imei, name *string
	barred                               *bool
}

func addProvFlags(f *subFlags) provFlags {
	return provFlags{
		msisdn: f.String("msisdn", "", "the subscriber's number"),
		alg:    f.String("algorithm", "", "A3/A8: comp128v1, comp128v2, comp128v3, milenage, xor"),
		ki:     f.String("ki", "", "Ki (K for milenage), 32 hex digits"),
		opc:    f.String("opc", "", "OPc for milenage, 32 hex digits"),
		op:     f.String("op", "", "OP for milenage (OPc is derived), 32 hex digits"),
		imei:   f.String("imei", "", "IMEI, 14 or 15 digits (the check digit is verified)"),
		name:   f.String("name", "", "free text for the operator"),
		barred: f.Bool("barred", false, "provision as not authorised (registrations are rejected)"),
	}
}

// apply sets the fields whose flags were given onto s.
func (p provFlags) apply(f *subFlags, s *registry.Subscriber) error {
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var errs []error
	if set["msisdn"] {
		s.MSISDN = *p.msisdn
	}
	if set["name"] {
		s.Name = *p.name
	}
	if set["barred"] {
		s.Barred = *p.barred
	}
	if set["imei"] {
		m, err := registry.ParseIMEI(*p.imei)
		errs = append(errs, err)
		s.IMEI = m
	}
	if set["algorithm"] || set["ki"] || set["opc"] || set["op"] {
		errs = append(errs, p.applyKeys(set, s))
	}
	return errors.Join(errs...)
}

// applyKeys changes the algorithm and keys the flags name and keeps the
// rest: --ki alone replaces the key under the subscriber's algorithm,
// --algorithm alone keeps its key (none removes every key). Milenage's OPc
// is derived from K and OP, so a new K needs --opc or --op with it.
func (p provFlags) applyKeys(set map[string]bool, s *registry.Subscriber) error {
	var errs []error
	had := s.Algorithm
	alg := s.Algorithm
	if set["algorithm"] {
		alg = crypto.AlgNone
		if *p.alg != "" && *p.alg != "none" {
			a, err := crypto.ParseAlgorithm(*p.alg)
			if err != nil {
				return err
			}
			alg = a
		}
	}
	if alg == crypto.AlgNone {
		if set["ki"] || set["opc"] || set["op"] {
			return errors.New("keys given but no algorithm (add --algorithm)")
		}
		s.Algorithm, s.Ki, s.OPc = crypto.AlgNone, crypto.Ki{}, crypto.OPc{}
		return nil
	}
	ki := s.Ki
	switch {
	case set["ki"]:
		k, err := crypto.ParseKi(*p.ki)
		if err != nil {
			return err
		}
		ki = k
	case !had.Valid():
		return fmt.Errorf("--algorithm %s needs --ki", alg)
	}
	opc := s.OPc
	switch {
	case !alg.UsesOPc():
		opc = crypto.OPc{}
		if set["opc"] || set["op"] {
			errs = append(errs, fmt.Errorf("%s does not use OPc (--opc, --op)", alg))
		}
	case set["opc"] && set["op"]:
		errs = append(errs, errors.New("give --opc or --op, not both"))
	case set["opc"]:
		o, err := crypto.ParseOPc(*p.opc)
		errs = append(errs, err)
		opc = o
	case set["op"]:
		o, err := crypto.ParseOP(*p.op)
		errs = append(errs, err)
		opc = crypto.DeriveOPc(ki, o)
	case set["ki"] || !had.UsesOPc():
		errs = append(errs, fmt.Errorf("%s needs --opc or --op with a new key (OPc is derived from K and OP)", alg))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	s.Algorithm, s.Ki, s.OPc = alg, ki, opc
	return nil
}

func subscribersAdd(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("add", addUsage, stderr)
	p := addProvFlags(f)
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) != 1 {
		f.Usage()
		return errUsage
	}
	s := registry.Subscriber{IMSI: f.pos[0]}
	if err := p.apply(f, &s); err != nil {
		return fmt.Errorf("subscribers add: %w", err)
	}
	if err := s.Validate(); err != nil {
		return fmt.Errorf("subscribers add: %w", err)
	}
	r, db, err := openRegistry(*f.db, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if s, err = r.Add(s); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s", s.IMSI)
	if s.MSISDN != "" {
		fmt.Fprintf(stdout, " (MSISDN %s)", s.MSISDN)
	}
	fmt.Fprintln(stdout)
	return nil
}

const setUsage = `Usage: gsmbox subscribers set [--db PATH] IMSI [--msisdn N] [--algorithm A --ki HEX [--opc HEX | --op HEX]] [--imei IMEI] [--name TEXT] [--barred=true|false]

Changes the provisioning fields given; the rest, and the location state,
stay. --ki alone replaces the key under the subscriber's algorithm;
--algorithm alone keeps the key (--algorithm none removes every key). A new
milenage K needs --opc or --op with it (OPc is derived from K and OP).
`

func subscribersSet(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("set", setUsage, stderr)
	p := addProvFlags(f)
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) != 1 {
		f.Usage()
		return errUsage
	}
	r, db, err := openRegistry(*f.db, true)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := r.Update(f.pos[0], func(s *registry.Subscriber) error { return p.apply(f, s) })
	if err != nil {
		return fmt.Errorf("subscribers set: %w", err)
	}
	fmt.Fprintf(stdout, "updated %s\n", s.IMSI)
	return nil
}

const removeUsage = `Usage: gsmbox subscribers remove [--db PATH] IMSI...
`

func subscribersRemove(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("remove", removeUsage, stderr)
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) == 0 {
		f.Usage()
		return errUsage
	}
	r, db, err := openRegistry(*f.db, true)
	if err != nil {
		return err
	}
	defer db.Close()
	var errs []error
	for _, imsi := range f.pos {
		if err := r.Remove(imsi); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(stdout, "removed %s\n", imsi)
	}
	return errors.Join(errs...)
}

const importUsage = `Usage: gsmbox subscribers import [--db PATH] [--update] [--dry-run] FILE|-

Reads subscribers from a CSV file (- for standard input) whose first line
names the columns: imsi,msisdn,algorithm,ki,opc,imei,authorized,name,sqn
(any order; only imsi is required; op instead of opc derives OPc). Every bad
line is reported with its number, and then nothing is imported. Without
--update an IMSI that already exists is an error; with it, the file's
columns overwrite that subscriber's (its TMSI and location stay).
`

func subscribersImport(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("import", importUsage, stderr)
	update := f.Bool("update", false, "overwrite subscribers that exist")
	dryRun := f.Bool("dry-run", false, "check the file (and against the database) without changing anything")
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) != 1 {
		f.Usage()
		return errUsage
	}
	var in io.Reader = os.Stdin
	name := "standard input"
	if f.pos[0] != "-" {
		fh, err := os.Open(f.pos[0])
		if err != nil {
			return err
		}
		defer fh.Close()
		in, name = fh, f.pos[0]
	}
	mode := registry.ImportAdd
	if *update {
		mode = registry.ImportUpdate
	}
	r, db, err := openRegistry(*f.db, true)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := r.ImportCSV(in, mode, *dryRun)
	if err != nil {
		return fmt.Errorf("import %s: nothing imported:\n%w", name, err)
	}
	verb := "imported"
	if *dryRun {
		verb = "dry run: would import"
	}
	fmt.Fprintf(stdout, "%s %d subscribers from %s (%d added, %d updated)\n", verb, res.Added+res.Updated, name, res.Added, res.Updated)
	return nil
}

const exportUsage = `Usage: gsmbox subscribers export [--db PATH] [FILE|-]

Writes every subscriber as CSV (default: standard output), keys included:
the file is a backup that "gsmbox subscribers import" reads back. A FILE is
created with mode 0600.
`

func subscribersExport(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("export", exportUsage, stderr)
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) > 1 {
		f.Usage()
		return errUsage
	}
	r, db, err := openRegistry(*f.db, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(f.pos) == 0 || f.pos[0] == "-" {
		return r.ExportCSV(stdout)
	}
	tmp := f.pos[0] + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = r.ExportCSV(out)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.pos[0])
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	n, _ := r.Count()
	fmt.Fprintf(stderr, "exported %d subscribers to %s (it contains keys: keep it safe)\n", n, f.pos[0])
	return nil
}

// damageHint adds what to do to a damaged-file error.
func damageHint(err error) error {
	var de *registry.DamagedError
	if errors.As(err, &de) {
		return fmt.Errorf("%w\n(nothing was changed; \"gsmbox subscribers restore\" puts the newest good backup in its place, \"gsmbox subscribers repair\" salvages what can be read; both keep the damaged file)", err)
	}
	return err
}

const checkUsage = `Usage: gsmbox subscribers check [--db PATH]

Verifies the database without trusting it: every page its last commit
reaches is in the file and well formed, then bbolt's page check, every
record decodes, and the TMSI and MSISDN indexes agree with the records.
Lists the backups (PATH.bak.N) and whether each checks clean. Exits
non-zero when the database is damaged.
`

func subscribersCheck(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("check", checkUsage, stderr)
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) > 0 {
		return fmt.Errorf("subscribers check: unexpected argument %q", f.pos[0])
	}
	err := func() error {
		r, db, err := openRegistry(*f.db, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.Check(); err != nil {
			return damageHint(fmt.Errorf("%s is inconsistent:\n%w", *f.db, err))
		}
		n, _ := r.Count()
		fmt.Fprintf(stdout, "%s: ok, %d subscribers\n", *f.db, n)
		return nil
	}()
	backups, _ := registry.Backups(*f.db)
	if len(backups) == 0 {
		fmt.Fprintf(stdout, "no backups (%s.bak.N)\n", *f.db)
	}
	for _, b := range backups {
		state := "ok"
		if db, berr := registry.Open(b.Path, &registry.Options{ReadOnly: true}); berr != nil {
			state = "damaged: " + berr.Error()
		} else {
			if berr := db.Check(); berr != nil {
				state = "inconsistent"
			} else if r, rerr := registry.New(registry.Config{Store: db}); rerr == nil {
				n, _ := r.Count()
				state = fmt.Sprintf("ok, %d subscribers", n)
			}
			db.Close()
		}
		fmt.Fprintf(stdout, "backup %s (%s): %s\n", b.Path, b.Time.UTC().Format(time.RFC3339), state)
	}
	return err
}

const repairUsage = `Usage: gsmbox subscribers repair [--db PATH] [--from-backup]

Rebuilds a damaged database from what can still be read of it: every
record that passes its checksum is kept and the indexes are built anew.
The damaged file is kept as PATH.damaged-TIME. With --from-backup the
newest good backup adds the subscribers the damaged file had no readable
record of (which may bring back some removed after that backup). A
database that checks clean is left alone. Stop the running gsmbox first.
`

func subscribersRepair(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("repair", repairUsage, stderr)
	fromBackup := f.Bool("from-backup", false, "fill gaps from the newest good backup")
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) > 0 {
		return fmt.Errorf("subscribers repair: unexpected argument %q", f.pos[0])
	}
	rep, err := registry.Repair(*f.db, &registry.RepairOptions{FromBackup: *fromBackup})
	if err != nil {
		return fmt.Errorf("subscribers repair: %w", err)
	}
	if rep.Damage == nil {
		fmt.Fprintf(stdout, "%s: ok, nothing to repair\n", *f.db)
		return nil
	}
	fmt.Fprintf(stdout, "%s was damaged: %v\n", *f.db, rep.Damage)
	fmt.Fprintf(stdout, "the damaged file was kept as %s\n", rep.Quarantined)
	fmt.Fprintf(stdout, "salvaged %d subscribers; %d records or pages could not be read\n", rep.Salvaged, rep.Lost)
	for i, p := range rep.Problems {
		if i == 10 {
			fmt.Fprintf(stdout, "  ... and %d more\n", len(rep.Problems)-10)
			break
		}
		fmt.Fprintf(stdout, "  %v\n", p)
	}
	if rep.Backup != "" {
		fmt.Fprintf(stdout, "added %d subscribers from backup %s\n", rep.FromBackup, rep.Backup)
	}
	if len(rep.Dropped) > 0 {
		fmt.Fprintf(stdout, "%d subscribers lost their MSISDN and TMSI to a clash: %s\n", len(rep.Dropped), strings.Join(rep.Dropped, " "))
	}
	return nil
}

const restoreUsage = `Usage: gsmbox subscribers restore [--db PATH] [BACKUP]

Replaces the database with BACKUP, or with the newest backup
(PATH.bak.N) that checks clean. The current file is kept as
PATH.damaged-TIME. Stop the running gsmbox first.
`

func subscribersRestore(args []string, stdout, stderr io.Writer) error {
	f := newSubFlags("restore", restoreUsage, stderr)
	if done, err := parseOrHelp(f, args); done {
		return err
	}
	if len(f.pos) > 1 {
		f.Usage()
		return errUsage
	}
	from := ""
	if len(f.pos) == 1 {
		from = f.pos[0]
	}
	rec, err := registry.Restore(*f.db, from, nil)
	if err != nil {
		return fmt.Errorf("subscribers restore: %w", err)
	}
	if rec.Quarantined != "" {
		fmt.Fprintf(stdout, "the previous file was kept as %s\n", rec.Quarantined)
	}
	for _, s := range rec.Skipped {
		fmt.Fprintf(stdout, "skipped damaged backup %s\n", s)
	}
	fmt.Fprintf(stdout, "restored %s from %s (%s): %d subscribers; %s\n", *f.db, rec.Backup,
		rec.BackupTime.UTC().Format(time.RFC3339), rec.Subscribers, rec.Lost())
	return nil
}
