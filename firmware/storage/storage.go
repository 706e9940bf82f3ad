package storage

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Store holds small named files durably.
type Store interface {
	// ReadFile returns the file's content; a missing file gives an error
	// satisfying errors.Is(err, fs.ErrNotExist).
	ReadFile(name string) ([]byte, error)
	// WriteFile replaces the file atomically and durably: after it
	// returns nil the new content survives a power cut, and a power cut
	// during it leaves the old content.
	WriteFile(name string, data []byte) error
	// Remove deletes the file; removing a missing file is not an error.
	Remove(name string) error
	// Check proves the store is writable now (write, sync, read back,
	// remove a probe file). The watchdog feeder calls it periodically.
	Check() error
}

// Dir is a Store in a directory (the mounted data partition).
type Dir struct {
	Path string
}

func (d Dir) path(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.HasSuffix(name, ".tmp") {
		return "", fmt.Errorf("%w: %q", ErrName, name)
	}
	return filepath.Join(d.Path, name), nil
}

// ReadFile implements Store.
func (d Dir) ReadFile(name string) ([]byte, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// WriteFile implements Store: temp file, fsync, rename, fsync directory.
func (d Dir) WriteFile(name string, data []byte) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	return WriteFileAtomic(p, data)
}

// WriteFileAtomic writes data to path crash-safely. It is also used for the
// report on a USB stick.
func WriteFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("storage: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("storage: fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: close %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: rename %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer f.Close()
	// Some file systems refuse fsync on a directory (EINVAL); the rename
	// is then as durable as they can make it.
	if err := f.Sync(); err != nil && !isEINVAL(err) {
		return fmt.Errorf("storage: fsync dir %s: %w", dir, err)
	}
	return nil
}

// Remove implements Store.
func (d Dir) Remove(name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("storage: %w", err)
	}
	return syncDir(d.Path)
}

const probeName = ".gsmbox-probe"

// Check implements Store.
func (d Dir) Check() error {
	want := []byte("gsmbox storage probe\n")
	p := filepath.Join(d.Path, probeName)
	if err := WriteFileAtomic(p, want); err != nil {
		return fmt.Errorf("%w: %w", ErrNotWritable, err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, want) {
		return fmt.Errorf("%w: probe read back %q, %v", ErrNotWritable, got, err)
	}
	return nil
}

// Clean removes temporary files a power cut left behind.
func (d Dir) Clean() error {
	m, err := filepath.Glob(filepath.Join(d.Path, "*.tmp"))
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	for _, p := range m {
		os.Remove(p)
	}
	return nil
}
