package rx

import (
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// benchSlot returns one slot window holding a burst of kind at 10 dB Eb/N0.
func benchSlot(b testing.TB, kind tdma.BurstKind, delaySymbols float64) []complex64 {
	a := newAir(4, slotLen4+16)
	r := rand.New(rand.NewPCG(1, 2))
	var burst tdma.Burst
	switch kind {
	case tdma.KindAccess:
		burst, _ = randomAccess(r)
	default:
		burst, _ = randomNormal(r, 3)
	}
	x := a.send(b, &burst, kind, channel.Config{Delay: delaySymbols * 4, AWGN: true, EbN0: 10, Seed: 1})
	return append([]complex64(nil), x...)
}

// BenchmarkNormal: one normal burst found (±4 symbols), channel estimated,
// equalised with soft output, measured.
func BenchmarkNormal(b *testing.B) {
	d := mustDemod(b, Config{})
	x := benchSlot(b, tdma.KindNormal, 1.3)
	var soft tdma.SoftBurst
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, ok := d.Normal(&soft, x, 3); !ok {
			b.Fatal("not detected")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bursts/s")
}

// BenchmarkAccess: one access-burst search over the whole 0..63 symbol
// range, and its demodulation.
func BenchmarkAccess(b *testing.B) {
	d := mustDemod(b, Config{})
	x := benchSlot(b, tdma.KindAccess, 40.3)
	var soft tdma.SoftBurst
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, ok := d.Access(&soft, x); !ok {
			b.Fatal("not detected")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bursts/s")
}

// BenchmarkAccessNoise: an empty RACH slot (the common case), searched
// and rejected.
func BenchmarkAccessNoise(b *testing.B) {
	d := mustDemod(b, Config{})
	r := rand.New(rand.NewPCG(1, 3))
	x := make([]complex64, slotLen4+16)
	for i := range x {
		x[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
	}
	var soft tdma.SoftBurst
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d.Access(&soft, x)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "slots/s")
}

// BenchmarkFCCH: searching one 51-multiframe's worth of one timeslot
// (12 slots' samples, as a phone's cell search sees one frame) for FCCH.
func BenchmarkFCCH(b *testing.B) {
	d := mustDemod(b, Config{})
	r := rand.New(rand.NewPCG(1, 4))
	x := make([]complex64, 8*slotLen4)
	for i := range x {
		x[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d.FCCH(x)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}
