package spectrum

import (
	"fmt"
	"math/rand/v2"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Signal is a transmitter output prepared for measurement.
type Signal struct {
	X    []complex64
	Rate float64
	SPS  int
	// Gates are the modulation-spectrum measurement windows: bits 87 to
	// 132 of each normal burst, the part of 50–90 % of the useful part
	// after the midamble (TS 45.005 §4.2.1).
	Gates []Gate
	// Useful holds each burst's useful part [start, end] in samples: from
	// the middle of bit 0 to the middle of bit 147.
	Useful [][2]float64
}

// Generate runs frames TDMA frames of random normal bursts (random data,
// random TSC, every timeslot on, full power) through the real transmit
// chain (dsp/trx with its GMSK modulator and ramps) at sps samples per
// symbol.
func Generate(sps, frames int, seed uint64) (*Signal, error) {
	tx, err := trx.NewTransmitter(trx.TxConfig{Modulator: gmsk.Config{SPS: sps}})
	if err != nil {
		return nil, fmt.Errorf("spectrum: %w", err)
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	fl := tx.FrameLen()
	s := &Signal{X: make([]complex64, frames*fl), Rate: tx.SampleRate(), SPS: sps}
	var bursts [tdma.Slots]tdma.TxBurst
	for fn := 0; fn < frames; fn++ {
		for tn := range bursts {
			var d [tdma.NormalDataBits]byte
			for i := range d {
				d[i] = byte(r.IntN(2))
			}
			bursts[tn].Kind = tdma.KindNormal
			tdma.Normal(&bursts[tn].Bits, &d, uint8(r.IntN(8)))
			b0 := fn*fl + tx.BurstStart(tdma.TN(tn))
			s.Gates = append(s.Gates, Gate{b0 + 87*sps, b0 + 133*sps})
			s.Useful = append(s.Useful, [2]float64{float64(b0) + 0.5*float64(sps), float64(b0) + 147.5*float64(sps)})
		}
		tx.RenderFrame(s.X[fn*fl:], tdma.FN(fn), &bursts)
	}
	return s, nil
}
