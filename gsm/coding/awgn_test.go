package coding

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// awgnSoft sends bits as BPSK (0 → +1, 1 → −1) through white Gaussian
// noise of standard deviation sigma and quantises the received values to
// soft bits (hard: to ±127 by sign alone).
func awgnSoft(rng *rand.Rand, dst []int8, bits []byte, sigma float64, hard bool) {
	for i, b := range bits {
		y := 1.0
		if b != 0 {
			y = -1
		}
		y += sigma * rng.NormFloat64()
		if hard {
			if y < 0 {
				dst[i] = -127
			} else {
				dst[i] = 127
			}
			continue
		}
		dst[i] = int8(math.Max(-127, math.Min(127, math.Round(32*y))))
	}
}

// xcchBLER measures the block error rate of xCCH over an AWGN channel at
// the given Eb/N0 (Eb per information bit: 184 bits per 456-bit block).
func xcchBLER(rng *rand.Rand, ebn0dB float64, blocks int, hard bool) float64 {
	esn0 := math.Pow(10, ebn0dB/10) * 184 / 456
	sigma := math.Sqrt(1 / (2 * esn0))
	bad := 0
	for range blocks {
		var msg [23]byte
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		var b [4][116]byte
		EncodeXCCH(&b, &msg)
		var s [4][116]int8
		for i := range b {
			awgnSoft(rng, s[i][:], b[i][:], sigma, hard)
		}
		var got [23]byte
		if _, ok := DecodeXCCH(&got, &s); !ok || got != msg {
			bad++
		}
	}
	return float64(bad) / float64(blocks)
}

// TestXCCHAWGN tabulates BLER against Eb/N0 for soft- and hard-decision
// decoding (run with -v to see the table) and checks the shape: BLER falls
// with Eb/N0, soft decisions beat hard ones by a clear margin, and the
// block error rate at 6 dB is below 1 %.
func TestXCCHAWGN(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	const blocks = 400
	var tab strings.Builder
	fmt.Fprintf(&tab, "Eb/N0 dB   BLER soft   BLER hard  (xCCH, %d blocks per point)\n", blocks)
	soft := map[float64]float64{}
	hard := map[float64]float64{}
	for _, e := range []float64{0, 1, 2, 3, 4, 5, 6} {
		soft[e] = xcchBLER(rng, e, blocks, false)
		hard[e] = xcchBLER(rng, e, blocks, true)
		fmt.Fprintf(&tab, "%8.1f   %9.4f   %9.4f\n", e, soft[e], hard[e])
	}
	t.Log("\n" + tab.String())
	if soft[6] >= 0.01 {
		t.Errorf("xCCH BLER at 6 dB (soft) = %.4f, want < 0.01", soft[6])
	}
	if soft[0] < 0.3 {
		t.Errorf("xCCH BLER at 0 dB (soft) = %.4f; a rate-0.4 code cannot do that well", soft[0])
	}
	// Soft decisions gain about 2 dB: soft at 3 dB beats hard at 4 dB.
	if soft[3] > hard[4] {
		t.Errorf("soft BLER at 3 dB %.4f worse than hard BLER at 4 dB %.4f", soft[3], hard[4])
	}
	for _, e := range []float64{1, 2, 3, 4, 5, 6} {
		if soft[e] > soft[e-1]+0.02 {
			t.Errorf("soft BLER rises from %.0f dB (%.4f) to %.0f dB (%.4f)", e-1, soft[e-1], e, soft[e])
		}
	}
}
