// Package storagetest is an in-memory storage.Store with failure
// injection, for tests of code that persists data.
package storagetest

import (
	"fmt"
	"io/fs"
	"sync"
)

// Mem is an in-memory Store. Set Fail to make every write and Check fail.
type Mem struct {
	mu     sync.Mutex
	files  map[string][]byte
	Fail   error
	Writes int
}

// New returns an empty store.
func New() *Mem { return &Mem{files: map[string][]byte{}} }

// ReadFile implements storage.Store.
func (m *Mem) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.files[name]
	if !ok {
		return nil, fmt.Errorf("storagetest: %s: %w", name, fs.ErrNotExist)
	}
	return append([]byte(nil), b...), nil
}

// WriteFile implements storage.Store.
func (m *Mem) WriteFile(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.Writes++
	m.files[name] = append([]byte(nil), data...)
	return nil
}

// Remove implements storage.Store.
func (m *Mem) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	delete(m.files, name)
	return nil
}

// Check implements storage.Store.
func (m *Mem) Check() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.Fail
}

// SetFail sets or clears the injected failure.
func (m *Mem) SetFail(err error) {
	m.mu.Lock()
	m.Fail = err
	m.mu.Unlock()
}
