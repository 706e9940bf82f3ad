package trx

import (
	"context"
	"errors"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The carrier counts frames from 0, reads the uplink ULLag frames behind
// (nothing for the first frames), asks the plan for the frame it
// demodulates, and reports a closed stream as phy.ErrClosed.
func TestStreamCarrier(t *testing.T) {
	air, err := sim.New(sim.Config{SampleRate: radio.SampleRate4, Block: 5000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer air.Close()
	ep := air.Endpoint("bts")
	ep.SetNoise(1e-3)
	c, err := NewStreamCarrier(ep, TransceiverConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var asked []tdma.FN
	plan := phy.PlanFunc(func(fn tdma.FN, p *phy.Plan) {
		asked = append(asked, fn)
		*p = phy.Plan{}
		p.Slots[0] = phy.RxAccess
	})
	emitted := 0
	var bursts [tdma.Slots]tdma.TxBurst
	for want := tdma.FN(0); want < 6; want++ {
		fn, err := c.Next(context.Background())
		if err != nil || fn != want {
			t.Fatalf("Next() = %d, %v, want %d", fn, err, want)
		}
		if err := c.Transmit(fn, &bursts); err != nil {
			t.Fatal(err)
		}
		if err := c.Receive(plan, func(*tdma.RxBurst) { emitted++ }); err != nil {
			t.Fatal(err)
		}
	}
	// Uplink frames 0..3 are read after downlink frames 2..5; frames 0..2
	// are demodulated (each once the frame after it is in).
	if len(asked) != 3 || asked[0] != 0 || asked[2] != 2 || emitted != 3 {
		t.Errorf("plan asked for %v, %d bursts emitted; want frames 0, 1, 2 and 3 bursts", asked, emitted)
	}
	ep.Close()
	fn, _ := c.Next(context.Background())
	if err := c.Transmit(fn, &bursts); !errors.Is(err, phy.ErrClosed) {
		t.Errorf("Transmit on a closed stream = %v, want phy.ErrClosed", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next(cancelled) = %v, want context.Canceled", err)
	}
}

// One frame through the in-process PHY: the downlink modulated and
// written, the uplink read and two slots demodulated; no allocation.
func BenchmarkStreamCarrierFrame(b *testing.B) {
	air, _ := sim.New(sim.Config{SampleRate: radio.SampleRate4, Block: 5000, Seed: 1})
	defer air.Close()
	ep := air.Endpoint("bts")
	ep.SetNoise(1e-3)
	c, _ := NewStreamCarrier(ep, TransceiverConfig{})
	plan := fixedPlan(phy.RxAccess, phy.RxNormal)(0)
	var bursts [tdma.Slots]tdma.TxBurst
	for i := range bursts {
		bursts[i].Kind = tdma.KindDummy
	}
	emit := func(*tdma.RxBurst) {}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		fn, _ := c.Next(ctx)
		c.Transmit(fn, &bursts)
		c.Receive(plan, emit)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}
