package rx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// slicer is the receiver without an equaliser, for comparison: the same
// timing and matched filter, then each symbol's sample projected on the
// main tap's phase (estimated on the training sequence).
func slicer(d *Demodulator, dst *tdma.SoftBurst, tsc uint8) {
	zr := func(k int) complex64 { return d.z[k+zPad] }
	var g complex64
	for i, b := range tdma.TSC[tsc] {
		g += zr(tdma.NormalTSCStart+i) * complex(bsym(int8(b)), 0)
	}
	for k := 0; k < tdma.BurstBits; k++ {
		v := zr(k) * complex(real(g), -imag(g))
		dst[k] = int8(max(-127, min(127, real(v)*8/float32(math.Hypot(float64(real(g)), float64(imag(g)))))))
	}
}

type linkStats struct {
	blocks, lost, bits, bitErrs int
}

func (s linkStats) bler() float64 { return float64(s.lost) / float64(max(s.blocks, 1)) }
func (s linkStats) ber() float64  { return float64(s.bitErrs) / float64(max(s.bits, 1)) }

// runSDCCH sends blocks SDCCH (xCCH-coded, TS 45.003 §4.1) blocks over
// links made by link, demodulates every burst with d (or the slicer) and
// decodes with gsm/coding.
//
// Burst bn of block blk goes out at absolute time (51·blk + bn) frames, as
// an SDCCH/8's four bursts in consecutive TDMA frames, so a fading link
// fades across a block as it would on air without frequency hopping.
func runSDCCH(t *testing.T, d *Demodulator, r *rand.Rand, blocks int, noEq bool, link func(i int) channel.Config) linkStats {
	t.Helper()
	a := newAir(d.sps, (tdma.QuarterSymbolsPerSlot*d.sps)/4+8*d.sps)
	const tsc = 4
	var st linkStats
	for blk := 0; blk < blocks; blk++ {
		var msg [23]byte
		for i := range msg {
			msg[i] = byte(r.Uint32())
		}
		var payload [4][116]byte
		coding.EncodeXCCH(&payload, &msg)
		var soft [4][116]int8
		for bn := 0; bn < 4; bn++ {
			var b tdma.Burst
			tdma.Normal(&b, &payload[bn], tsc)
			frameLen := int64(8 * tdma.QuarterSymbolsPerSlot * d.sps / 4)
			x := a.sendAt(t, &b, tdma.KindNormal, link(blk*4+bn), (51*int64(blk)+int64(bn))*frameLen)
			var sb tdma.SoftBurst
			_, ok := d.Normal(&sb, x, tsc)
			if ok && noEq {
				slicer(d, &sb, tsc)
			}
			tdma.NormalData(&soft[bn], (*[148]int8)(&sb))
			st.bits += 116
			for i, s := range soft[bn] {
				if (s < 0) != (payload[bn][i] == 1) || s == 0 {
					st.bitErrs++
				}
			}
		}
		var got [23]byte
		st.blocks++
		if _, ok := coding.DecodeXCCH(&got, &soft); !ok || got != msg {
			st.lost++
		}
	}
	return st
}

// TestSDCCHAWGN measures raw BER and SDCCH BLER against Eb/N0 on a static
// AWGN link with a random delay and a small frequency offset per burst.
func TestSDCCHAWGN(t *testing.T) {
	d := mustDemod(t, Config{})
	r := rand.New(rand.NewPCG(21, 21))
	const blocks = 120 // the thresholds below need about this many
	var tab strings.Builder
	fmt.Fprintf(&tab, "\nSDCCH on AWGN (%d blocks per row, 4 sps, random delay 0..3 symbols, offset ±100 Hz)\n", blocks)
	fmt.Fprintf(&tab, "Eb/N0 dB   raw BER    BLER\n")
	bler := map[float64]float64{}
	for _, ebn0 := range []float64{0, 1, 2, 3, 4, 5, 6, 8} {
		st := runSDCCH(t, d, r, blocks, false, func(i int) channel.Config {
			return channel.Config{Delay: 4 * 3 * r.Float64(), AWGN: true, EbN0: ebn0, Seed: uint64(i) + uint64(ebn0*1e6), FreqOffset: 200*r.Float64() - 100}
		})
		bler[ebn0] = st.bler()
		fmt.Fprintf(&tab, "%8.1f   %.5f   %.4f\n", ebn0, st.ber(), st.bler())
	}
	t.Log(tab.String())
	if bler[4] > 0.03 {
		t.Errorf("SDCCH BLER at Eb/N0 4 dB = %.3f, want ≤ 0.03", bler[4])
	}
	if bler[5] > 0.01 {
		t.Errorf("SDCCH BLER at Eb/N0 5 dB = %.3f, want ≤ 0.01", bler[5])
	}
	if bler[8] != 0 {
		t.Errorf("SDCCH BLER at Eb/N0 8 dB = %.3f, want 0", bler[8])
	}
}

// TestSDCCHMultipath: on the typical-urban profile of TS 45.005 Annex C.3
// at 50 km/h on 900 MHz (TU50, dsp/channel's Rayleigh fading, no
// frequency hopping) and on a static two-ray channel with an equal-power
// echo one symbol late, the equaliser must beat the same receiver without
// it.
func TestSDCCHMultipath(t *testing.T) {
	d := mustDemod(t, Config{})
	const blocks = 100 // the tolerance below is for about this many
	rate := d.SampleRate()
	tu := channel.Taps(channel.TU6, rate)
	doppler := channel.DopplerHz(50, 900e6)
	profiles := []struct {
		name string
		link func(r *rand.Rand, n int, ebn0 float64) channel.Config
	}{
		{"TU50 no FH", func(r *rand.Rand, n int, ebn0 float64) channel.Config {
			// One fading process per block (the seed), sampled at the
			// bursts' absolute times.
			return channel.Config{Delay: 2, Taps: tu, Doppler: doppler, AWGN: true, EbN0: ebn0, Seed: uint64(n / 4)}
		}},
		{"2-ray 1 symbol", func(r *rand.Rand, n int, ebn0 float64) channel.Config {
			return channel.Config{Delay: 2, Taps: []channel.Tap{{Gain: -3}, {Delay: 4, Gain: -3, Phase: 2 * math.Pi * r.Float64()}}, AWGN: true, EbN0: ebn0, Seed: uint64(n)}
		}},
	}
	var tab strings.Builder
	fmt.Fprintf(&tab, "\nSDCCH on multipath (%d blocks per row)\n", blocks)
	fmt.Fprintf(&tab, "%-15s Eb/N0  receiver     raw BER   BLER\n", "profile")
	for _, p := range profiles {
		for _, ebn0 := range []float64{8, 14} {
			var res [2]linkStats
			for i, noEq := range []bool{false, true} {
				r := rand.New(rand.NewPCG(22, uint64(ebn0)))
				res[i] = runSDCCH(t, d, r, blocks, noEq, func(n int) channel.Config {
					return p.link(r, n, ebn0)
				})
				name := []string{"equaliser", "no equaliser"}[i]
				fmt.Fprintf(&tab, "%-15s %5.1f  %-12s %.5f   %.4f\n", p.name, ebn0, name, res[i].ber(), res[i].bler())
			}
			// The equaliser must lower the raw BER; on blocks, slow fading
			// without hopping loses whole blocks in deep fades whatever the
			// receiver, so allow 100 blocks' worth of noise there.
			if res[0].ber() >= res[1].ber() || res[0].bler() > res[1].bler()+0.03 ||
				(p.name == "2-ray 1 symbol" && res[1].bler() > 0 && res[0].bler() >= res[1].bler()) {
				t.Errorf("%s at %g dB: equaliser BER %.4f BLER %.3f, no equaliser BER %.4f BLER %.3f; want the equaliser better",
					p.name, ebn0, res[0].ber(), res[0].bler(), res[1].ber(), res[1].bler())
			}
		}
	}
	t.Log(tab.String())
}

// TestSDCCHCochannel: the reference interference case of TS 45.005 §6.3
// in spirit: a co-channel GMSK interferer carrying random bursts with
// another training sequence, 9 dB below the wanted signal, random delay
// and phase, plus noise 20 dB below the signal.
func TestSDCCHCochannel(t *testing.T) {
	d := mustDemod(t, Config{})
	a := newAir(4, slotLen4+32)
	ia := newAir(4, slotLen4+32)
	r := rand.New(rand.NewPCG(23, 23))
	const blocks = 100
	const tsc = 4
	var st linkStats
	for blk := 0; blk < blocks; blk++ {
		var msg [23]byte
		for i := range msg {
			msg[i] = byte(r.Uint32())
		}
		var payload [4][116]byte
		coding.EncodeXCCH(&payload, &msg)
		var soft [4][116]int8
		for bn := 0; bn < 4; bn++ {
			var b tdma.Burst
			tdma.Normal(&b, &payload[bn], tsc)
			seed := uint64(blk*4 + bn)
			x := a.send(t, &b, tdma.KindNormal, channel.Config{Delay: 4 * r.Float64(), AWGN: true, EbN0: 20, Seed: seed})
			ib, _ := randomNormal(r, 2)
			y := ia.send(t, &ib, tdma.KindNormal, channel.Config{Delay: 8 * r.Float64(), PathLoss: 9, Taps: []channel.Tap{{Phase: 2 * math.Pi * r.Float64()}}})
			for i := range x {
				x[i] += y[i]
			}
			var sb tdma.SoftBurst
			d.Normal(&sb, x, tsc)
			tdma.NormalData(&soft[bn], (*[148]int8)(&sb))
			st.bits += 116
			for i, s := range soft[bn] {
				if (s < 0) != (payload[bn][i] == 1) || s == 0 {
					st.bitErrs++
				}
			}
		}
		var got [23]byte
		st.blocks++
		if _, ok := coding.DecodeXCCH(&got, &soft); !ok || got != msg {
			st.lost++
		}
	}
	t.Logf("co-channel C/I 9 dB: raw BER %.4f, SDCCH BLER %.3f (%d blocks)", st.ber(), st.bler(), st.blocks)
	if st.bler() > 0.05 {
		t.Errorf("co-channel C/I 9 dB: SDCCH BLER = %.3f, want ≤ 0.05", st.bler())
	}
}
