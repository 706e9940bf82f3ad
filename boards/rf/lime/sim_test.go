package lime_test

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/sim"
)

// TestStreamOnSimAir puts the fake board's antenna on the simulated air:
// what a virtual phone transmits comes out of the Lime stream's Read at
// the same timestamps (as a direct listener hears it, to 12-bit
// precision), and what the stream writes reaches the phone at the
// timestamp it was written for, the board's device delay compensated.
func TestStreamOnSimAir(t *testing.T) {
	air, err := sim.New(sim.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	bts, phone := air.Endpoint("bts"), air.Endpoint("phone")
	for _, l := range [][2]*sim.Endpoint{{phone, bts}, {bts, phone}} {
		if err := air.Connect(l[0], l[1], channel.Config{PathLoss: 6}); err != nil {
			t.Fatal(err)
		}
	}
	ref, err := air.Listener("ref", phone, channel.Config{PathLoss: 6})
	if err != nil {
		t.Fatal(err)
	}
	// The board's clock: in virtual time nothing stops the board's RX
	// from running ahead of the cell, so a pacer lets it run only to two
	// frames before the end of what the cell has written, as a real
	// board's clock runs behind a host that keeps its TX lead.
	pacer := limetest.NewPacer()
	pacer.Src = func(dst []complex64, ts radio.Timestamp) { bts.Read(dst, ts) }
	f := limetest.New(limetest.Config{RX: pacer, TX: bts, Delay: 96, IgnoreRouting: true}) // the stream alone, no RF path set-up
	b, err := lime.Open(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	// One packet a transfer: in lock-step virtual time the board can only
	// fill what the phone has already sent.
	s, err := lime.NewStream(b, lime.StreamConfig{DeviceDelay: 96, TXLead: 500, PacketsPerTransfer: 1, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	watchdog := time.AfterFunc(30*time.Second, func() { air.Close() })
	defer watchdog.Stop()

	const frames = 12
	signal := func(seed uint64, n int) []complex64 {
		r := rand.New(rand.NewPCG(seed, 1))
		x := make([]complex64, n)
		for i := range x {
			x[i] = complex(float32(r.Float64()-0.5)*0.5, float32(r.Float64()-0.5)*0.5)
		}
		return x
	}
	// The phone: transmits random frames, hears the cell.
	var wg sync.WaitGroup
	heard := make([]complex64, frames*frame)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := 0; k < frames+4; k++ {
			ts := radio.Timestamp(k * frame)
			if _, _, err := phone.Write(signal(uint64(k), frame), ts); err != nil {
				return
			}
			if k >= frames {
				continue
			}
			if _, _, err := phone.Read(heard[k*frame:(k+1)*frame], ts); err != nil {
				return
			}
		}
	}()
	// The cell: transmits its own frames 3 frames ahead, reads the uplink.
	got := make([]complex64, frame)
	want := make([]complex64, frame)
	for k := 0; k < frames; k++ {
		ts := radio.Timestamp(k * frame)
		if _, fl, err := s.Write(signal(100+uint64(k+3), frame), ts+3*frame); err != nil || fl != 0 {
			t.Fatalf("cell Write(%d) = %v, %v; stream %+v board %+v", ts+3*frame, fl, err, s.Stats(), f.Stats())
		}
		pacer.Allow(ts + 2*frame)
		if _, fl, err := s.Read(got, ts); err != nil || fl != 0 {
			t.Fatalf("cell Read(%d) = %v, %v", ts, fl, err)
		}
		if _, _, err := ref.Read(want, ts); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if d := got[i] - want[i]; real(d)*real(d)+imag(d)*imag(d) > 2e-6 {
				t.Fatalf("uplink sample %d: Lime stream %v, listener %v", int(ts)+i, got[i], want[i])
			}
		}
	}
	wg.Wait()
	// The phone heard frame k (written for 3..frames-1) at its timestamp.
	var e, p float64
	for k := 3; k < frames; k++ {
		tx := signal(100+uint64(k), frame)
		for i, v := range heard[k*frame : (k+1)*frame] {
			w := tx[i] * complex(0.5012, 0) // 6 dB path loss
			d := v - w
			e += float64(real(d)*real(d) + imag(d)*imag(d))
			p += float64(real(w)*real(w) + imag(w)*imag(w))
		}
	}
	if e/p > 1e-3 {
		t.Errorf("downlink at the phone: error/power = %.2g, want the written frames at their timestamps", e/p)
	}
	st := s.Stats()
	if st.RXLost != 0 || st.Late != 0 || st.Underruns != 0 || !st.Healthy {
		t.Errorf("Stats() = %+v", st)
	}
	air.Close()
	pacer.Close()
	s.Close()
	f.Close()
}
