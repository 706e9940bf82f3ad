package registry_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	bolt "go.etcd.io/bbolt"
)

// damageRef builds a registry of 20 subscribers with location state, backs
// it up, then adds 2 more (the changes a recovery loses). It returns the
// file's bytes and the backup's.
func damageRef(t testing.TB) (file, backup []byte) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "subscribers.db")
	db, err := registry.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := registry.New(registry.Config{Store: db, Now: func() time.Time { return registrytest.Epoch }})
	for i := range 20 {
		if _, err := r.Add(registrytest.Sub(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := r.UpdateLocation(registrytest.Sub(i).IMSI, lai, true); err != nil {
			t.Fatal(err)
		}
	}
	b, err := db.SaveBackup()
	if err != nil {
		t.Fatal(err)
	}
	for i := 20; i < 22; i++ {
		if _, err := r.Add(registrytest.Sub(i)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if file, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if backup, err = os.ReadFile(b.Path); err != nil {
		t.Fatal(err)
	}
	return file, backup
}

// damagedVariants returns the campaign's damaged copies of ref: truncated,
// zeroed and randomly damaged, from a fixed seed.
func damagedVariants(ref []byte) (names []string, files [][]byte) {
	rng := rand.New(rand.NewPCG(0xdb, 0xad))
	add := func(name string, b []byte) { names, files = append(names, name), append(files, b) }
	ps := 4096
	for _, n := range []int{0, 1, 16, 100, 4095, 4096, 4097, 8191, 8192, 10000, 12288, 16384, 20000, len(ref) - 1} {
		add(fmt.Sprintf("truncated to %d", n), bytes.Clone(ref[:min(n, len(ref))]))
	}
	for range 26 {
		n := rng.IntN(len(ref))
		add(fmt.Sprintf("truncated to %d", n), bytes.Clone(ref[:n]))
	}
	for p := range len(ref) / ps {
		b := bytes.Clone(ref)
		clear(b[p*ps : (p+1)*ps])
		add(fmt.Sprintf("page %d zeroed", p), b)
	}
	for range 30 {
		b := bytes.Clone(ref)
		off, n := rng.IntN(len(b)), 1+rng.IntN(3*ps)
		clear(b[off:min(off+n, len(b))])
		add(fmt.Sprintf("%d octets at %d zeroed", n, off), b)
	}
	add("all zero", make([]byte, len(ref)))
	for range 90 {
		b := bytes.Clone(ref)
		k := 1 + rng.IntN(64)
		// Mostly the pages that hold something: the first 8.
		for range k {
			b[rng.IntN(min(len(b), 8*ps))] = byte(rng.Uint32())
		}
		add(fmt.Sprintf("%d random octets changed", k), b)
	}
	for range 10 {
		b := bytes.Clone(ref)
		p := rng.IntN(len(b) / ps)
		for i := p * ps; i < (p+1)*ps; i++ {
			b[i] = byte(rng.Uint32())
		}
		add(fmt.Sprintf("page %d random", p), b)
	}
	return names, files
}

// TestDamagedDatabase replays the campaign's damaged databases: nothing
// panics or crashes (a SIGBUS would end the test binary), every read
// either works or fails with a message, and Open with Recover gives back
// the backup's registry whenever the file is damaged.
func TestDamagedDatabase(t *testing.T) {
	ref, backup := damageRef(t)
	names, files := damagedVariants(ref)
	if len(files) < 150 {
		t.Fatalf("%d variants, want at least 150", len(files))
	}
	var damaged, recovered, sound, badRecords int
	for i, b := range files {
		name := names[i]
		dir := t.TempDir()
		path := filepath.Join(dir, "subscribers.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".bak.1", backup, 0o600); err != nil {
			t.Fatal(err)
		}
		// Reading: the operator's list and check.
		db, err := registry.Open(path, &registry.Options{ReadOnly: true})
		if err != nil {
			if !errors.Is(err, registry.ErrCorrupt) || !strings.Contains(err.Error(), "damaged") {
				t.Errorf("%s: Open = %v, want a damage report", name, err)
			}
		} else {
			r, _ := registry.New(registry.Config{Store: db})
			if _, err := r.List("", 0); err != nil && err.Error() == "" {
				t.Errorf("%s: List failed without a message", name)
			}
			_ = db.Check()
			db.Close()
		}
		// The appliance's open.
		db, err = registry.Open(path, &registry.Options{Recover: true})
		if err != nil {
			t.Errorf("%s: Open with Recover = %v", name, err)
			continue
		}
		r, _ := registry.New(registry.Config{Store: db})
		p, lerr := r.List("", 0)
		rec := db.Recovery()
		cerr := db.Check()
		db.Close()
		if rec == nil {
			sound++
			if lerr != nil || cerr != nil {
				// The file's pages are sound but a record's bytes are
				// not: reported by the record's CRC, and repair's job.
				if !errors.Is(lerr, registry.ErrCorrupt) && !errors.Is(cerr, registry.ErrCorrupt) {
					t.Errorf("%s: List = %v, Check = %v, want ErrCorrupt", name, lerr, cerr)
				}
				badRecords++
			}
			continue
		}
		damaged++
		if rec.Backup == "" || len(p.Subscribers) != 20 || lerr != nil || cerr != nil {
			t.Errorf("%s: recovered %+v: %d subscribers (List %v, Check %v), want the backup's 20", name, rec, len(p.Subscribers), lerr, cerr)
			continue
		}
		q, err := os.ReadFile(rec.Quarantined)
		if err != nil || !bytes.Equal(q, b) {
			t.Errorf("%s: quarantined file %s: %v, or not the damaged bytes", name, rec.Quarantined, err)
			continue
		}
		if s := rec.String(); !strings.Contains(s, "lost") || !strings.Contains(s, "damaged") {
			t.Errorf("%s: report %q does not say what was lost", name, s)
		}
		recovered++
	}
	t.Logf("%d damaged variants: %d found damaged and %d of them recovered from the backup; %d with sound pages (%d of them with a bad record)",
		len(files), damaged, recovered, sound, badRecords)
	if damaged < len(files)/3 {
		t.Errorf("only %d of %d variants found damaged: the check misses damage", damaged, len(files))
	}
}

// TestRecoverWithoutBackup: a damaged file and no backup gives an empty
// registry, and the report says so.
func TestRecoverWithoutBackup(t *testing.T) {
	ref, _ := damageRef(t)
	path := filepath.Join(t.TempDir(), "subscribers.db")
	if err := os.WriteFile(path, ref[:10000], 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := registry.Open(path, &registry.Options{Recover: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := db.Recovery()
	if rec == nil || rec.Backup != "" || rec.Subscribers != 0 || !strings.Contains(rec.Lost(), "provisioned again") {
		t.Fatalf("Recovery = %+v, want an empty start", rec)
	}
	if _, err := os.Stat(rec.Quarantined); err != nil {
		t.Errorf("quarantined file: %v", err)
	}
}

// TestRecoverSkipsDamagedBackup: the newest backup is damaged too, the
// older one is restored.
func TestRecoverSkipsDamagedBackup(t *testing.T) {
	ref, backup := damageRef(t)
	path := filepath.Join(t.TempDir(), "subscribers.db")
	os.WriteFile(path, nil, 0o600)
	os.WriteFile(path+".bak.1", backup, 0o600)
	os.WriteFile(path+".bak.2", ref[:5000], 0o600)
	db, err := registry.Open(path, &registry.Options{Recover: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := db.Recovery()
	if rec == nil || filepath.Base(rec.Backup) != "subscribers.db.bak.1" || len(rec.Skipped) != 1 || rec.Subscribers != 20 {
		t.Fatalf("Recovery = %+v, want bak.1 restored after skipping bak.2", rec)
	}
}

// TestBackups: SaveBackup numbers, keeps the newest few, and an import
// makes one; BackupIfChanged skips an unchanged registry.
func TestBackups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscribers.db")
	db, err := registry.Open(path, &registry.Options{KeepBackups: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, _ := registry.New(registry.Config{Store: db})
	if saved, err := db.BackupIfChanged(); err != nil || !saved {
		t.Fatalf("first BackupIfChanged = %v, %v, want a backup", saved, err)
	}
	if saved, err := db.BackupIfChanged(); err != nil || saved {
		t.Fatalf("BackupIfChanged with no change = %v, %v, want none", saved, err)
	}
	if _, err := r.ImportCSV(strings.NewReader("imsi\n001010000000001\n001010000000002\n"), registry.ImportAdd, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveBackup(); err != nil {
		t.Fatal(err)
	}
	list, err := registry.Backups(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Seq != 3 || list[1].Seq != 2 {
		t.Fatalf("Backups = %+v, want seq 3 and 2 (keep 2)", list)
	}
	b, err := registry.Open(list[1].Path, &registry.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	br, _ := registry.New(registry.Config{Store: b})
	if n, _ := br.Count(); n != 2 {
		t.Errorf("the import's backup holds %d subscribers, want 2", n)
	}
	if err := b.Check(); err != nil {
		t.Errorf("backup Check = %v", err)
	}
}

// TestRestore: restore quarantines the current file and puts the newest
// good backup in place.
func TestRestore(t *testing.T) {
	ref, backup := damageRef(t)
	path := filepath.Join(t.TempDir(), "subscribers.db")
	os.WriteFile(path, ref, 0o600)
	os.WriteFile(path+".bak.4", backup, 0o600)
	rec, err := registry.Restore(path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Subscribers != 20 || rec.Quarantined == "" {
		t.Fatalf("Restore = %+v", rec)
	}
	if q, _ := os.ReadFile(rec.Quarantined); !bytes.Equal(q, ref) {
		t.Error("the replaced file was not kept")
	}
}

// FuzzOpenDatabase feeds damaged database files to Open, List and Check,
// read-only and with Recover: nothing panics or crashes, and Recover always
// ends with a usable registry.
func FuzzOpenDatabase(f *testing.F) {
	ref, _ := damageRef(f)
	_, files := damagedVariants(ref)
	for _, i := range []int{0, 9, 45, 80, 120, 150} {
		f.Add(files[i])
	}
	f.Add(ref)
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "subscribers.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if db, err := registry.Open(path, &registry.Options{ReadOnly: true, Timeout: time.Second}); err == nil {
			r, _ := registry.New(registry.Config{Store: db})
			r.List("", 0)
			db.Check()
			db.Close()
		} else if err.Error() == "" {
			t.Fatal("Open failed without a message")
		}
		db, err := registry.Open(path, &registry.Options{Recover: true, Timeout: time.Second})
		if err != nil {
			t.Fatalf("Open with Recover = %v", err)
		}
		defer db.Close()
		r, _ := registry.New(registry.Config{Store: db})
		if db.Recovery() != nil {
			if _, err := r.Add(registrytest.Sub(1)); err != nil {
				t.Fatalf("Add after recovery = %v", err)
			}
			if err := db.Check(); err != nil {
				t.Fatalf("Check after recovery = %v", err)
			}
		}
	})
}

// TestRepair salvages what can be read from damaged files and keeps the
// old file; with FromBackup the backup fills the gaps.
func TestRepair(t *testing.T) {
	ref, backup := damageRef(t)
	names, files := damagedVariants(ref)
	var repaired, salvaged, filled int
	for i, b := range files {
		path := filepath.Join(t.TempDir(), "subscribers.db")
		os.WriteFile(path, b, 0o600)
		os.WriteFile(path+".bak.1", backup, 0o600)
		rep, err := registry.Repair(path, &registry.RepairOptions{FromBackup: true})
		if err != nil {
			t.Errorf("%s: Repair = %v", names[i], err)
			continue
		}
		if rep.Damage == nil {
			continue
		}
		repaired++
		salvaged += rep.Salvaged
		filled += rep.FromBackup
		if q, _ := os.ReadFile(rep.Quarantined); !bytes.Equal(q, b) {
			t.Errorf("%s: the old file was not kept", names[i])
		}
		db, err := registry.Open(path, &registry.Options{ReadOnly: true})
		if err != nil {
			t.Errorf("%s: Open after Repair = %v", names[i], err)
			continue
		}
		r, _ := registry.New(registry.Config{Store: db})
		n, _ := r.Count()
		if err := db.Check(); err != nil || n < 20 || n != rep.Salvaged+rep.FromBackup {
			t.Errorf("%s: after Repair %+v: %d subscribers, Check %v", names[i], rep, n, err)
		}
		db.Close()
	}
	t.Logf("%d of %d variants repaired: %d records salvaged from the damaged files, %d taken from the backup", repaired, len(files), salvaged, filled)
}

// TestLostBucket: a registry whose subscribers bucket is gone is damaged,
// not silently given an empty one.
func TestLostBucket(t *testing.T) {
	ref, backup := damageRef(t)
	path := filepath.Join(t.TempDir(), "subscribers.db")
	os.WriteFile(path, ref, 0o600)
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("subscribers")) }); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := registry.Open(path, nil); !errors.Is(err, registry.ErrCorrupt) {
		t.Fatalf("Open without the subscribers bucket = %v, want ErrCorrupt", err)
	}
	os.WriteFile(path+".bak.1", backup, 0o600)
	db, err := registry.Open(path, &registry.Options{Recover: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rec := db.Recovery(); rec == nil || rec.Subscribers != 20 {
		t.Fatalf("Recovery = %+v, want the backup's 20", rec)
	}
}
