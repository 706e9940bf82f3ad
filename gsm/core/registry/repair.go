package registry

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
)

// RepairReport says what Repair did.
type RepairReport struct {
	Path string
	// Damage is what was wrong: the file's pages (a *DamagedError) or
	// its records and indexes (Check's errors); nil when nothing was.
	Damage      error
	Quarantined string // where the old file went ("" when untouched)
	Salvaged    int    // records read back from the old file
	// Lost counts the records that could not be read (a damaged subtree
	// counts once per problem found in it); Problems lists them.
	Lost     int
	Problems []error
	Dropped  []string // IMSIs whose MSISDN or TMSI clashed and was cleared
	// Backup is the backup whose extra subscribers were added (with
	// RepairOptions.FromBackup), FromBackup how many.
	Backup     string
	FromBackup int
}

// RepairOptions tune Repair.
type RepairOptions struct {
	Options
	// FromBackup adds the subscribers of the newest good backup that the
	// old file had no readable record for. They may include subscribers
	// removed after the backup was taken: the report lists how many.
	FromBackup bool
}

// Repair rebuilds the registry file at path from what can still be read of
// it: every record in the subscribers bucket whose bytes pass their CRC
// and whose key is its IMSI, reached by a walk that skips damaged pages;
// the indexes are built anew. The old file is quarantined (renamed aside),
// never deleted. A file whose pages, records and indexes check clean is
// left alone. No other process may have the file open.
func Repair(path string, ro *RepairOptions) (*RepairReport, error) {
	var opt RepairOptions
	if ro != nil {
		opt = *ro
	}
	o := withDefaults(&opt.Options)
	rep := &RepairReport{Path: path}
	if err := lockProbe(path, o.Timeout); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("registry: repair: %w", err)
	}
	if db, err := openChecked(path, Options{ReadOnly: true, Timeout: o.Timeout}); err == nil {
		rep.Damage = db.Check()
		db.Close()
		if rep.Damage == nil {
			return rep, nil
		}
	} else if errors.Is(err, ErrCorrupt) {
		rep.Damage = err
	} else {
		return nil, err
	}

	subs := map[string]Subscriber{}
	if m, err := readMetas(bytes.NewReader(raw), int64(len(raw))); err != nil {
		rep.Problems = append(rep.Problems, err)
	} else {
		w := &fileWalk{r: bytes.NewReader(raw), size: int64(len(raw)), m: m, salvage: true}
		w.kv = func(path []string, k, v []byte) error {
			if len(path) != 1 || path[0] != string(bucketSubscribers) {
				return nil
			}
			var s Subscriber
			if err := s.UnmarshalBinary(v); err != nil || s.IMSI != string(k) {
				rep.Lost++
				rep.Problems = append(rep.Problems, fmt.Errorf("record %q: %v", k, err))
				return nil
			}
			subs[s.IMSI] = s
			return nil
		}
		if err := w.walk(); err != nil {
			w.problems = append(w.problems, err)
		}
		rep.Lost += len(w.problems)
		rep.Problems = append(rep.Problems, w.problems...)
	}
	rep.Salvaged = len(subs)

	if opt.FromBackup {
		list, _ := Backups(path)
		for _, b := range list {
			db, err := openChecked(b.Path, Options{ReadOnly: true, Timeout: o.Timeout})
			if err != nil {
				continue
			}
			err = db.View(func(tx Tx) error {
				return tx.Ascend("", func(s *Subscriber) (bool, error) {
					if _, ok := subs[s.IMSI]; !ok {
						subs[s.IMSI] = *s
						rep.FromBackup++
					}
					return true, nil
				})
			})
			db.Close()
			if err == nil {
				rep.Backup = b.Path
				break
			}
		}
	}

	q, err := quarantine(path, o.Now())
	if err != nil {
		return nil, err
	}
	rep.Quarantined = q
	db, err := openChecked(path, Options{Timeout: o.Timeout, KeepBackups: o.KeepBackups, Log: o.Log, noSync: o.noSync})
	if err != nil {
		return rep, err
	}
	defer db.Close()
	imsis := make([]string, 0, len(subs))
	for k := range subs {
		imsis = append(imsis, k)
	}
	slices.Sort(imsis)
	err = db.Update(func(tx Tx) error {
		rep.Dropped = rep.Dropped[:0]
		for _, imsi := range imsis {
			s := subs[imsi]
			err := tx.Put(&s)
			if errors.Is(err, ErrMSISDNInUse) || errors.Is(err, ErrTMSIInUse) {
				s.MSISDN, s.TMSI, s.NewTMSI = "", NoTMSI, NoTMSI
				rep.Dropped = append(rep.Dropped, imsi)
				err = tx.Put(&s)
			}
			if err != nil {
				return fmt.Errorf("IMSI %s: %w", imsi, err)
			}
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("registry: repair: writing the new file: %w", err)
	}
	return rep, db.Check()
}
