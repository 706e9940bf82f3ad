package lime_test

import (
	"math"
	"sync"
	"testing"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

type arrivals struct {
	mu    sync.Mutex
	c     []uint64
	rates []float64
}

func (a *arrivals) StreamArrival(c uint64, rate float64) {
	a.mu.Lock()
	a.c = append(a.c, c)
	a.rates = append(a.rates, rate)
	a.mu.Unlock()
}

// The stream tells its Arrivals observer (the software PPS latch) the
// counter just past every RX transfer, in order, with its rate: with
// two packets a transfer, a step of two packets' samples each time.
func TestStreamArrivals(t *testing.T) {
	a := &arrivals{}
	r := newRig(t, limetest.Config{}, lime.StreamConfig{PacketsPerTransfer: 2, Arrivals: a})
	spp := uint64(lime.Format16.SamplesPerPacket())
	buf := make([]complex64, 20*spp)
	r.p.Allow(radio.Timestamp(len(buf)) + radio.Timestamp(4*spp))
	if _, _, err := r.s.Read(buf, 0); err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.c) < 10 {
		t.Fatalf("%d arrivals for 20 packets, want ≥ 10", len(a.c))
	}
	for i, c := range a.c {
		if c != uint64(i+1)*2*spp || math.Abs(a.rates[i]-radio.SampleRate4) > 1e-6 {
			t.Fatalf("arrival %d: counter %d at rate %g, want %d at %g", i, c, a.rates[i], uint64(i+1)*2*spp, radio.SampleRate4)
		}
	}
}
