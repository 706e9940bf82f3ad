package main

import (
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// subscriberDB owns the appliance's subscriber registry file: the cell
// (while it runs) and the USB workflow (a stick's subscribers.csv) both
// get it here. bbolt admits one open of a file at a time, so one owner is
// what keeps a stick inserted while the cell starts from finding the file
// locked. The file is open only while the cell runs or an import is under
// way, so that shutdown can unmount the data partition cleanly.
type subscriberDB struct {
	mu   sync.Mutex
	path string       // the file of the configuration last started
	db   *registry.DB // open on path, or nil
	cell bool         // the cell holds the file
}

func newSubscriberDB() *subscriberDB {
	return &subscriberDB{path: config.Default().Subscribers.DB}
}

// registry returns a registry over the file cfg names, with cfg's
// registration policy, for the cell: the file stays open until the cell
// calls release.
func (d *subscriberDB) registry(cfg *config.Config, log *slog.Logger) (*registry.Registry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.openLocked(cfg.Subscribers.DB); err != nil {
		return nil, err
	}
	d.cell = true
	return registry.New(registry.Config{Store: d.db, Policy: cfg.Policy(), Log: log})
}

// release is the cell's stop: the file is closed.
func (d *subscriberDB) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cell = false
	d.closeLocked()
}

func (d *subscriberDB) closeLocked() {
	if d.db != nil {
		d.db.Close()
		d.db = nil
	}
}

func (d *subscriberDB) openLocked(path string) error {
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
func (d *subscriberDB) Import(in io.Reader) (string, error) {
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
func (d *subscriberDB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cell = false
	d.closeLocked()
	return nil
}
