package registry_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
)

// bbolt's meta page layout (go.etcd.io/bbolt internal/common): a 16-octet
// page header, then magic, version, page size, flags (4 octets each), the
// root bucket (16), freelist and high-water page ids (8 each), txid (8) and
// an FNV-64a checksum (8), native byte order (little-endian here).
const (
	metaOff     = 16
	pageSizeOff = metaOff + 8
	txidOff     = metaOff + 48
)

// TestTornCommitRecord simulates a power cut in the one write that makes a
// commit current: the meta page. bbolt writes and fsyncs a transaction's
// data pages first and its meta page last, alternating between the two
// meta pages; a meta page torn by a power cut fails its checksum, and the
// next open must fall back to the other one, the previous commit. The test
// tears the newest meta page of a file after N commits and checks that the
// file opens, passes Check, and holds exactly the first N-1 commits.
func TestTornCommitRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscribers.db")
	db, err := registry.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := registry.New(registry.Config{Store: db})
	const n = 6
	for i := range n {
		if _, err := r.Add(registrytest.Sub(i)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 128)
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	ps := int64(binary.LittleEndian.Uint32(head[pageSizeOff:]))
	if ps < 512 || ps > 1<<16 {
		t.Fatalf("page size %d: not a bbolt file as expected", ps)
	}
	var txid [2]uint64
	for i := range 2 {
		b := make([]byte, 8)
		if _, err := f.ReadAt(b, int64(i)*ps+txidOff); err != nil {
			t.Fatal(err)
		}
		txid[i] = binary.LittleEndian.Uint64(b)
	}
	newest := int64(0)
	if txid[1] > txid[0] {
		newest = 1
	}
	if d := int64(txid[newest]) - int64(txid[1-newest]); d != 1 {
		t.Fatalf("meta txids %v: want consecutive", txid)
	}
	// Tear it: the second half of the meta page never reached the medium.
	if _, err := f.WriteAt(make([]byte, 40), newest*ps+txidOff-16); err != nil {
		t.Fatal(err)
	}
	f.Close()

	db, err = registry.Open(path, nil)
	if err != nil {
		t.Fatalf("Open after a torn commit record: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("Check after a torn commit record: %v", err)
	}
	r, _ = registry.New(registry.Config{Store: db})
	p, err := r.List("", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Subscribers) != n-1 {
		t.Fatalf("after a torn commit record: %d subscribers, want %d (the previous commit)", len(p.Subscribers), n-1)
	}
	for i, s := range p.Subscribers {
		if s != registrytest.Sub(i) {
			t.Errorf("subscriber %d = %+v, want %+v", i, s, registrytest.Sub(i))
		}
	}
	// And the file is writable again from there.
	if _, err := r.Add(registrytest.Sub(n - 1)); err != nil {
		t.Errorf("Add after recovery = %v", err)
	}
	if err := db.Check(); err != nil {
		t.Errorf("Check after recovery and a new commit: %v", err)
	}
}
