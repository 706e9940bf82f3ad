package smsc

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketMessages = []byte("messages") // 8-octet big-endian ID → Record (JSON)
	bucketMeta     = []byte("meta")
	keyNextID      = []byte("next-id")
)

// Options tune Open.
type Options struct {
	// Timeout bounds the wait for another process's lock on the file;
	// zero means 2 s.
	Timeout time.Duration
	// ReadOnly opens for reading only.
	ReadOnly bool
}

// Stats counts the store's durable work.
type Stats struct {
	Writes  uint64 // transactions committed (each one fsync)
	Records uint64 // records written
	WriteNs uint64 // time spent in them
}

// Store is the queue's file. Its methods are safe for concurrent use, but
// the core calls them from one worker goroutine; each write is durable
// (fsync) when it returns.
type Store struct {
	db *bolt.DB
	mu sync.Mutex
	st Stats
}

// Open opens (creating if needed) the store at path.
func Open(path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("smsc: open %s: %w", path, err)
	}
	if !o.ReadOnly {
		err = db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bucketMessages, bucketMeta} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("smsc: %s: %w", path, err)
		}
	}
	return &Store{db: db}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the file's path.
func (s *Store) Path() string { return s.db.Path() }

// Stats returns the counters.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

func key(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// Load returns every record in ID order, and the next free ID. A record
// that does not decode is skipped and counted in bad (the rest of the
// queue must still go out).
func (s *Store) Load() (recs []Record, next uint64, bad int, err error) {
	next = 1
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMessages)
		if b == nil {
			return nil
		}
		if m := tx.Bucket(bucketMeta); m != nil {
			if v := m.Get(keyNextID); len(v) == 8 {
				next = max(next, binary.BigEndian.Uint64(v))
			}
		}
		return b.ForEach(func(k, v []byte) error {
			r, err := decode(v)
			if err != nil || len(k) != 8 || r.ID != binary.BigEndian.Uint64(k) {
				bad++
				return nil
			}
			recs = append(recs, r)
			next = max(next, r.ID+1)
			return nil
		})
	})
	return recs, next, bad, err
}

// Get returns one record.
func (s *Store) Get(id uint64) (Record, error) {
	var r Record
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMessages)
		if b == nil {
			return ErrNotFound
		}
		v := b.Get(key(id))
		if v == nil {
			return ErrNotFound
		}
		var err error
		r, err = decode(v)
		return err
	})
	return r, err
}

// Put writes records in one durable transaction (one fsync). A record with
// ID 0 gets the next free ID, written back into recs.
func (s *Store) Put(recs ...Record) error {
	start := time.Now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, m := tx.Bucket(bucketMessages), tx.Bucket(bucketMeta)
		if b == nil || m == nil {
			return fmt.Errorf("smsc: read-only or damaged store")
		}
		next := uint64(1)
		if v := m.Get(keyNextID); len(v) == 8 {
			next = binary.BigEndian.Uint64(v)
		}
		for i := range recs {
			if recs[i].ID == 0 {
				recs[i].ID = next
			}
			next = max(next, recs[i].ID+1)
			v, err := recs[i].encode()
			if err != nil {
				return err
			}
			if err := b.Put(key(recs[i].ID), v); err != nil {
				return err
			}
		}
		return m.Put(keyNextID, binary.BigEndian.AppendUint64(nil, next))
	})
	s.mu.Lock()
	s.st.Writes++
	s.st.Records += uint64(len(recs))
	s.st.WriteNs += uint64(time.Since(start))
	s.mu.Unlock()
	return err
}

// Update changes one record under the store's lock, durably.
func (s *Store) Update(id uint64, fn func(r *Record) error) (Record, error) {
	var out Record
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMessages)
		if b == nil {
			return ErrNotFound
		}
		v := b.Get(key(id))
		if v == nil {
			return ErrNotFound
		}
		r, err := decode(v)
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		r.ID = id
		nv, err := r.encode()
		if err != nil {
			return err
		}
		out = r
		return b.Put(key(id), nv)
	})
	return out, err
}

// Prune deletes final records that became final before t, and returns how
// many.
func (s *Store) Prune(before time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMessages)
		if b == nil {
			return nil
		}
		var del [][]byte
		err := b.ForEach(func(k, v []byte) error {
			r, err := decode(v)
			if err == nil && r.State.Final() && r.Done.Before(before) {
				del = append(del, slices.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range del {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(del)
		return nil
	})
	return n, err
}
