package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// Store owns the appliance's subscriber registry file: the cell
// (while it runs) and the USB workflow (a stick's subscribers.csv) both
// get it here. bbolt admits one open of a file at a time, so one owner is
// what keeps a stick inserted while the cell starts from finding the file
// locked. The file is open only while the cell runs or an import is under
// way, so that shutdown can unmount the data partition cleanly.
type Store struct {
	mu   sync.Mutex
	path string       // the file of the configuration last started
	db   *registry.DB // open on path, or nil
	cell bool         // the cell holds the file
	log  *slog.Logger // the cell's, once it started
	// recovery is what the last open did about a damaged file (nil: it
	// opened as it was): status, LEDs and the console show it.
	recovery *registry.Recovery
	// stopBackups ends the scheduled backups of the open file.
	stopBackups func()
}

// backupEvery is how often an open registry is backed up (when it changed).
const backupEvery = time.Hour

// Recovery returns what the last open did about a damaged registry file,
// or nil.
func (d *Store) Recovery() *registry.Recovery {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.recovery
}

// NewStore returns the store of the default registry file (until a
// configuration names another).
func NewStore() *Store {
	return &Store{path: config.Default().Subscribers.DB}
}

// NewStoreAt returns the store of the registry file at path, logging to
// log: for tools that import into a file with no cell running.
func NewStoreAt(path string, log *slog.Logger) *Store {
	return &Store{path: path, log: log}
}

// Registry returns a registry over the file cfg names, with cfg's
// registration policy, for the cell: the file stays open until the cell
// calls Release.
func (d *Store) Registry(cfg *config.Config, log *slog.Logger) (*registry.Registry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log = log
	if err := d.openLocked(cfg.Subscribers.DB); err != nil {
		return nil, err
	}
	d.cell = true
	return registry.New(registry.Config{Store: d.db, Policy: cfg.Policy(), Log: log})
}

// Release is the cell's stop: the file is closed.
func (d *Store) Release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cell = false
	d.closeLocked()
}

func (d *Store) closeLocked() {
	if d.stopBackups != nil {
		d.stopBackups()
		d.stopBackups = nil
	}
	if d.db != nil {
		if _, err := d.db.BackupIfChanged(); err != nil && d.log != nil {
			d.log.Error("subscriber registry backup failed", "err", err)
		}
		d.db.Close()
		d.db = nil
	}
}

func (d *Store) openLocked(path string) error {
	if d.db != nil && d.path == path {
		return nil
	}
	d.closeLocked()
	log := d.log
	if log == nil {
		log = slog.Default()
	}
	// A damaged file must not stop the box: it is quarantined and the
	// newest good backup restored (registry.Options.Recover).
	db, err := registry.Open(path, &registry.Options{Recover: true, Log: log})
	if err != nil {
		return err
	}
	if rec := db.Recovery(); rec != nil {
		d.recovery = rec
		log.Error("subscriber registry was damaged and has been recovered", "report", rec.String())
	}
	d.db, d.path = db, path
	ctx, cancel := context.WithCancel(context.Background())
	tick := time.NewTicker(backupEvery)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); db.ServeBackups(ctx, tick.C) }()
	d.stopBackups = func() { cancel(); tick.Stop(); wg.Wait() }
	return nil
}

// Import imports CSV rows, all or none, updating subscribers already there
// (an operator re-inserting a stick with corrected keys).
func (d *Store) Import(in io.Reader) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.openLocked(d.path); err != nil {
		return "", err
	}
	if !d.cell {
		defer d.closeLocked()
	}
	reg, err := registry.New(registry.Config{Store: d.db})
	if err != nil {
		return "", err
	}
	res, err := reg.ImportCSV(in, registry.ImportUpdate, false)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("imported: %d added, %d updated", res.Added, res.Updated), nil
}

// Close closes the file.
func (d *Store) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cell = false
	d.closeLocked()
	return nil
}
