package storage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	d := Dir{Path: t.TempDir()}
	if _, err := d.ReadFile("gsmbox.toml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want ErrNotExist", err)
	}
	for _, v := range []string{"one", "two, longer than one"} {
		if err := d.WriteFile("gsmbox.toml", []byte(v)); err != nil {
			t.Fatalf("WriteFile = %v", err)
		}
		got, err := d.ReadFile("gsmbox.toml")
		if err != nil || string(got) != v {
			t.Errorf("ReadFile = %q, %v, want %q", got, err, v)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(d.Path, "*.tmp")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
	if err := d.Check(); err != nil {
		t.Errorf("Check() = %v", err)
	}
	if err := d.Remove("gsmbox.toml"); err != nil {
		t.Errorf("Remove = %v", err)
	}
	if err := d.Remove("gsmbox.toml"); err != nil {
		t.Errorf("Remove(missing) = %v, want nil", err)
	}
	for _, bad := range []string{"", "../x", "a/b", "x.tmp", ".."} {
		if err := d.WriteFile(bad, nil); !errors.Is(err, ErrName) {
			t.Errorf("WriteFile(%q) = %v, want ErrName", bad, err)
		}
	}
}

func TestCheckReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores directory permissions; use a missing directory.
		d := Dir{Path: filepath.Join(t.TempDir(), "gone")}
		if err := d.Check(); !errors.Is(err, ErrNotWritable) {
			t.Errorf("Check(missing dir) = %v, want ErrNotWritable", err)
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if err := (Dir{Path: dir}).Check(); !errors.Is(err, ErrNotWritable) {
		t.Errorf("Check(read-only) = %v, want ErrNotWritable", err)
	}
}

func TestCleanRemovesTorn(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "subscribers.csv.tmp"), []byte("torn"), 0o644)
	d := Dir{Path: dir}
	d.Clean()
	if _, err := os.Stat(filepath.Join(dir, "subscribers.csv.tmp")); !os.IsNotExist(err) {
		t.Errorf("Clean left the torn temp file: %v", err)
	}
}
