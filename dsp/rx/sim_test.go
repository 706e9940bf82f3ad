package rx

import (
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// slotLen4 is one timeslot at 4 samples per symbol.
const slotLen4 = tdma.QuarterSymbolsPerSlot

// air holds what one simulated burst needs: a modulator at the receiver's
// rate and scratch for the transmitted and received slot.
type air struct {
	mod    *gmsk.Modulator
	tx, rx []complex64
}

func newAir(sps, n int) *air {
	return &air{mod: gmsk.NewModulator(gmsk.Config{SPS: sps}), tx: make([]complex64, n), rx: make([]complex64, n)}
}

// send modulates b at the start of the slot window (bit 0 at the
// modulator's Lead, as dsp/trx lays out a slot) and passes it through a
// link with cfg's impairments; the returned slice is the receiver's window.
func (a *air) send(t testing.TB, b *tdma.Burst, kind tdma.BurstKind, cfg channel.Config) []complex64 {
	return a.sendAt(t, b, kind, cfg, 0)
}

// sendAt is send with the window starting at absolute sample time t0, which
// a fading link's gains and the noise depend on.
func (a *air) sendAt(t testing.TB, b *tdma.Burst, kind tdma.BurstKind, cfg channel.Config, t0 int64) []complex64 {
	t.Helper()
	clear(a.tx)
	a.mod.ModulateBurst(a.tx, b, kind)
	cfg.SampleRate = a.mod.SampleRate()
	ch, err := channel.New(cfg)
	if err != nil {
		t.Fatalf("channel.New(%+v): %v", cfg, err)
	}
	clear(a.rx)
	ch.AddSignal(a.rx, t0, a.tx, t0)
	ch.AddNoise(a.rx, t0)
	return a.rx
}

func randomNormal(r *rand.Rand, tsc uint8) (b tdma.Burst, data [tdma.NormalDataBits]byte) {
	for i := range data {
		data[i] = byte(r.IntN(2))
	}
	tdma.Normal(&b, &data, tsc)
	return b, data
}

func randomAccess(r *rand.Rand) (b tdma.Burst, data [tdma.AccessDataBits]byte) {
	for i := range data {
		data[i] = byte(r.IntN(2))
	}
	tdma.Access(&b, &data)
	return b, data
}

// bitErrors counts hard-decision errors of soft against bits over [lo, hi).
func bitErrors(soft *tdma.SoftBurst, b *tdma.Burst, lo, hi int) int {
	n := 0
	for i := lo; i < hi; i++ {
		var h byte
		if soft[i] < 0 {
			h = 1
		}
		if soft[i] == 0 || h != b[i] {
			n++
		}
	}
	return n
}
