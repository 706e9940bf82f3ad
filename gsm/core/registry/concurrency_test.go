package registry_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
)

// TestConcurrentUse drives one registry from many goroutines, as the
// core's per-channel procedures do: registrations that auto-provision,
// location updates with TMSI reallocation, lookups, and authentications
// that all advance one subscriber's SQN. Run with -race. Afterwards no
// SQN was handed out twice, no MSISDN or TMSI is shared, and the indexes
// agree with the records.
func TestConcurrentUse(t *testing.T) {
	const workers, rounds = 8, 12
	stores(t, func(t *testing.T, st registry.Store) {
		p := registry.Policy{Mode: registry.ModeOpen, MSISDNRange: registry.Range{First: "5000", Last: "5999"}}
		r, _ := newReg(t, st, p)
		shared := registrytest.Sub(0)
		if _, err := r.Add(shared); err != nil {
			t.Fatal(err)
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			sqns = map[uint64]bool{}
			errs = make(chan error, workers*rounds*4)
		)
		for w := range workers {
			wg.Go(func() {
				for i := range rounds {
					imsi := fmt.Sprintf("00102%04d%06d", w, i)
					d, err := r.Decide(imsi)
					if err != nil || !d.Accept {
						errs <- fmt.Errorf("Decide(%s) = %v, %v", imsi, d, err)
						continue
					}
					s, err := r.UpdateLocation(imsi, lai, true)
					if err != nil {
						errs <- err
						continue
					}
					if got, err := r.ByTMSI(s.NewTMSI); err != nil || got.IMSI != imsi {
						errs <- fmt.Errorf("ByTMSI(%v) = %s, %v, want %s", s.NewTMSI, got.IMSI, err, imsi)
					}
					if _, err := r.ConfirmTMSI(imsi); err != nil {
						errs <- err
					}
					q, err := r.NextSQN(shared.IMSI)
					if err != nil {
						errs <- err
						continue
					}
					mu.Lock()
					if sqns[q] {
						errs <- fmt.Errorf("SQN %d handed out twice", q)
					}
					sqns[q] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		got, err := r.Get(shared.IMSI)
		if err != nil || got.SQN != uint64(workers*rounds)<<registry.SQNIndBits {
			t.Errorf("final SQN = %d, %v, want %d", got.SQN, err, uint64(workers*rounds)<<registry.SQNIndBits)
		}
		pg, err := r.List("", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Subscribers) != workers*rounds+1 {
			t.Errorf("subscribers = %d, want %d", len(pg.Subscribers), workers*rounds+1)
		}
		msisdns, tmsis := map[string]bool{}, map[registry.TMSI]bool{}
		for _, s := range pg.Subscribers {
			if msisdns[s.MSISDN] || (s.TMSI != registry.NoTMSI && tmsis[s.TMSI]) {
				t.Errorf("IMSI %s shares MSISDN %s or TMSI %v", s.IMSI, s.MSISDN, s.TMSI)
			}
			msisdns[s.MSISDN], tmsis[s.TMSI] = true, true
		}
		if c, ok := st.(registry.Checker); ok {
			if err := c.Check(); err != nil {
				t.Errorf("Check() = %v", err)
			}
		}
	})
}

// TestConcurrentReadersAndWriter runs lookups against a writer that keeps
// reallocating TMSIs (bbolt without fsync): a TMSI found always leads to
// the subscriber that holds it, never to another.
func TestConcurrentReadersAndWriter(t *testing.T) {
	db, err := registry.OpenNoSync(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, _ := registry.New(registry.Config{Store: db})
	for n := range 50 {
		if _, err := r.Add(registrytest.Sub(n)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for n := 0; ; n = (n + 1) % 50 {
				select {
				case <-stop:
					return
				default:
				}
				s, err := r.Get(registrytest.Sub(n).IMSI)
				if err != nil {
					t.Errorf("Get = %v", err)
					return
				}
				if s.NewTMSI != registry.NoTMSI {
					// It may have been replaced since: not found is fine,
					// a different subscriber is not.
					if got, err := r.ByTMSI(s.NewTMSI); err == nil && got.IMSI != s.IMSI {
						t.Errorf("ByTMSI(%v) = %s, want %s", s.NewTMSI, got.IMSI, s.IMSI)
						return
					}
				}
			}
		})
	}
	for i := range 200 {
		if _, err := r.UpdateLocation(registrytest.Sub(i%50).IMSI, lai, true); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if err := db.Check(); err != nil {
		t.Errorf("Check() = %v", err)
	}
}
