package rx

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/gsm/coding"
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

// benchReceivers are the receivers the burst benchmarks compare, side by
// side in one run: the receiver before issue 16 (coloured noise, training-
// only channel estimate, the reference trellis with soft output on every
// pass), the one now, and the one now at 2 sps behind its decimator.
var benchReceivers = []struct {
	name string
	cfg  Config
	ref  bool
}{
	{"rx=before", Config{NoWhitening: true, NoReestimate: true}, true},
	{"rx=full", Config{FullTrellis: true}, false},
	{"rx=now", Config{}, false},
	// dsp/trx's cell: the same 4-sps slot, halved by the decimator, into
	// the receiver at 2 sps.
	{"rx=2sps", Config{Config: gmsk.Config{SPS: 2}, InputSPS: 4}, false},
}

// cpuClock reads the process's user+system CPU time: on a shared, loaded
// machine the wall-clock ns/op swings severalfold, CPU time much less.
func cpuClock() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports CPU ns per op and the real-time factor for one TRX
// from CPU time, perOp bursts per op, since t0 = cpuClock().
func reportCPU(b *testing.B, t0 time.Duration, perOp float64) {
	cpu := (cpuClock() - t0).Seconds()
	if cpu <= 0 {
		return
	}
	b.ReportMetric(cpu*1e9/float64(b.N), "cpu-ns/op")
	b.ReportMetric(perOp*float64(b.N)/cpu/burstsPerSecondTRX, "xRT-cpu")
}

func benchDemod(b *testing.B, cfg Config, ref bool) *Demodulator {
	d := mustDemod(b, cfg)
	if ref {
		d.eq.ref = equaliseRef
	}
	return d
}

// burstsPerSecondTRX is one TRX's burst rate: 8 timeslots per TDMA frame
// of 60/13 ms (TS 45.002 §4.3.1), 1733 bursts per second.
const burstsPerSecondTRX = 8 * 13 / 60e-3

// BenchmarkNormal: one normal burst found (±4 symbols), channel estimated,
// equalised with soft output, measured. xRT is how many times real time
// one core keeps up with one TRX's bursts.
func BenchmarkNormal(b *testing.B) {
	x := benchSlot(b, tdma.KindNormal, 1.3)
	for _, rx := range benchReceivers {
		b.Run(rx.name, func(b *testing.B) {
			d := benchDemod(b, rx.cfg, rx.ref)
			var soft tdma.SoftBurst
			b.ReportAllocs()
			t0 := cpuClock()
			for b.Loop() {
				if _, ok := d.Normal(&soft, x, 3); !ok {
					b.Fatal("not detected")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/burstsPerSecondTRX, "xRT")
			reportCPU(b, t0, 1)
		})
	}
}

// BenchmarkSDCCHBlock: the four bursts of an SDCCH block demodulated and
// the block decoded (gsm/coding, TS 45.003 §4.1), near the sensitivity
// limit (3 dB Eb/N0); ns/op is per block, xRT as for BenchmarkNormal
// (four bursts per op).
func BenchmarkSDCCHBlock(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 9))
	a := newAir(4, slotLen4+16)
	var msg [23]byte
	for i := range msg {
		msg[i] = byte(r.Uint32())
	}
	var payload [4][116]byte
	coding.EncodeXCCH(&payload, &msg)
	var slots [4][]complex64
	for bn := range slots {
		var burst tdma.Burst
		tdma.Normal(&burst, &payload[bn], 3)
		x := a.send(b, &burst, tdma.KindNormal, channel.Config{Delay: 4 * 1.3, AWGN: true, EbN0: 3, Seed: uint64(bn)})
		slots[bn] = append([]complex64(nil), x...)
	}
	for _, rx := range benchReceivers {
		b.Run(rx.name, func(b *testing.B) {
			d := benchDemod(b, rx.cfg, rx.ref)
			var soft [4][116]int8
			var sb tdma.SoftBurst
			var got [23]byte
			b.ReportAllocs()
			t0 := cpuClock()
			for b.Loop() {
				for bn := range slots {
					d.Normal(&sb, slots[bn], 3)
					tdma.NormalData(&soft[bn], (*[148]int8)(&sb))
				}
				coding.DecodeXCCH(&got, &soft)
			}
			b.ReportMetric(4*float64(b.N)/b.Elapsed().Seconds()/burstsPerSecondTRX, "xRT")
			reportCPU(b, t0, 4)
		})
	}
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
