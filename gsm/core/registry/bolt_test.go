package registry_test

import (
	"path/filepath"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
)

func openTemp(t testing.TB) *registry.DB {
	t.Helper()
	db, err := registry.Open(filepath.Join(t.TempDir(), "sub", "subscribers.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestBoltStore(t *testing.T) {
	registrytest.StoreSuite(t, func(t *testing.T) registry.Store { return openTemp(t) })
}

func openTempGroup(t testing.TB) *registry.DB {
	t.Helper()
	db, err := registry.OpenGroupCommit(filepath.Join(t.TempDir(), "subscribers.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestBoltStoreGroupCommit(t *testing.T) {
	registrytest.StoreSuite(t, func(t *testing.T) registry.Store { return openTempGroup(t) })
}
