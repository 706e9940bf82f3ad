package registry

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gsmbox/gsmbox/gsm/crypto"
)

// The CSV format of import and export (documented in docs/subscribers.md):
//
//	imsi,msisdn,algorithm,ki,opc,imei,authorized,name,sqn
//	001010000000001,1001,comp128v1,000102030405060708090a0b0c0d0e0f,,490154203237518,true,Alice,
//
// The first record is the header; columns may come in any order and all
// but imsi may be left out. Lines starting with '#' are comments. Keys are
// 32 hex digits. "op" may be given instead of "opc" (OPc is then derived,
// TS 35.206 §4.1). An empty authorized means true.
const (
	colIMSI = 1 << iota
	colMSISDN
	colAlgorithm
	colKi
	colOPc
	colOP
	colIMEI
	colAuthorized
	colName
	colSQN
)

var csvColumns = []struct {
	name string
	bit  uint
}{
	{"imsi", colIMSI}, {"msisdn", colMSISDN}, {"algorithm", colAlgorithm}, {"ki", colKi},
	{"opc", colOPc}, {"op", colOP}, {"imei", colIMEI}, {"authorized", colAuthorized},
	{"name", colName}, {"sqn", colSQN},
}

// ExportColumns is the header ExportCSV writes.
var ExportColumns = []string{"imsi", "msisdn", "algorithm", "ki", "opc", "imei", "authorized", "name", "sqn"}

// Limits on a CSV file: an import runs in PID 1 on the appliance (from a
// USB stick), so a broken or hostile file must fail fast, in bounded
// memory, with a report a person can read.
const (
	// MaxCSVSize is the largest file read (some 100,000 subscribers).
	MaxCSVSize = 16 << 20
	// MaxCSVLine is the longest line, in bytes.
	MaxCSVLine = 4096
	// MaxCSVRows is the most subscribers one file may hold.
	MaxCSVRows = 100000
	// maxCSVErrors is how many problems are listed; the rest are counted.
	maxCSVErrors = 50
)

// csvLimiter passes a CSV file through, failing once it is longer than
// MaxCSVSize or has a line longer than MaxCSVLine.
type csvLimiter struct {
	r          io.Reader
	n, lineLen int
	line       int
}

// csvLimitError is a limit a file exceeded, at a line.
type csvLimitError struct {
	line int
	msg  string
}

func (e *csvLimitError) Error() string { return e.msg }

func (l *csvLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += n
	if l.n > MaxCSVSize {
		return 0, &csvLimitError{line: l.line + 1, msg: fmt.Sprintf("the file is larger than %d MiB; the limit is %d MiB (split it)", MaxCSVSize>>20, MaxCSVSize>>20)}
	}
	for b := p[:n]; ; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.lineLen += len(b)
		} else {
			l.lineLen += i
		}
		if l.lineLen > MaxCSVLine {
			return 0, &csvLimitError{line: l.line + 1, msg: fmt.Sprintf("line longer than %d bytes", MaxCSVLine)}
		}
		if i < 0 {
			break
		}
		l.line++
		l.lineLen = 0
		b = b[i+1:]
	}
	return n, err
}

// capErrors keeps the first maxCSVErrors problems and counts the rest.
func capErrors(errs []error, more int) []error {
	if len(errs) > maxCSVErrors {
		more += len(errs) - maxCSVErrors
		errs = errs[:maxCSVErrors:maxCSVErrors]
	}
	if more > 0 {
		errs = append(errs, fmt.Errorf("%w: ... and %d more problems", ErrCSV, more))
	}
	return errs
}

// CSVRow is one parsed data row.
type CSVRow struct {
	Line       int        // 1-based line number in the file
	Subscriber Subscriber // the provisioning fields
	columns    uint       // which columns the file has
}

// has reports whether the file had the column (ImportUpdate changes only
// those).
func (r *CSVRow) has(bit uint) bool { return r.columns&bit != 0 }

// ReadCSV parses a subscriber file. It reports every bad line at once, as
// *LineError values joined with errors.Join (each wrapping ErrCSV), and
// returns no rows if there is any. The messages never contain a key.
func ReadCSV(r io.Reader) ([]CSVRow, error) {
	rows, errs, more := readCSV(r)
	if len(errs) > 0 {
		return nil, errors.Join(capErrors(errs, more)...)
	}
	return rows, nil
}

// readCSV returns the rows that parsed and the problems with the others.
func readCSV(r io.Reader) (rows []CSVRow, errs []error, more int) {
	cr := csv.NewReader(&csvLimiter{r: r})
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var (
		cols     []uint
		records  int // data records read, good or bad
		present  uint
		lastLine int
		imsis    = map[string]int{}
		msisdns  = map[string]int{}
	)
	// more counts the problems past maxCSVErrors.
	add := func(line int, err error) {
		if len(errs) >= maxCSVErrors {
			more++
			return
		}
		errs = append(errs, &LineError{Line: line, Err: err})
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var le *csvLimitError
			if errors.As(err, &le) {
				// One clear error: nothing of a file that broke a
				// limit is used, and its other problems do not matter.
				return nil, []error{&LineError{Line: le.line, Err: errors.New(le.msg)}}, 0
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				add(pe.Line, pe.Err) // the reader resumes at the next line
				continue
			}
			add(lastLine+1, err)
			break
		}
		line, _ := cr.FieldPos(0) // only valid after a successful Read
		lastLine = line
		if cols == nil {
			cols, present = parseHeader(rec, line, add)
			if cols == nil {
				break
			}
			continue
		}
		records++
		if records > MaxCSVRows {
			return nil, []error{&LineError{Line: line, Err: fmt.Errorf("more than %d subscribers in one file (split it)", MaxCSVRows)}}, 0
		}
		if len(rec) != len(cols) {
			add(line, fmt.Errorf("%d fields, the header has %d", len(rec), len(cols)))
			continue
		}
		row, rowErrs := parseRow(rec, cols, present)
		row.Line = line
		for _, e := range rowErrs {
			add(line, e)
		}
		if len(rowErrs) > 0 {
			continue
		}
		if prev, dup := imsis[row.Subscriber.IMSI]; dup {
			add(line, fmt.Errorf("IMSI %s already on line %d", row.Subscriber.IMSI, prev))
			continue
		}
		imsis[row.Subscriber.IMSI] = line
		if m := row.Subscriber.MSISDN; m != "" {
			if prev, dup := msisdns[m]; dup {
				add(line, fmt.Errorf("MSISDN %s already on line %d", m, prev))
				continue
			}
			msisdns[m] = line
		}
		rows = append(rows, row)
	}
	if cols == nil && len(errs) == 0 {
		add(1, errors.New("no header (want a first line like "+strings.Join(ExportColumns, ",")+")"))
	}
	return rows, errs, more
}

func parseHeader(rec []string, line int, add func(int, error)) ([]uint, uint) {
	cols := make([]uint, len(rec))
	var present uint
	bad := false
	for i, f := range rec {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))
		var bit uint
		for _, c := range csvColumns {
			if c.name == name {
				bit = c.bit
			}
		}
		switch {
		case bit == 0:
			add(line, fmt.Errorf("unknown column %q (known: imsi, msisdn, algorithm, ki, opc, op, imei, authorized, name, sqn)", f))
			bad = true
		case present&bit != 0:
			add(line, fmt.Errorf("column %q twice", name))
			bad = true
		}
		cols[i] = bit
		present |= bit
	}
	if present&colIMSI == 0 {
		add(line, errors.New("no imsi column"))
		bad = true
	}
	if present&colOP != 0 && present&colOPc != 0 {
		add(line, errors.New("both op and opc columns: give one"))
		bad = true
	}
	if bad {
		return nil, 0
	}
	return cols, present
}

func parseRow(rec []string, cols []uint, present uint) (CSVRow, []error) {
	row := CSVRow{columns: present}
	s := &row.Subscriber
	var errs []error
	var ki, opc, op string
	badAlg := false
	for i, f := range rec {
		f = strings.TrimSpace(f)
		var err error
		switch cols[i] {
		case colIMSI:
			s.IMSI = f
			err = ValidateIMSI(f)
		case colMSISDN:
			s.MSISDN = f
			if f != "" {
				err = ValidateMSISDN(f)
			}
		case colAlgorithm:
			if f != "" {
				s.Algorithm, err = crypto.ParseAlgorithm(f)
				badAlg = err != nil
			}
		case colKi:
			ki = f
		case colOPc:
			opc = f
		case colOP:
			op = f
		case colIMEI:
			s.IMEI, err = ParseIMEI(f)
		case colAuthorized:
			var ok bool
			ok, err = parseBool(f)
			s.Barred = !ok
		case colName:
			s.Name = f
			if len(f) > MaxName || !utf8.ValidString(f) {
				err = fieldErr("name", "not UTF-8 of at most %d bytes", MaxName)
			}
		case colSQN:
			if f != "" {
				s.SQN, err = strconv.ParseUint(f, 10, 64)
				if err != nil || s.SQN > MaxSQN {
					err = fieldErr("sqn", "%q is not a decimal 48-bit number", f)
				}
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	// Keys: never echo them in a message.
	switch {
	case badAlg:
		// The unknown algorithm is the problem; the keys cannot be
		// judged without it.
	case s.Algorithm == crypto.AlgNone:
		if ki != "" || opc != "" || op != "" {
			errs = append(errs, fieldErr("algorithm", "keys given but no algorithm"))
		}
	default:
		k, err := crypto.ParseKi(ki)
		if ki == "" {
			err = fieldErr("ki", "%s needs a Ki", s.Algorithm)
		}
		if err != nil {
			errs = append(errs, err)
		}
		s.Ki = k
		switch {
		case !s.Algorithm.UsesOPc() && (opc != "" || op != ""):
			errs = append(errs, fieldErr("opc", "%s does not use OP/OPc", s.Algorithm))
		case s.Algorithm.UsesOPc() && opc != "":
			if s.OPc, err = crypto.ParseOPc(opc); err != nil {
				errs = append(errs, err)
			}
		case s.Algorithm.UsesOPc() && op != "":
			o, err := crypto.ParseOP(op)
			if err != nil {
				errs = append(errs, err)
			} else {
				s.OPc = crypto.DeriveOPc(s.Ki, o)
			}
		case s.Algorithm.UsesOPc():
			errs = append(errs, fieldErr("opc", "milenage needs opc or op"))
		}
	}
	if len(errs) == 0 {
		if err := s.validateInput(); err != nil {
			errs = append(errs, err)
		}
	}
	return row, errs
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "true", "yes", "1", "y":
		return true, nil
	case "false", "no", "0", "n":
		return false, nil
	}
	return false, fieldErr("authorized", "%q is not true or false", s)
}

// WriteCSV writes subscribers in the export format, keys included (the
// file is a backup and re-imports with ReadCSV).
func WriteCSV(w io.Writer, subs []Subscriber) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	for i := range subs {
		if err := cw.Write(csvRecord(&subs[i])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvRecord(s *Subscriber) []string {
	alg, ki, opc, sqn := "", "", "", ""
	if s.Algorithm.Valid() {
		alg, ki = s.Algorithm.String(), s.Ki.HexSecret()
		if s.Algorithm.UsesOPc() {
			opc = s.OPc.HexSecret()
		}
	}
	if s.SQN != 0 {
		sqn = strconv.FormatUint(s.SQN, 10)
	}
	return []string{s.IMSI, s.MSISDN, alg, ki, opc, s.IMEI.String(), strconv.FormatBool(!s.Barred), s.Name, sqn}
}

// ImportMode says what Import does with an IMSI already provisioned.
type ImportMode uint8

const (
	// ImportAdd refuses the whole file if any IMSI exists.
	ImportAdd ImportMode = iota
	// ImportUpdate overwrites an existing subscriber's provisioning
	// fields with the columns the file has (and keeps its TMSI, location
	// and, unless the file has sqn, its SQN).
	ImportUpdate
)

// ImportResult counts what Import did.
type ImportResult struct{ Added, Updated int }

// Import applies parsed rows in one transaction: all of them or, if any
// row fails (an existing IMSI with ImportAdd, an MSISDN held by another
// subscriber), none, with every failing line reported as a *LineError.
func (r *Registry) Import(rows []CSVRow, mode ImportMode) (ImportResult, error) {
	var res ImportResult
	err := r.store.Update(func(tx Tx) error {
		var errs []error
		var err error
		if res, errs, err = r.importTx(tx, rows, mode); err != nil {
			return err
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return ImportResult{}, err
	}
	r.log.Info("subscribers imported", "added", res.Added, "updated", res.Updated)
	// A bulk change is worth a backup of its own: re-typing a stick's
	// worth of keys is what a lost file would cost.
	if b, ok := r.store.(backupSaver); ok && res.Added+res.Updated > 0 {
		if _, err := b.SaveBackup(); err != nil {
			r.log.Error("backup after import failed", "err", err)
		}
	}
	return res, nil
}

// errDryRun rolls a dry run back.
var errDryRun = errors.New("registry: dry run")

// ImportCSV reads a subscriber file and imports it, all or nothing, in one
// transaction. Unlike ReadCSV followed by Import, it reports the problems
// of both stages at once, in line order: syntax errors and conflicts with
// the stored subscribers. With dryRun it checks everything and changes
// nothing. This is what "gsmbox subscribers import" and a config stick run.
func (r *Registry) ImportCSV(in io.Reader, mode ImportMode, dryRun bool) (ImportResult, error) {
	rows, errs, more := readCSV(in)
	var res ImportResult
	err := r.store.Update(func(tx Tx) error {
		var txErrs []error
		var err error
		if res, txErrs, err = r.importTx(tx, rows, mode); err != nil {
			return err
		}
		all := append(slices.Clone(errs), txErrs...) // fn may run again: keep errs as parsed
		if len(all) > 0 {
			return errors.Join(capErrors(sortByLine(all), more)...)
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err != nil {
		return ImportResult{}, err
	}
	r.log.Info("subscribers imported", "added", res.Added, "updated", res.Updated)
	// A bulk change is worth a backup of its own: re-typing a stick's
	// worth of keys is what a lost file would cost.
	if b, ok := r.store.(backupSaver); ok && res.Added+res.Updated > 0 {
		if _, err := b.SaveBackup(); err != nil {
			r.log.Error("backup after import failed", "err", err)
		}
	}
	return res, nil
}

// backupSaver is a Store that keeps backups (the bbolt DB).
type backupSaver interface {
	SaveBackup() (BackupInfo, error)
}

func sortByLine(errs []error) []error {
	line := func(e error) int {
		var le *LineError
		if errors.As(e, &le) {
			return le.Line
		}
		return 1 << 30
	}
	slices.SortStableFunc(errs, func(a, b error) int { return line(a) - line(b) })
	return errs
}

// importTx applies rows inside tx; errs are the rows' problems, err a
// storage failure.
func (r *Registry) importTx(tx Tx, rows []CSVRow, mode ImportMode) (res ImportResult, errs []error, err error) {
	now := r.now().UTC()
	for i := range rows {
		row := &rows[i]
		s := row.Subscriber
		old, err := tx.Get(s.IMSI)
		switch {
		case err == nil && mode == ImportAdd:
			errs = append(errs, &LineError{Line: row.Line, Err: fmt.Errorf("%w: IMSI %s", ErrExists, s.IMSI)})
			continue
		case err == nil:
			s = merge(old, row)
			res.Updated++
		case errors.Is(err, ErrNotFound):
			s.Created = now
			res.Added++
		default:
			return res, errs, err
		}
		if err := tx.Put(&s); err != nil {
			errs = append(errs, &LineError{Line: row.Line, Err: err})
		}
	}
	return res, errs, nil
}

// merge overwrites old's provisioning fields with the row's columns.
func merge(old Subscriber, row *CSVRow) Subscriber {
	n := row.Subscriber
	if row.has(colMSISDN) {
		old.MSISDN = n.MSISDN
	}
	if row.has(colAlgorithm) || row.has(colKi) {
		old.Algorithm, old.Ki, old.OPc = n.Algorithm, n.Ki, n.OPc
	}
	if row.has(colIMEI) {
		old.IMEI = n.IMEI
	}
	if row.has(colAuthorized) {
		old.Barred = n.Barred
	}
	if row.has(colName) {
		old.Name = n.Name
	}
	if row.has(colSQN) {
		old.SQN = n.SQN
	}
	return old
}

// ExportCSV writes every subscriber, from one consistent snapshot.
func (r *Registry) ExportCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	err := r.store.View(func(tx Tx) error {
		return tx.Ascend("", func(s *Subscriber) (bool, error) {
			return true, cw.Write(csvRecord(s))
		})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
