package rx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
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
func runSDCCH(t testing.TB, d *Demodulator, r *rand.Rand, blocks int, noEq bool, link func(i int) channel.Config) linkStats {
	t.Helper()
	in := d.cfg.InputSPS // the air's rate
	a := newAir(in, (tdma.QuarterSymbolsPerSlot*in)/4+8*in)
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
			frameLen := int64(8 * tdma.QuarterSymbolsPerSlot * in / 4)
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

// wilson returns the 95 % Wilson score interval of a proportion of k in n.
func wilson(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.96
	p := float64(k) / float64(n)
	den := 1 + z*z/float64(n)
	c := (p + z*z/(2*float64(n))) / den
	w := z * math.Sqrt(p*(1-p)/float64(n)+z*z/(4*float64(n)*float64(n))) / den
	return max(c-w, 0), min(c+w, 1)
}

// awgnLink is the static link of the BLER tests: AWGN at ebn0 dB, a random
// delay of 0..3 symbols and a carrier offset within ±100 Hz per burst.
func awgnLink(r *rand.Rand, ebn0 float64) func(i int) channel.Config {
	return func(i int) channel.Config {
		return channel.Config{Delay: 4 * 3 * r.Float64(), AWGN: true, EbN0: ebn0, Seed: uint64(i) + uint64(ebn0*1e6), FreqOffset: 200*r.Float64() - 100}
	}
}

// blerAbove runs SDCCH blocks in batches until the 95 % Wilson interval
// of the block error rate lies wholly below or wholly above target, or
// maxBlocks have run: a sequential test that spends blocks only where the
// answer is close. below is true when the interval ended below target.
func blerAbove(t *testing.T, d *Demodulator, r *rand.Rand, maxBlocks int, target float64, link func(i int) channel.Config) (st linkStats, below bool) {
	const batch = 100
	for st.blocks < maxBlocks {
		b := runSDCCH(t, d, r, batch, false, func(i int) channel.Config { return link(st.blocks*4 + i) })
		st.blocks += b.blocks
		st.lost += b.lost
		st.bits += b.bits
		st.bitErrs += b.bitErrs
		lo, hi := wilson(st.lost, st.blocks)
		if hi < target {
			return st, true
		}
		if lo > target {
			return st, false
		}
	}
	return st, false
}

// TestSDCCHBLER checks the SDCCH block error rate on a static AWGN link
// (random delay, ±100 Hz): below 1 % at 3 dB Eb/N0 with 95 % confidence,
// about 1.7 dB from the ideal receiver (the xCCH code's soft-decision
// bound, 0.8 dB per channel bit in gsm/coding's TestAWGN, plus about 0.5
// dB for GMSK); error-free at 8 dB. The whole curve, faded profiles and
// the receiver before the whitening and decision-directed estimate are
// printed by BenchmarkBLERCurve:
//
//	go test -run XXX -bench BLERCurve -benchtime 1x ./dsp/rx
func TestSDCCHBLER(t *testing.T) {
	testSDCCHBLER(t, Config{})
}

// TestSDCCHBLER2 is TestSDCCHBLER for dsp/trx's cell: the bursts on the
// air at 4 sps, the receiver at 2 behind the half-band decimator.
func TestSDCCHBLER2(t *testing.T) {
	testSDCCHBLER(t, Config{Config: gmsk.Config{SPS: 2}, InputSPS: 4})
}

func testSDCCHBLER(t *testing.T, cfg Config) {
	d := mustDemod(t, cfg)
	r := rand.New(rand.NewPCG(21, 21))
	st, below := blerAbove(t, d, r, 3000, 0.01, awgnLink(r, 3))
	lo, hi := wilson(st.lost, st.blocks)
	t.Logf("SDCCH at Eb/N0 3 dB: raw BER %.4f, BLER %.4f (95 %% interval %.4f..%.4f, %d blocks)", st.ber(), st.bler(), lo, hi, st.blocks)
	if !below {
		t.Errorf("SDCCH BLER at Eb/N0 3 dB = %.4f (95 %% interval %.4f..%.4f over %d blocks), want below 0.01", st.bler(), lo, hi, st.blocks)
	}
	st = runSDCCH(t, d, r, 200, false, awgnLink(r, 8))
	if st.lost != 0 {
		t.Errorf("SDCCH BLER at Eb/N0 8 dB = %.3f, want 0", st.bler())
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
