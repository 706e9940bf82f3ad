package registry

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The bbolt layout: one bucket of records keyed by IMSI, two index buckets
// whose values are IMSIs, and a bucket of bookkeeping values.
var (
	bucketSubscribers = []byte("subscribers")
	bucketTMSI        = []byte("tmsi")   // 4-octet big-endian TMSI → IMSI
	bucketMSISDN      = []byte("msisdn") // MSISDN → IMSI
	bucketMeta        = []byte("meta")
	keySchema         = []byte("schema")
)

// schemaVersion is the layout of the buckets above.
const schemaVersion = 1

// Options tune Open. The zero value is right for tools; the appliance sets
// Recover.
type Options struct {
	// Timeout bounds the wait for another process's lock on the file
	// (bbolt takes an exclusive flock for writing). Zero means 2 s.
	Timeout time.Duration
	// ReadOnly opens for reading only (a shared lock); Update fails.
	ReadOnly bool
	// GroupCommit lets concurrent Updates share one commit and fsync
	// (bbolt's Batch): on a slow medium (an SD card) a storm of location
	// updates then costs one fsync per group instead of one each, at the
	// price of up to 10 ms latency for a lone Update. Update's fn may then
	// run more than once, which Registry's functions allow.
	GroupCommit bool
	// Recover makes Open survive a damaged file: it is quarantined
	// (renamed aside, never deleted), the newest backup that checks clean
	// is restored (or, with none, an empty registry started), and
	// DB.Recovery reports what happened. Without it Open returns a
	// *DamagedError and leaves the file alone. Not with ReadOnly.
	Recover bool
	// KeepBackups is how many PATH.bak.N files SaveBackup keeps; zero
	// means DefaultKeepBackups.
	KeepBackups int
	// Now names quarantined files; nil: time.Now.
	Now func() time.Time
	// Log gets recoveries and failed scheduled backups; nil: discard.
	Log *slog.Logger

	noSync bool // tests only: skip fsync (durability is then the page cache's)
}

func withDefaults(opts *Options) Options {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	if o.KeepBackups <= 0 {
		o.KeepBackups = DefaultKeepBackups
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// DB is the durable Store: one bbolt file.
type DB struct {
	db       *bolt.DB
	group    bool
	keep     int
	log      *slog.Logger
	recovery *Recovery

	backupMu sync.Mutex // serialises SaveBackup
	backupTx uint64     // transaction id of the newest backup this DB knows
}

var _ Store = (*DB)(nil)
var _ Checker = (*DB)(nil)

// Open opens or creates the registry file at path (mode 0600: it holds
// keys), creating its directory if needed. Only one process may have it
// open for writing; another gets ErrLocked after opts.Timeout.
//
// An existing file is checked before bbolt maps it: every page its last
// commit reaches must be inside the file and well formed (pages.go). A
// damaged file gives a *DamagedError (errors.Is ErrCorrupt) and is left
// alone, or, with Options.Recover, is quarantined and replaced by the
// newest good backup (see DB.Recovery). Nothing in the file can make Open
// panic or crash the process.
func Open(path string, opts *Options) (*DB, error) {
	o := withDefaults(opts)
	if !o.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		if o.ReadOnly || !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("registry: %w", err)
		}
	}
	db, err := openChecked(path, o)
	var de *DamagedError
	if errors.As(err, &de) && o.Recover && !o.ReadOnly {
		return recoverOpen(path, o, de)
	}
	return db, err
}

// openChecked is Open without recovery: check the file under a shared
// lock, then (for writing) reopen it with the exclusive one. Between the
// two another writer may commit, but only through bbolt, which keeps it
// sound.
func openChecked(path string, o Options) (*DB, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !o.ReadOnly:
		// A new file: bbolt writes it whole.
	case err != nil:
		return nil, fmt.Errorf("registry: %w", err)
	default:
		if err := checkUnmapped(path, fi.Size(), o); err != nil {
			return nil, err
		}
	}
	var bdb *bolt.DB
	err = contain("open", func() error {
		var err error
		bdb, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly, NoSync: o.noSync})
		return err
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s (stop the running gsmbox, or read a backup)", ErrLocked, path)
	}
	if errors.Is(err, ErrCorrupt) {
		return nil, &DamagedError{Path: path, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("registry: open %s: %w", path, err)
	}
	d := &DB{db: bdb, group: o.GroupCommit, keep: o.KeepBackups, log: o.Log}
	if o.ReadOnly {
		err = contain("schema", func() error { return bdb.View(func(tx *bolt.Tx) error { return checkSchema(tx) }) })
	} else {
		err = contain("schema", func() error {
			return bdb.Update(func(tx *bolt.Tx) error {
				// A registry that has its schema mark but lost a bucket
				// is damaged: never replace the bucket with an empty one.
				if m := tx.Bucket(bucketMeta); m != nil && m.Get(keySchema) != nil {
					return checkSchema(tx)
				}
				for _, b := range [][]byte{bucketSubscribers, bucketTMSI, bucketMSISDN, bucketMeta} {
					if _, err := tx.CreateBucketIfNotExists(b); err != nil {
						return err
					}
				}
				m := tx.Bucket(bucketMeta)
				if m.Get(keySchema) == nil {
					return m.Put(keySchema, []byte{schemaVersion})
				}
				return checkSchema(tx)
			})
		})
	}
	if err != nil {
		bdb.Close()
		if errors.Is(err, errSchemaVersion) {
			return nil, fmt.Errorf("registry: %s: %w", path, err)
		}
		return nil, &DamagedError{Path: path, Err: err}
	}
	d.backupTx = newestBackupTx(path)
	return d, nil
}

// checkUnmapped walks the existing file at path before bbolt maps it. The
// walk runs under a shared lock, so that no writer is half-way through a
// commit (bbolt holds its lock for as long as it has the file open).
func checkUnmapped(path string, size int64, o Options) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	if err := flockShared(f, o.Timeout); err != nil {
		return fmt.Errorf("%w: %s (stop the running gsmbox, or read a backup)", ErrLocked, path)
	}
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	if _, err := checkFile(f, size, nil); err != nil {
		return &DamagedError{Path: path, Err: err}
	}
	return nil
}

// newestBackupTx returns the commit the newest backup of path holds (0 if
// none), so that BackupIfChanged does not copy an unchanged registry again.
func newestBackupTx(path string) uint64 {
	list, _ := Backups(path)
	if len(list) == 0 {
		return 0
	}
	f, err := os.Open(list[0].Path)
	if err != nil {
		return 0
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	m, err := readMetas(f, fi.Size())
	if err != nil {
		return 0
	}
	return m.txid
}

// Recovery returns what Open did about a damaged file, or nil when the
// file opened as it was.
func (d *DB) Recovery() *Recovery { return d.recovery }

var errSchemaVersion = errors.New("registry: schema version")

func checkSchema(tx *bolt.Tx) error {
	m := tx.Bucket(bucketMeta)
	if m == nil || tx.Bucket(bucketSubscribers) == nil || tx.Bucket(bucketTMSI) == nil || tx.Bucket(bucketMSISDN) == nil {
		return fmt.Errorf("%w: not a subscriber registry (buckets missing)", ErrCorrupt)
	}
	if v := m.Get(keySchema); len(v) != 1 || v[0] != schemaVersion {
		if len(v) == 1 && v[0] > schemaVersion {
			// A newer gsmbox wrote it (an A/B rollback): not damage.
			return fmt.Errorf("%w %d is newer than this gsmbox reads (%d): update gsmbox", errSchemaVersion, v[0], schemaVersion)
		}
		return fmt.Errorf("%w: schema %v, this gsmbox reads %d", ErrCorrupt, v, schemaVersion)
	}
	return nil
}

// Close closes the file.
func (d *DB) Close() error { return d.db.Close() }

// Path returns the file's path.
func (d *DB) Path() string { return d.db.Path() }

// View runs fn in a read-only transaction. A memory fault while reading
// the mapped file (it shrank, or its medium failed) is an error wrapping
// ErrCorrupt, not a crash.
func (d *DB) View(fn func(Tx) error) error {
	return containFault(func() error {
		return d.db.View(func(tx *bolt.Tx) error { return fn(newBoltTx(tx)) })
	})
}

// Update runs fn in a read-write transaction and commits (fsync) on nil.
// With Options.GroupCommit, fn may share the commit with concurrent ones
// and may be called more than once.
func (d *DB) Update(fn func(Tx) error) error {
	w := func(tx *bolt.Tx) error { return fn(newBoltTx(tx)) }
	return containFault(func() error {
		if d.group {
			return d.db.Batch(w)
		}
		return d.db.Update(w)
	})
}

// Backup writes a consistent copy of the whole file to w while the
// registry stays in use (a read transaction: writers are not blocked). The
// copy opens with Open.
func (d *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := containFault(func() error {
		var err error
		n, _, err = d.backupTo(w)
		return err
	})
	return n, err
}

func (d *DB) backupTo(w io.Writer) (n int64, txid uint64, err error) {
	err = d.db.View(func(tx *bolt.Tx) error {
		txid = uint64(tx.ID())
		n, err = tx.WriteTo(w)
		return err
	})
	return n, txid, err
}

// Check verifies the file's pages (bbolt's own check) and that the records
// and indexes agree: every record decodes and is keyed by its IMSI, every
// index entry points to a record holding that value, and every record's
// MSISDN and TMSIs are indexed.
func (d *DB) Check() error {
	// First the safe walk, over a consistent copy (the file may be in use),
	// then bbolt's own check, which must not meet what the walk rejects:
	// it runs in a goroutine of its own, where a fault or an assertion
	// panic could not be contained.
	var snap bytes.Buffer
	if _, err := d.Backup(&snap); err != nil {
		return err
	}
	m, err := checkFile(bytes.NewReader(snap.Bytes()), int64(snap.Len()), nil)
	if err != nil {
		return &DamagedError{Path: d.Path(), Err: err}
	}
	// The copy has fresh meta pages; the file's own must be readable too.
	f, err := os.Open(d.Path())
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	err = metaHeaders(f, int64(m.pageSize))
	f.Close()
	if err != nil {
		return err
	}
	var errs []error
	err = contain("check", func() error {
		return d.db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				errs = append(errs, fmt.Errorf("%w: %w", ErrCorrupt, err))
			}
			if err := checkSchema(tx); err != nil {
				errs = append(errs, err)
				return nil
			}
			errs = append(errs, checkIndexes(newBoltTx(tx))...)
			return nil
		})
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// boltTx adapts a bbolt transaction. Buckets are looked up when first
// used: a lookup by IMSI touches only the records bucket.
type boltTx struct {
	tx                    *bolt.Tx
	subsB, tmsiB, msisdnB *bolt.Bucket
	metaB                 *bolt.Bucket
}

func newBoltTx(tx *bolt.Tx) *boltTx { return &boltTx{tx: tx} }

func (t *boltTx) bucket(p **bolt.Bucket, name []byte) *bolt.Bucket {
	if *p == nil {
		*p = t.tx.Bucket(name)
	}
	return *p
}

func (t *boltTx) subs() *bolt.Bucket   { return t.bucket(&t.subsB, bucketSubscribers) }
func (t *boltTx) tmsi() *bolt.Bucket   { return t.bucket(&t.tmsiB, bucketTMSI) }
func (t *boltTx) msisdn() *bolt.Bucket { return t.bucket(&t.msisdnB, bucketMSISDN) }
func (t *boltTx) meta() *bolt.Bucket   { return t.bucket(&t.metaB, bucketMeta) }

func tmsiKey(t TMSI) []byte { return binary.BigEndian.AppendUint32(make([]byte, 0, 4), uint32(t)) }

func (t *boltTx) Get(imsi string) (Subscriber, error) {
	v := t.subs().Get([]byte(imsi))
	if v == nil {
		return Subscriber{}, fmt.Errorf("%w: IMSI %s", ErrNotFound, imsi)
	}
	var s Subscriber
	if err := s.UnmarshalBinary(v); err != nil {
		return Subscriber{}, fmt.Errorf("IMSI %s: %w", imsi, err)
	}
	return s, nil
}

func (t *boltTx) IMSIByTMSI(x TMSI) (string, error) {
	if v := t.tmsi().Get(tmsiKey(x)); v != nil {
		return string(v), nil
	}
	return "", fmt.Errorf("%w: TMSI %v", ErrNotFound, x)
}

func (t *boltTx) IMSIByMSISDN(m string) (string, error) {
	if v := t.msisdn().Get([]byte(m)); v != nil {
		return string(v), nil
	}
	return "", fmt.Errorf("%w: MSISDN %s", ErrNotFound, m)
}

func (t *boltTx) Put(s *Subscriber) error {
	if !t.tx.Writable() {
		return bolt.ErrTxNotWritable
	}
	rec, err := s.MarshalBinary()
	if err != nil {
		return err
	}
	key := []byte(s.IMSI)
	// Check every index entry before changing anything, so that a refused
	// Put leaves the transaction as it was.
	if s.MSISDN != "" {
		if v := t.msisdn().Get([]byte(s.MSISDN)); v != nil && !bytes.Equal(v, key) {
			return fmt.Errorf("%w: MSISDN %s belongs to IMSI %s", ErrMSISDNInUse, s.MSISDN, EscapeText(string(v)))
		}
	}
	for _, x := range [2]TMSI{s.TMSI, s.NewTMSI} {
		if x == NoTMSI {
			continue
		}
		if v := t.tmsi().Get(tmsiKey(x)); v != nil && !bytes.Equal(v, key) {
			return fmt.Errorf("%w: TMSI %v belongs to IMSI %s", ErrTMSIInUse, x, EscapeText(string(v)))
		}
	}
	// A corrupt old record is overwritten; its index entries cannot be
	// known, and Check reports any left stale.
	if old, err := t.Get(s.IMSI); err == nil {
		if err := t.unindex(&old, s); err != nil {
			return err
		}
	}
	if s.MSISDN != "" {
		if err := t.msisdn().Put([]byte(s.MSISDN), key); err != nil {
			return err
		}
	}
	for _, x := range [2]TMSI{s.TMSI, s.NewTMSI} {
		if x != NoTMSI {
			if err := t.tmsi().Put(tmsiKey(x), key); err != nil {
				return err
			}
		}
	}
	return t.subs().Put(key, rec)
}

// unindex removes old's index entries that next (nil: none) does not keep.
func (t *boltTx) unindex(old, next *Subscriber) error {
	if old.MSISDN != "" && (next == nil || next.MSISDN != old.MSISDN) {
		if err := t.msisdn().Delete([]byte(old.MSISDN)); err != nil {
			return err
		}
	}
	for _, x := range [2]TMSI{old.TMSI, old.NewTMSI} {
		if x == NoTMSI || (next != nil && (x == next.TMSI || x == next.NewTMSI)) {
			continue
		}
		if err := t.tmsi().Delete(tmsiKey(x)); err != nil {
			return err
		}
	}
	return nil
}

func (t *boltTx) Delete(imsi string) error {
	if !t.tx.Writable() {
		return bolt.ErrTxNotWritable
	}
	old, err := t.Get(imsi)
	if errors.Is(err, ErrNotFound) {
		return err
	}
	if err == nil {
		if err := t.unindex(&old, nil); err != nil {
			return err
		}
	}
	return t.subs().Delete([]byte(imsi))
}

func (t *boltTx) Ascend(from string, fn func(*Subscriber) (bool, error)) error {
	c := t.subs().Cursor()
	for k, v := c.Seek([]byte(from)); k != nil; k, v = c.Next() {
		var s Subscriber
		if err := s.UnmarshalBinary(v); err != nil {
			return fmt.Errorf("IMSI %q: %w", k, err)
		}
		more, err := fn(&s)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (t *boltTx) Len() (int, error) { return t.subs().Stats().KeyN, nil }

func (t *boltTx) Meta(key string) ([]byte, error) {
	v := t.meta().Get([]byte("x:" + key))
	if v == nil {
		return nil, nil
	}
	return bytes.Clone(v), nil
}

func (t *boltTx) SetMeta(key string, v []byte) error {
	return t.meta().Put([]byte("x:"+key), bytes.Clone(v))
}
