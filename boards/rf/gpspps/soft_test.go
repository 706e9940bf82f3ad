package gpspps

import (
	"errors"
	"testing"
)

// The stream's reaper calls StreamArrival for every RX transfer: it must
// not allocate. CounterAt runs once a second.
func BenchmarkFitObserve(b *testing.B) {
	f := NewFit(30.72e6, nil)
	b.ReportAllocs()
	var t int64
	for i := 0; b.Loop(); i++ {
		t += 3_766_000
		f.Observe(t, uint64(i+1)*4080, 1083333.33)
	}
}

func BenchmarkFitCounterAt(b *testing.B) {
	f := NewFit(30.72e6, nil)
	var t int64
	for i := range fitRing {
		t += 3_766_000 + int64(i%7)*10_000
		f.Observe(t, uint64(i+1)*4080, 1083333.33)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.CounterAt(t - 1_000_000); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFitRestart(t *testing.T) {
	f := NewFit(1e6, nil)
	for i := range 600 {
		f.Observe(int64(i)*4_000_000, uint64(i+1)*4000, 1e6)
	}
	if _, err := f.CounterAt(599 * 4_000_000); err != nil {
		t.Fatal(err)
	}
	// The stream restarted: the counter went back; the old arrivals are
	// gone and the fit has too little to answer.
	f.Observe(600*4_000_000, 4000, 1e6)
	if _, err := f.CounterAt(600 * 4_000_000); !errors.Is(err, ErrNoFit) {
		t.Errorf("CounterAt after a restart = %v, want ErrNoFit", err)
	}
	f.Reset()
	if _, err := f.CounterAt(0); !errors.Is(err, ErrNoFit) {
		t.Errorf("CounterAt after Reset = %v, want ErrNoFit", err)
	}
}
