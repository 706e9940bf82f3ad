package registry

import (
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Config builds a Registry.
type Config struct {
	Store  Store            // required: Open(path) or registrytest.NewStore()
	Policy Policy           // registration policy; the zero value is closed
	Now    func() time.Time // clock for LastSeen/Created; nil: time.Now
	Rand   io.Reader        // TMSI source; nil: crypto/rand
	Log    *slog.Logger     // nil: discard
}

// Registry is the subscriber registry: the operations the core and the
// operator's command need, each one Store transaction, so every change is
// atomic and (with the bbolt Store) durable when the call returns. It is
// safe for concurrent use.
type Registry struct {
	store  Store
	policy Policy
	now    func() time.Time
	log    *slog.Logger

	randMu sync.Mutex // guards rand and buf
	rand   io.Reader
	buf    [4]byte
}

// New returns a Registry over cfg.Store. It fails on an invalid policy.
func New(cfg Config) (*Registry, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: no store", ErrInvalid)
	}
	if err := cfg.Policy.Validate(); err != nil {
		return nil, err
	}
	r := &Registry{store: cfg.Store, policy: cfg.Policy, now: cfg.Now, rand: cfg.Rand, log: cfg.Log}
	if r.now == nil {
		r.now = time.Now
	}
	if r.rand == nil {
		r.rand = crand.Reader
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// Store returns the underlying store (for Check and Backup).
func (r *Registry) Store() Store { return r.store }

// Policy returns the registration policy.
func (r *Registry) Policy() Policy { return r.policy }

// Get returns the subscriber with the IMSI, or ErrNotFound.
func (r *Registry) Get(imsi string) (Subscriber, error) {
	var s Subscriber
	err := r.store.View(func(tx Tx) error {
		var err error
		s, err = tx.Get(imsi)
		return err
	})
	return s, err
}

// ByTMSI returns the subscriber that holds the TMSI (as its TMSI or as the
// new one not yet confirmed), or ErrNotFound.
func (r *Registry) ByTMSI(t TMSI) (Subscriber, error) {
	var s Subscriber
	err := r.store.View(func(tx Tx) error {
		imsi, err := tx.IMSIByTMSI(t)
		if err != nil {
			return err
		}
		if s, err = tx.Get(imsi); err != nil {
			return err
		}
		if s.TMSI != t && s.NewTMSI != t { // a stale entry: Check reports it
			return fmt.Errorf("%w: TMSI %v (stale index entry for IMSI %s)", ErrNotFound, t, imsi)
		}
		return nil
	})
	return s, err
}

// ByMSISDN returns the subscriber with the MSISDN, or ErrNotFound.
func (r *Registry) ByMSISDN(msisdn string) (Subscriber, error) {
	var s Subscriber
	err := r.store.View(func(tx Tx) error {
		imsi, err := tx.IMSIByMSISDN(msisdn)
		if err != nil {
			return err
		}
		if s, err = tx.Get(imsi); err != nil {
			return err
		}
		if s.MSISDN != msisdn {
			return fmt.Errorf("%w: MSISDN %s (stale index entry for IMSI %s)", ErrNotFound, msisdn, imsi)
		}
		return nil
	})
	return s, err
}

// Page is one page of List.
type Page struct {
	Subscribers []Subscriber
	Next        string // pass as after for the next page; "" after the last
	Total       int    // records in the registry
}

// List returns up to limit subscribers in IMSI order, starting after the
// IMSI after ("" for the start). limit <= 0 means all.
func (r *Registry) List(after string, limit int) (Page, error) {
	var p Page
	err := r.store.View(func(tx Tx) error {
		var err error
		if p.Total, err = tx.Len(); err != nil {
			return err
		}
		return tx.Ascend(after, func(s *Subscriber) (bool, error) {
			if s.IMSI == after {
				return true, nil
			}
			if limit > 0 && len(p.Subscribers) == limit {
				p.Next = p.Subscribers[limit-1].IMSI
				return false, nil
			}
			p.Subscribers = append(p.Subscribers, *s)
			return true, nil
		})
	})
	return p, err
}

// Add provisions a new subscriber. It returns ErrExists for a known IMSI,
// ErrMSISDNInUse, or a validation error. Created is set from the clock
// when zero.
func (r *Registry) Add(s Subscriber) (Subscriber, error) {
	if s.Created.IsZero() {
		s.Created = r.now().UTC()
	}
	if err := s.validateInput(); err != nil {
		return Subscriber{}, err
	}
	err := r.store.Update(func(tx Tx) error {
		if _, err := tx.Get(s.IMSI); err == nil {
			return fmt.Errorf("%w: IMSI %s", ErrExists, s.IMSI)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		return tx.Put(&s)
	})
	if err != nil {
		return Subscriber{}, err
	}
	r.log.Info("subscriber added", "imsi", s.IMSI, "msisdn", s.MSISDN, "algorithm", s.Algorithm)
	return s, nil
}

// Update applies fn to the stored record and stores the result, atomically
// (no other change to the record can come in between). fn must not change
// the IMSI; if it returns an error nothing changes. fn runs while the
// store holds its write lock: keep it short and never call the Registry
// from it. It may run more than once (Options.GroupCommit), so it must
// only change *s.
func (r *Registry) Update(imsi string, fn func(s *Subscriber) error) (Subscriber, error) {
	return r.update(imsi, fn, false)
}

// update is Update that can also allocate a fresh NewTMSI in the same
// transaction.
func (r *Registry) update(imsi string, fn func(s *Subscriber) error, allocTMSI bool) (Subscriber, error) {
	var s Subscriber
	err := r.store.Update(func(tx Tx) error {
		var err error
		if s, err = tx.Get(imsi); err != nil {
			return err
		}
		name := s.Name
		if err := fn(&s); err != nil {
			return err
		}
		if s.Name != name {
			if err := CheckText(s.Name); err != nil {
				return fieldErr("name", "%v", err)
			}
		}
		if s.IMSI != imsi {
			return fmt.Errorf("%w: Update cannot change the IMSI (%s to %s)", ErrInvalid, imsi, s.IMSI)
		}
		if allocTMSI {
			if s.NewTMSI, err = r.freshTMSI(tx, s.TMSI); err != nil {
				return err
			}
		}
		return tx.Put(&s)
	})
	if err != nil {
		return Subscriber{}, err
	}
	return s, nil
}

// Remove deletes the subscriber and frees its MSISDN and TMSIs.
func (r *Registry) Remove(imsi string) error {
	if err := r.store.Update(func(tx Tx) error { return tx.Delete(imsi) }); err != nil {
		return err
	}
	r.log.Info("subscriber removed", "imsi", imsi)
	return nil
}

// Count returns the number of subscribers.
func (r *Registry) Count() (int, error) {
	var n int
	err := r.store.View(func(tx Tx) error {
		var err error
		n, err = tx.Len()
		return err
	})
	return n, err
}

// UpdateLocation records a successful location update (TS 24.008 §4.4.4.6)
// in one commit: the LAI, attached, last seen now, and, when allocTMSI, a
// fresh TMSI in NewTMSI for the Location Updating Accept. Until
// ConfirmTMSI, both the old and the new TMSI find the subscriber, as TS
// 24.008 §4.3.1.4 requires. A NewTMSI still pending from an earlier
// procedure is replaced.
func (r *Registry) UpdateLocation(imsi string, lai LAI, allocTMSI bool) (Subscriber, error) {
	now := r.now().UTC()
	return r.update(imsi, func(s *Subscriber) error {
		s.LAI = lai
		s.Attached = true
		s.LastSeen = now
		return nil
	}, allocTMSI)
}

// AllocateTMSI gives the subscriber a fresh NewTMSI (TMSI reallocation,
// TS 24.008 §4.3.1) without touching the location.
func (r *Registry) AllocateTMSI(imsi string) (Subscriber, error) {
	return r.update(imsi, func(*Subscriber) error { return nil }, true)
}

// ConfirmTMSI makes NewTMSI the subscriber's TMSI and frees the old one,
// on TMSI Reallocation Complete (TS 24.008 §4.3.1.4, or the LU's). With no
// NewTMSI pending it changes nothing.
func (r *Registry) ConfirmTMSI(imsi string) (Subscriber, error) {
	return r.Update(imsi, func(s *Subscriber) error {
		if s.NewTMSI != NoTMSI {
			s.TMSI, s.NewTMSI = s.NewTMSI, NoTMSI
		}
		return nil
	})
}

// Detach records an IMSI detach indication (TS 24.008 §4.3.4): not
// attached, last seen now. The TMSI is kept (the MS keeps it too).
func (r *Registry) Detach(imsi string) (Subscriber, error) {
	now := r.now().UTC()
	return r.Update(imsi, func(s *Subscriber) error {
		s.Attached = false
		s.LastSeen = now
		return nil
	})
}

// SetIMEI records the IMEI an Identity Response carried.
func (r *Registry) SetIMEI(imsi string, m IMEI) (Subscriber, error) {
	return r.Update(imsi, func(s *Subscriber) error { s.IMEI = m; return nil })
}

// SQNIndBits is the length of IND, the low part of the Milenage SQN (TS
// 33.102 Annex C.3.2 suggests 5). The registry increments SEQ, the high
// part, and leaves IND 0.
const SQNIndBits = 5

// NextSQN advances the subscriber's Milenage SQN for one authentication
// and returns it, committed before it is used (so an SQN is never reused,
// even across a power cut). SEQ is incremented (TS 33.102 Annex C.1.1).
func (r *Registry) NextSQN(imsi string) (uint64, error) {
	s, err := r.Update(imsi, func(s *Subscriber) error {
		seq := s.SQN>>SQNIndBits + 1
		if seq > MaxSQN>>SQNIndBits {
			return fmt.Errorf("%w: SQN of IMSI %s would wrap", ErrExhausted, imsi)
		}
		s.SQN = seq << SQNIndBits
		return nil
	})
	return s.SQN, err
}

// ResyncSQN stores the SQN a USIM reported in a synchronisation failure
// (AUTS, TS 33.102 §6.3.5) so that the next NextSQN is above it.
func (r *Registry) ResyncSQN(imsi string, sqnMS uint64) error {
	if sqnMS > MaxSQN {
		return fieldErr("sqn", "more than 48 bits")
	}
	_, err := r.Update(imsi, func(s *Subscriber) error {
		s.SQN = sqnMS
		return nil
	})
	return err
}

// maxTMSITries bounds the search for a free TMSI. With 3·2^30 values and
// even a million subscribers a random pick collides with probability
// below 1e-3, so 64 tries failing means a broken random source.
const maxTMSITries = 64

// freshTMSI draws TMSIs until one is valid and free in tx.
func (r *Registry) freshTMSI(tx Tx, avoid TMSI) (TMSI, error) {
	for range maxTMSITries {
		r.randMu.Lock()
		_, err := io.ReadFull(r.rand, r.buf[:])
		t := TMSI(binary.BigEndian.Uint32(r.buf[:]))
		r.randMu.Unlock()
		if err != nil {
			return NoTMSI, fmt.Errorf("registry: TMSI random source: %w", err)
		}
		if !t.Valid() || t == avoid {
			continue
		}
		if _, err := tx.IMSIByTMSI(t); errors.Is(err, ErrNotFound) {
			return t, nil
		} else if err != nil {
			return NoTMSI, err
		}
	}
	return NoTMSI, fmt.Errorf("%w: no free TMSI in %d tries", ErrExhausted, maxTMSITries)
}
