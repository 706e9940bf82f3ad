package discipline

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestCarrierCalibrationSim calibrates a simulated oscillator against a
// neighbour's carrier: noisy FCCH offset estimates with outliers, a DAC
// whose true slope differs from the configured one, two rounds.
func TestCarrierCalibrationSim(t *testing.T) {
	tests := []struct {
		name      string
		carrierHz float64
		y0PPB     float64
		noiseHz   float64
		n         int
		seed      uint64
	}{
		{"GSM900 935.2MHz +730ppb", 935.2e6, 730, 60, 200, 1},
		{"DCS1800 1805.2MHz -2100ppb", 1805.2e6, -2100, 120, 200, 2},
		{"GSM850 869.2MHz +4000ppb", 869.2e6, 4000, 40, 100, 3},
	}
	const cfgSlope, trueSlope = 3.906, 3.5 // ppb per code
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(tt.seed, 7))
			dac := 0
			yPPB := func() float64 { return tt.y0PPB + float64(dac)*trueSlope }
			for round := 1; round <= 2; round++ {
				off := make([]float64, tt.n)
				for i := range off {
					off[i] = -yPPB()*1e-9*tt.carrierHz + rng.NormFloat64()*tt.noiseHz
					if rng.Float64() < 0.05 {
						off[i] = (rng.Float64() - 0.5) * 40e3 // another cell, a bad burst
					}
				}
				c, err := CarrierCalibration(off, tt.carrierHz, cfgSlope)
				if err != nil {
					t.Fatalf("round %d: CarrierCalibration() = %v", round, err)
				}
				if math.Abs(c.PPB-yPPB()) > 5*c.StdErrPPB+1 {
					t.Errorf("round %d: CarrierCalibration().PPB = %.2f, want %.2f ± %.2f", round, c.PPB, yPPB(), 5*c.StdErrPPB)
				}
				dac += c.DACDelta
				t.Logf("round %d: estimated %.2f ppb (±%.2f), used %d rejected %d, DAC %+d → residual %.2f ppb",
					round, c.PPB, c.StdErrPPB, c.Used, c.Rejected, c.DACDelta, yPPB())
			}
			if r := math.Abs(yPPB()); r > 50 {
				t.Errorf("residual after two rounds = %.2f ppb, want ≤ 50", r)
			}
		})
	}
}

func TestCarrierCalibrationRejects(t *testing.T) {
	if _, err := CarrierCalibration([]float64{1, 2, 3}, 935e6, 4); !errors.Is(err, ErrCalibration) {
		t.Errorf("CarrierCalibration(3 estimates) = %v, want ErrCalibration", err)
	}
	noisy := make([]float64, 10)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range noisy {
		noisy[i] = rng.NormFloat64() * 2000 // 2 kHz spread: far too noisy
	}
	if _, err := CarrierCalibration(noisy, 935e6, 4); !errors.Is(err, ErrCalibration) {
		t.Errorf("CarrierCalibration(noisy) = %v, want ErrCalibration", err)
	}
	if _, err := CarrierCalibration(make([]float64, 20), 0, 4); !errors.Is(err, ErrCalibration) {
		t.Errorf("CarrierCalibration(carrier 0) = %v, want ErrCalibration", err)
	}
	// Exact agreement (MAD 0) still works: a reference fast by 100 ppb
	// shows a carrier at -93.52 Hz.
	same := []float64{-93.52, -93.52, -93.52, -93.52, -93.52, -93.52, -93.52, -93.52, 5000}
	c, err := CarrierCalibration(same, 935.2e6, 4)
	if err != nil || math.Abs(c.PPB-100) > 1e-9 || c.DACDelta != -25 || c.Rejected != 1 {
		t.Errorf("CarrierCalibration(identical) = %+v, %v, want 100 ppb, DAC -25, 1 rejected", c, err)
	}
}
