package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A damaged registry file must not take the process down: on the appliance
// that process is PID 1, and a crash at boot is a reboot loop. The data
// partition is FAT32 (no journal), and a power cut while the file grows is
// exactly how it ends up truncated. So:
//
//   - Open walks the file (pages.go) before bbolt maps it, and runs bbolt
//     with debug.SetPanicOnFault, so what slips through is an error;
//   - a damaged file is quarantined (renamed aside, never deleted);
//   - the registry keeps backups (SaveBackup: after imports, and on a
//     schedule with ServeBackups) and Open with Options.Recover restores the
//     newest good one, reporting a Recovery the caller shows.

// DefaultKeepBackups is how many backups SaveBackup keeps when
// Options.KeepBackups is zero.
const DefaultKeepBackups = 4

// DamagedError is returned by Open (wrapping ErrCorrupt) when the file is
// not a sound bbolt file: truncated, zeroed, torn beyond what bbolt's two
// commit records recover, or not a registry at all. The file is left as it
// was.
type DamagedError struct {
	Path string
	Err  error // the first defect found
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("registry: %s is damaged: %v", e.Path, e.Err)
}

func (e *DamagedError) Unwrap() error {
	if errors.Is(e.Err, ErrCorrupt) {
		return e.Err
	}
	return errors.Join(ErrCorrupt, e.Err)
}

// Recovery says what Open with Options.Recover did about a damaged file:
// what was wrong, where the damaged file went, and which backup the
// registry now holds. Show it to the operator (status, LEDs, console):
// every change made after BackupTime is lost.
type Recovery struct {
	Path        string    // the registry file
	At          time.Time // when the damage was found
	Damage      error     // what was wrong (a *DamagedError)
	Quarantined string    // where the damaged file was moved
	// Backup is the backup restored, "" when no good backup existed and
	// the registry started empty.
	Backup      string
	BackupTime  time.Time // when Backup was taken
	Subscribers int       // subscribers in the registry now
	Skipped     []string  // newer backups that were damaged too
}

// Lost says what the recovery lost, in one sentence.
func (r *Recovery) Lost() string {
	if r.Backup == "" {
		return "no good backup existed: the registry is empty and every subscriber must be provisioned again"
	}
	return fmt.Sprintf("changes made after %s (the backup's time) are lost", r.BackupTime.UTC().Format(time.RFC3339))
}

// String is the operator's message.
func (r *Recovery) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "subscriber registry %s was damaged (%v); the damaged file was kept as %s; ", r.Path, errors.Unwrap(r.Damage), r.Quarantined)
	if r.Backup != "" {
		fmt.Fprintf(&b, "restored backup %s of %s with %d subscribers; ", filepath.Base(r.Backup), r.BackupTime.UTC().Format(time.RFC3339), r.Subscribers)
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "%d newer backups were damaged too; ", len(r.Skipped))
	}
	b.WriteString(r.Lost())
	return b.String()
}

// contain runs fn, which reads a mapped file through bbolt, with memory
// faults turned into panics (debug.SetPanicOnFault: a page past the end of
// a truncated file is SIGBUS otherwise) and every panic into an error
// wrapping ErrCorrupt. Only bbolt's own code may run inside: a panic of
// the caller's would be hidden.
func contain(what string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, what, p)
		}
	}()
	return fn()
}

// containFault is contain for transactions that run the caller's
// function: only a memory fault (the mapped file shrank or its medium
// failed) becomes an error; any other panic goes on.
func containFault(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if p := recover(); p != nil {
			if re, ok := p.(runtime.Error); ok {
				if _, fault := p.(interface{ Addr() uintptr }); fault {
					err = fmt.Errorf("%w: reading the database file: %v", ErrCorrupt, re)
					return
				}
			}
			panic(p)
		}
	}()
	return fn()
}

// CheckFile walks the bbolt file at path without mapping it and returns
// nil or a *DamagedError naming the first defect. It takes no lock: for a
// file another process may be writing, use Open (which checks under the
// lock).
func CheckFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if _, err := checkFile(f, fi.Size(), nil); err != nil {
		return &DamagedError{Path: path, Err: err}
	}
	return nil
}

// BackupInfo describes one backup file.
type BackupInfo struct {
	Path string
	Seq  int       // the N of PATH.bak.N: higher is newer
	Time time.Time // when it was written (the file's time)
	Size int64
}

const backupInfix = ".bak."

// Backups lists the backups of the registry file at path, newest first.
func Backups(path string) ([]BackupInfo, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry: backups: %w", err)
	}
	var out []BackupInfo
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), base+backupInfix)
		if !ok || e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n <= 0 || strconv.Itoa(n) != rest {
			continue // PATH.bak.N.tmp and strangers
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, BackupInfo{Path: filepath.Join(dir, e.Name()), Seq: n, Time: fi.ModTime(), Size: fi.Size()})
	}
	slices.SortFunc(out, func(a, b BackupInfo) int { return b.Seq - a.Seq })
	return out, nil
}

// SaveBackup writes a consistent copy of the registry to PATH.bak.N (N one
// more than the newest), through a temporary file that is fsynced and then
// renamed, so a power cut leaves either no new backup or a whole one; then
// it removes all but the newest Options.KeepBackups. The registry stays in
// use meanwhile.
func (d *DB) SaveBackup() (BackupInfo, error) {
	d.backupMu.Lock()
	defer d.backupMu.Unlock()
	return d.saveBackupLocked()
}

func (d *DB) saveBackupLocked() (BackupInfo, error) {
	path := d.Path()
	list, err := Backups(path)
	if err != nil {
		return BackupInfo{}, err
	}
	seq := 1
	if len(list) > 0 {
		seq = list[0].Seq + 1
	}
	final := path + backupInfix + strconv.Itoa(seq)
	var txid uint64
	err = writeAtomic(final, func(w io.Writer) error {
		return containFault(func() error {
			n, id, err := d.backupTo(w)
			_ = n
			txid = id
			return err
		})
	})
	if err != nil {
		return BackupInfo{}, fmt.Errorf("registry: backup to %s: %w", final, err)
	}
	d.backupTx = txid
	for _, old := range list[min(len(list), max(d.keep-1, 0)):] {
		os.Remove(old.Path) // best effort: a stale extra backup harms nothing
	}
	fi, err := os.Stat(final)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("registry: %w", err)
	}
	return BackupInfo{Path: final, Seq: seq, Time: fi.ModTime(), Size: fi.Size()}, nil
}

// BackupIfChanged saves a backup when the registry has committed anything
// since the newest backup; saved says whether it did.
func (d *DB) BackupIfChanged() (saved bool, err error) {
	d.backupMu.Lock()
	defer d.backupMu.Unlock()
	var id uint64
	if err := d.View(func(tx Tx) error { id = uint64(tx.(*boltTx).tx.ID()); return nil }); err != nil {
		return false, err
	}
	if id == d.backupTx {
		return false, nil
	}
	_, err = d.saveBackupLocked()
	return err == nil, err
}

// ServeBackups saves a backup on every tick (from the caller's clock) when
// the registry changed since the last one, until ctx ends. A failed backup
// is logged (Options.Log) and tried again at the next tick.
func (d *DB) ServeBackups(ctx context.Context, tick <-chan time.Time) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			if saved, err := d.BackupIfChanged(); err != nil {
				d.log.Error("subscriber registry backup failed", "err", err)
			} else if saved {
				d.log.Info("subscriber registry backed up", "path", d.Path())
			}
		}
	}
}

// writeAtomic writes path through path.tmp: write, fsync, rename, fsync
// of the directory. The file has mode 0600 (it holds keys).
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename in dir durable (where the file system can).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// quarantine renames the damaged file at path aside, to
// PATH.damaged-YYYYMMDDTHHMMSSZ (with -N if that exists), and returns the
// new name. It never deletes anything.
func quarantine(path string, now time.Time) (string, error) {
	stamp := path + ".damaged-" + now.UTC().Format("20060102T150405Z")
	dst := stamp
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = fmt.Sprintf("%s-%d", stamp, i)
	}
	if err := os.Rename(path, dst); err != nil {
		return "", fmt.Errorf("registry: quarantine %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return dst, nil
}

// copyFile copies src to dst atomically (writeAtomic).
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// recoverOpen handles a damaged file for Open with Options.Recover: it
// quarantines the file, restores the newest backup that opens and checks
// clean (or starts empty) and opens that.
func recoverOpen(path string, o Options, damage *DamagedError) (*DB, error) {
	rec := &Recovery{Path: path, At: o.Now(), Damage: damage}
	q, err := quarantine(path, rec.At)
	if err != nil {
		return nil, errors.Join(damage, err)
	}
	rec.Quarantined = q
	list, _ := Backups(path)
	for _, b := range list {
		if err := restoreFrom(path, b.Path); err != nil {
			rec.Skipped = append(rec.Skipped, b.Path)
			continue
		}
		rec.Backup, rec.BackupTime = b.Path, b.Time
		break
	}
	db, err := openChecked(path, o)
	if err != nil && rec.Backup != "" {
		// The backup checked clean a moment ago; give up on it.
		if q2, qerr := quarantine(path, rec.At); qerr == nil {
			rec.Skipped = append(rec.Skipped, q2)
		}
		rec.Backup, rec.BackupTime = "", time.Time{}
		db, err = openChecked(path, o)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: after quarantining the damaged file %s: %w", q, err)
	}
	db.recovery = rec
	_ = db.View(func(tx Tx) error { rec.Subscribers, _ = tx.Len(); return nil })
	db.log.Error("subscriber registry recovered", "report", rec.String())
	return db, nil
}

// restoreFrom checks the backup src (the file walk and the schema) and
// copies it over path.
func restoreFrom(path, src string) error {
	db, err := openChecked(src, Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	err = db.Check()
	db.Close()
	if err != nil {
		return err
	}
	return copyFile(path, src)
}

// Restore replaces the registry file at path with the backup from (""
// means the newest backup that checks clean). The current file, if any, is
// quarantined, not deleted. No other process may have the registry open.
func Restore(path, from string, opts *Options) (*Recovery, error) {
	o := withDefaults(opts)
	rec := &Recovery{Path: path, At: o.Now(), Damage: &DamagedError{Path: path, Err: errors.New("replaced on request")}}
	var cands []BackupInfo
	if from != "" {
		fi, err := os.Stat(from)
		if err != nil {
			return nil, fmt.Errorf("registry: restore: %w", err)
		}
		cands = []BackupInfo{{Path: from, Time: fi.ModTime()}}
	} else {
		list, err := Backups(path)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("registry: restore: no backups of %s (%s%sN)", path, filepath.Base(path), backupInfix)
		}
		cands = list
	}
	var chosen *BackupInfo
	var errs []error
	for i := range cands {
		db, err := openChecked(cands[i].Path, Options{ReadOnly: true, Timeout: time.Second})
		if err == nil {
			err = db.Check()
			db.Close()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", cands[i].Path, err))
			rec.Skipped = append(rec.Skipped, cands[i].Path)
			continue
		}
		chosen = &cands[i]
		break
	}
	if chosen == nil {
		return nil, fmt.Errorf("registry: restore: no good backup: %w", errors.Join(errs...))
	}
	// Take the file's lock before touching it, so a running gsmbox is
	// not pulled from under.
	if _, err := os.Stat(path); err == nil {
		if err := lockProbe(path, o.Timeout); err != nil {
			return nil, err
		}
		q, err := quarantine(path, rec.At)
		if err != nil {
			return nil, err
		}
		rec.Quarantined = q
	}
	if err := copyFile(path, chosen.Path); err != nil {
		return nil, fmt.Errorf("registry: restore: %w", err)
	}
	rec.Backup, rec.BackupTime = chosen.Path, chosen.Time
	db, err := Open(path, &Options{ReadOnly: true, Timeout: o.Timeout})
	if err != nil {
		return rec, err
	}
	_ = db.View(func(tx Tx) error { rec.Subscribers, _ = tx.Len(); return nil })
	db.Close()
	return rec, nil
}
