package node

import (
	"fmt"
	"io"
	"log/slog"
	"sync"

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
}

// NewStore returns the store of the default registry file (until a
// configuration names another).
func NewStore() *Store {
	return &Store{path: config.Default().Subscribers.DB}
}

// Registry returns a registry over the file cfg names, with cfg's
// registration policy, for the cell: the file stays open until the cell
// calls Release.
func (d *Store) Registry(cfg *config.Config, log *slog.Logger) (*registry.Registry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
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
	if d.db != nil {
		d.db.Close()
		d.db = nil
	}
}

func (d *Store) openLocked(path string) error {
	if d.db != nil && d.path == path {
		return nil
	}
	if d.db != nil {
		d.db.Close()
		d.db = nil
	}
	db, err := registry.Open(path, nil)
	if err != nil {
		return err
	}
	d.db, d.path = db, path
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
