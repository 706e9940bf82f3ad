package coding

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
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

// channelBLER measures the block error rate of one channel over an AWGN
// channel at the given Eb/N0 (Eb per information bit).
func channelBLER(rng *rand.Rand, ch string, ebn0dB float64, blocks int, hard bool) float64 {
	size := map[string][2]float64{ // information bits, coded bits
		"xcch": {184, 456}, "sch": {25, 78}, "rach": {8, 36}, "tchfs": {260, 456},
	}[ch]
	esn0 := math.Pow(10, ebn0dB/10) * size[0] / size[1]
	sigma := math.Sqrt(1 / (2 * esn0))
	bad := 0
	for range blocks {
		switch ch {
		case "xcch":
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
		case "sch":
			var info [25]byte
			for i := range info {
				info[i] = byte(rng.IntN(2))
			}
			var c [78]byte
			EncodeSCH(&c, &info)
			var s [78]int8
			awgnSoft(rng, s[:], c[:], sigma, hard)
			var got [25]byte
			if _, ok := DecodeSCH(&got, &s); !ok || got != info {
				bad++
			}
		case "rach":
			ra, bsic := uint8(rng.Uint32()), tdma.BSICFromValue(uint8(rng.IntN(64)))
			var c [36]byte
			EncodeRACH(&c, ra, bsic)
			var s [36]int8
			awgnSoft(rng, s[:], c[:], sigma, hard)
			if got, _, ok := DecodeRACH(&s, bsic); !ok || got != ra {
				bad++
			}
		case "tchfs":
			var d [260]byte
			for i := range d {
				d[i] = byte(rng.IntN(2))
			}
			var c [456]byte
			encodeTCHFS(&c, &d)
			var s [456]int8
			awgnSoft(rng, s[:], c[:], sigma, hard)
			var got [260]byte
			// A block error: a bad frame (CRC) or a wrong class I bit.
			if _, ok := decodeTCHFS(&got, &s); !ok || [182]byte(got[:182]) != [182]byte(d[:182]) {
				bad++
			}
		}
	}
	return float64(bad) / float64(blocks)
}

// TestAWGN tabulates BLER against Eb/N0 for every channel with soft
// decisions, and for xCCH with hard decisions too (run with -v to see the
// table), and checks the shape: BLER falls with Eb/N0, soft decisions beat
// hard ones by a clear margin, and the xCCH block error rate at 6 dB is
// below 1 %.
func TestAWGN(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	const blocks = 400
	chans := []string{"xcch", "sch", "rach", "tchfs"}
	var tab strings.Builder
	fmt.Fprintf(&tab, "BLER, %d blocks per point; Eb per information bit\n", blocks)
	fmt.Fprintf(&tab, "Eb/N0 dB   xCCH soft   xCCH hard    SCH soft   RACH soft  TCH/FS soft\n")
	soft := map[string]map[float64]float64{}
	for _, c := range chans {
		soft[c] = map[float64]float64{}
	}
	hard := map[float64]float64{}
	for _, e := range []float64{0, 1, 2, 3, 4, 5, 6} {
		for _, c := range chans {
			soft[c][e] = channelBLER(rng, c, e, blocks, false)
		}
		hard[e] = channelBLER(rng, "xcch", e, blocks, true)
		fmt.Fprintf(&tab, "%8.1f   %9.4f   %9.4f   %9.4f   %9.4f   %9.4f\n", e, soft["xcch"][e], hard[e], soft["sch"][e], soft["rach"][e], soft["tchfs"][e])
	}
	t.Log("\n" + tab.String())
	x := soft["xcch"]
	if x[6] >= 0.01 {
		t.Errorf("xCCH BLER at 6 dB (soft) = %.4f, want < 0.01", x[6])
	}
	if x[0] < 0.3 {
		t.Errorf("xCCH BLER at 0 dB (soft) = %.4f; a rate-0.4 code cannot do that well", x[0])
	}
	// Soft decisions gain about 2 dB: soft at 3 dB beats hard at 4 dB.
	if x[3] > hard[4] {
		t.Errorf("soft BLER at 3 dB %.4f worse than hard BLER at 4 dB %.4f", x[3], hard[4])
	}
	for _, c := range chans {
		for _, e := range []float64{1, 2, 3, 4, 5, 6} {
			if soft[c][e] > soft[c][e-1]+0.03 {
				t.Errorf("%s soft BLER rises from %.0f dB (%.4f) to %.0f dB (%.4f)", c, e-1, soft[c][e-1], e, soft[c][e])
			}
		}
		if soft[c][6] > 0.05 {
			t.Errorf("%s soft BLER at 6 dB = %.4f, want < 0.05", c, soft[c][6])
		}
	}
}
