package registrytest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// errReadOnly is returned by writes in a View.
var errReadOnly = errors.New("registrytest: write in a read-only transaction")

// Store is an in-memory registry.Store. Records are kept in their stored
// binary form, so the codec is exercised as with the real store.
type Store struct {
	mu     sync.RWMutex
	subs   map[string][]byte
	tmsi   map[registry.TMSI]string
	msisdn map[string]string
	meta   map[string][]byte
	closed bool
}

var _ registry.Store = (*Store)(nil)
var _ registry.Checker = (*Store)(nil)

// NewStore returns an empty in-memory store.
func NewStore() *Store {
	return &Store{subs: map[string][]byte{}, tmsi: map[registry.TMSI]string{},
		msisdn: map[string]string{}, meta: map[string][]byte{}}
}

// View runs fn under the read lock.
func (s *Store) View(fn func(registry.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errors.New("registrytest: store closed")
	}
	return fn(&tx{s: s})
}

// Update runs fn under the write lock and undoes its changes if it fails.
func (s *Store) Update(fn func(registry.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("registrytest: store closed")
	}
	t := &tx{s: s, writable: true}
	if err := fn(t); err != nil {
		for i := len(t.undo) - 1; i >= 0; i-- {
			t.undo[i]()
		}
		return err
	}
	return nil
}

// Close marks the store closed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// Check cross-checks records and indexes.
func (s *Store) Check() error {
	return s.View(func(t registry.Tx) error {
		errs := []error{registry.CheckTx(t)}
		for k, imsi := range s.tmsi {
			if r, err := t.Get(imsi); err != nil || (r.TMSI != k && r.NewTMSI != k) {
				errs = append(errs, fmt.Errorf("%w: TMSI %v points to IMSI %s, which does not hold it", registry.ErrCorrupt, k, imsi))
			}
		}
		for k, imsi := range s.msisdn {
			if r, err := t.Get(imsi); err != nil || r.MSISDN != k {
				errs = append(errs, fmt.Errorf("%w: MSISDN %s points to IMSI %s, which does not hold it", registry.ErrCorrupt, k, imsi))
			}
		}
		return errors.Join(errs...)
	})
}

type tx struct {
	s        *Store
	writable bool
	undo     []func()
}

// set records how to undo a map write, then does it.
func set[K comparable, V any](t *tx, m map[K]V, k K, v V, del bool) {
	old, had := m[k]
	t.undo = append(t.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
	if del {
		delete(m, k)
	} else {
		m[k] = v
	}
}

func (t *tx) Get(imsi string) (registry.Subscriber, error) {
	b, ok := t.s.subs[imsi]
	if !ok {
		return registry.Subscriber{}, fmt.Errorf("%w: IMSI %s", registry.ErrNotFound, imsi)
	}
	var r registry.Subscriber
	if err := r.UnmarshalBinary(b); err != nil {
		return registry.Subscriber{}, fmt.Errorf("IMSI %s: %w", imsi, err)
	}
	return r, nil
}

func (t *tx) IMSIByTMSI(x registry.TMSI) (string, error) {
	if v, ok := t.s.tmsi[x]; ok {
		return v, nil
	}
	return "", fmt.Errorf("%w: TMSI %v", registry.ErrNotFound, x)
}

func (t *tx) IMSIByMSISDN(m string) (string, error) {
	if v, ok := t.s.msisdn[m]; ok {
		return v, nil
	}
	return "", fmt.Errorf("%w: MSISDN %s", registry.ErrNotFound, m)
}

func (t *tx) Put(r *registry.Subscriber) error {
	if !t.writable {
		return errReadOnly
	}
	rec, err := r.MarshalBinary()
	if err != nil {
		return err
	}
	if r.MSISDN != "" {
		if v, ok := t.s.msisdn[r.MSISDN]; ok && v != r.IMSI {
			return fmt.Errorf("%w: MSISDN %s belongs to IMSI %s", registry.ErrMSISDNInUse, r.MSISDN, v)
		}
	}
	for _, x := range [2]registry.TMSI{r.TMSI, r.NewTMSI} {
		if v, ok := t.s.tmsi[x]; x != registry.NoTMSI && ok && v != r.IMSI {
			return fmt.Errorf("%w: TMSI %v belongs to IMSI %s", registry.ErrTMSIInUse, x, v)
		}
	}
	if old, err := t.Get(r.IMSI); err == nil {
		t.unindex(&old, r)
	}
	if r.MSISDN != "" {
		set(t, t.s.msisdn, r.MSISDN, r.IMSI, false)
	}
	for _, x := range [2]registry.TMSI{r.TMSI, r.NewTMSI} {
		if x != registry.NoTMSI {
			set(t, t.s.tmsi, x, r.IMSI, false)
		}
	}
	set(t, t.s.subs, r.IMSI, rec, false)
	return nil
}

func (t *tx) unindex(old, next *registry.Subscriber) {
	if old.MSISDN != "" && (next == nil || next.MSISDN != old.MSISDN) {
		set(t, t.s.msisdn, old.MSISDN, "", true)
	}
	for _, x := range [2]registry.TMSI{old.TMSI, old.NewTMSI} {
		if x == registry.NoTMSI || (next != nil && (x == next.TMSI || x == next.NewTMSI)) {
			continue
		}
		set(t, t.s.tmsi, x, "", true)
	}
}

func (t *tx) Delete(imsi string) error {
	if !t.writable {
		return errReadOnly
	}
	old, err := t.Get(imsi)
	if errors.Is(err, registry.ErrNotFound) {
		return err
	}
	if err == nil {
		t.unindex(&old, nil)
	}
	set(t, t.s.subs, imsi, nil, true)
	return nil
}

func (t *tx) Ascend(from string, fn func(*registry.Subscriber) (bool, error)) error {
	keys := make([]string, 0, len(t.s.subs))
	for k := range t.s.subs {
		if k >= from {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		r, err := t.Get(k)
		if err != nil {
			return err
		}
		more, err := fn(&r)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (t *tx) Len() (int, error) { return len(t.s.subs), nil }

func (t *tx) Meta(key string) ([]byte, error) { return bytes.Clone(t.s.meta[key]), nil }

func (t *tx) SetMeta(key string, v []byte) error {
	if !t.writable {
		return errReadOnly
	}
	set(t, t.s.meta, key, bytes.Clone(v), false)
	return nil
}

// Clock is a settable clock for registry.Config.Now; safe for concurrent
// use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Epoch is the time NewRegistry's clock starts at.
var Epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// NewRegistry returns a Registry over a new in-memory Store with policy p
// and a Clock at Epoch, for callers' tests. It fails the test on an invalid
// policy.
func NewRegistry(tb testing.TB, p registry.Policy) (*registry.Registry, *Clock) {
	tb.Helper()
	c := NewClock(Epoch)
	r, err := registry.New(registry.Config{Store: NewStore(), Policy: p, Now: c.Now})
	if err != nil {
		tb.Fatalf("registry.New: %v", err)
	}
	return r, c
}
