package registry_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
)

const benchSubscribers = 10000

// benchRegistry returns a bbolt registry (with fsync) holding 10 000
// subscribers, each with a confirmed TMSI.
func benchRegistry(b *testing.B) (*registry.Registry, []registry.Subscriber) {
	b.Helper()
	db, err := registry.Open(filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	r, _ := registry.New(registry.Config{Store: db})
	rows := make([]registry.CSVRow, benchSubscribers)
	for i := range rows {
		rows[i] = registry.CSVRow{Line: i + 2, Subscriber: registrytest.Sub(i)}
		rows[i].Subscriber.MSISDN = fmt.Sprint(100000 + i)
		rows[i].Subscriber.TMSI = registry.TMSI(0x1000 + i)
	}
	if _, err := r.Import(rows, registry.ImportAdd); err != nil {
		b.Fatal(err)
	}
	subs := make([]registry.Subscriber, len(rows))
	for i := range rows {
		subs[i] = rows[i].Subscriber
	}
	return r, subs
}

func BenchmarkGetIMSI(b *testing.B) {
	r, subs := benchRegistry(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := r.Get(subs[i%len(subs)].IMSI); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

func BenchmarkByTMSI(b *testing.B) {
	r, subs := benchRegistry(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := r.ByTMSI(subs[i%len(subs)].TMSI); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

func BenchmarkDecideKnown(b *testing.B) {
	r, subs := benchRegistry(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if d, err := r.Decide(subs[i%len(subs)].IMSI); err != nil || !d.Accept {
			b.Fatal(d, err)
		}
		i += 7919
	}
}

// BenchmarkUpdateLocation is one LU commit: record, TMSI index, fsync.
// It is dominated by the fsync, so it measures the disk.
func BenchmarkUpdateLocation(b *testing.B) {
	r, subs := benchRegistry(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := r.UpdateLocation(subs[i%len(subs)].IMSI, lai, true); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

// BenchmarkUpdateLocationNoSync is the same commit without the fsync: the
// CPU cost of the transaction.
func BenchmarkUpdateLocationNoSync(b *testing.B) {
	db, err := registry.OpenNoSync(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r, _ := registry.New(registry.Config{Store: db})
	for n := range 1000 {
		if _, err := r.Add(registrytest.Sub(n)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := r.UpdateLocation(registrytest.Sub(i%1000).IMSI, lai, true); err != nil {
			b.Fatal(err)
		}
		i += 7
	}
}

func BenchmarkMemoryByTMSI(b *testing.B) {
	r, _ := registrytest.NewRegistry(b, registry.Policy{})
	s := registrytest.Sub(1)
	s.TMSI = 0x1234
	if _, err := r.Add(s); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ByTMSI(0x1234); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordUnmarshal(b *testing.B) {
	s := registrytest.Sub(1)
	buf, _ := s.MarshalBinary()
	b.ReportAllocs()
	var out registry.Subscriber
	for b.Loop() {
		if err := out.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordAppend(b *testing.B) {
	s := registrytest.Sub(1)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConcurrentUpdateLocation runs location updates from 16
// goroutines (a storm of phones; ns/op is wall time per update), with one fsync per commit and with
// GroupCommit sharing commits.
func BenchmarkConcurrentUpdateLocation(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(string) (*registry.DB, error)
	}{
		{"PerCommitFsync", func(p string) (*registry.DB, error) { return registry.Open(p, nil) }},
		{"GroupCommit", registry.OpenGroupCommit},
	} {
		b.Run(tc.name, func(b *testing.B) {
			db, err := tc.open(filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			r, _ := registry.New(registry.Config{Store: db})
			for n := range 256 {
				if _, err := r.Add(registrytest.Sub(n)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			var next atomic.Int64
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					for {
						n := int(next.Add(1))
						if n > b.N {
							return
						}
						if _, err := r.UpdateLocation(registrytest.Sub(n%256).IMSI, lai, true); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
