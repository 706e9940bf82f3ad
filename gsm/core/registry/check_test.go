package registry_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	bolt "go.etcd.io/bbolt"
)

// TestCheckFindsDamage plants damage in a registry file with bbolt
// directly (what a bug or a bad sector could leave) and checks that Check
// reports each kind, and that lookups through a stale index entry do not
// return the wrong subscriber.
func TestCheckFindsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := registry.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := registry.New(registry.Config{Store: db})
	for n := range 3 {
		s := registrytest.Sub(n)
		s.TMSI = registry.TMSI(0x100 + n)
		if _, err := r.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Check(); err != nil {
		t.Fatalf("Check(clean) = %v", err)
	}
	db.Close()

	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bolt.Tx) error {
		subs, tmsi, msisdn := tx.Bucket([]byte("subscribers")), tx.Bucket([]byte("tmsi")), tx.Bucket([]byte("msisdn"))
		// A TMSI entry pointing to a subscriber that does not hold it.
		if err := tmsi.Put([]byte{0, 0, 0x09, 0x99}, []byte(registrytest.Sub(1).IMSI)); err != nil {
			return err
		}
		// An MSISDN entry pointing to a missing record.
		if err := msisdn.Put([]byte("4242"), []byte("001019999999999")); err != nil {
			return err
		}
		// A record whose bytes were damaged.
		v := append([]byte(nil), subs.Get([]byte(registrytest.Sub(2).IMSI))...)
		v[10] ^= 0x40
		return subs.Put([]byte(registrytest.Sub(2).IMSI), v)
	})
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}

	db, err = registry.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Check()
	if !errors.Is(err, registry.ErrCorrupt) {
		t.Fatalf("Check(damaged) = %v, want ErrCorrupt", err)
	}
	for _, want := range []string{"00000999", "4242", "CRC-32C"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check report lacks %q:\n%v", want, err)
		}
	}
	r, _ = registry.New(registry.Config{Store: db})
	if s, err := r.ByTMSI(0x999); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("ByTMSI(stale) = %s, %v, want ErrNotFound", s.IMSI, err)
	}
	if _, err := r.Get(registrytest.Sub(2).IMSI); !errors.Is(err, registry.ErrCorrupt) {
		t.Errorf("Get(damaged) = %v, want ErrCorrupt", err)
	}
	if s, err := r.Get(registrytest.Sub(0).IMSI); err != nil || s.MSISDN != "1000" {
		t.Errorf("Get(intact) = %+v, %v", s, err)
	}
}

func TestImportCSVReportsAllInLineOrder(t *testing.T) {
	r, _ := registrytest.NewRegistry(t, registry.Policy{})
	if _, err := r.Add(registrytest.Sub(1)); err != nil { // MSISDN 1001
		t.Fatal(err)
	}
	in := "imsi,msisdn\n001010000000009,1001\n00101x,1002\n001010000000001,1003\n001010000000004,1004\n"
	_, err := r.ImportCSV(strings.NewReader(in), registry.ImportAdd, false)
	if err == nil {
		t.Fatal("ImportCSV(bad) = nil error")
	}
	msg := err.Error()
	i2, i3, i4 := strings.Index(msg, "line 2:"), strings.Index(msg, "line 3:"), strings.Index(msg, "line 4:")
	if i2 < 0 || i3 < 0 || i4 < 0 || !(i2 < i3 && i3 < i4) || strings.Contains(msg, "line 5:") {
		t.Errorf("ImportCSV error, want lines 2, 3, 4 in order and not 5:\n%s", msg)
	}
	if n, _ := r.Count(); n != 1 {
		t.Errorf("after a failed ImportCSV Count() = %d, want 1", n)
	}
	res, err := r.ImportCSV(strings.NewReader("imsi,msisdn\n001010000000004,1004\n"), registry.ImportAdd, true)
	if err != nil || res.Added != 1 {
		t.Errorf("ImportCSV(dry run) = %+v, %v", res, err)
	}
	if n, _ := r.Count(); n != 1 {
		t.Errorf("after a dry run Count() = %d, want 1", n)
	}
}

// TestDependencies keeps gsm/core/registry off firmware/, dsp/, boards/
// and periph (DESIGN.md "Package map").
func TestDependencies(t *testing.T) {
	out, err := goList(t)
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(out) {
		for _, bad := range []string{"github.com/gsmbox/gsmbox/firmware", "github.com/gsmbox/gsmbox/dsp", "github.com/gsmbox/gsmbox/boards", "periph.io/", "github.com/u-root", "github.com/BurntSushi/toml"} {
			if strings.HasPrefix(dep, bad) {
				t.Errorf("gsm/core/registry depends on %s", dep)
			}
		}
	}
}

func goList(t *testing.T) (string, error) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "github.com/gsmbox/gsmbox/gsm/core/registry")
	out, err := cmd.Output()
	return string(out), err
}
