package rx

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
)

var (
	curveBlocks   = flag.Int("blercurve.blocks", 1000, "SDCCH blocks per point of BenchmarkBLERCurve (faded profiles run half)")
	curveProfiles = flag.String("blercurve.profiles", "", "comma-separated profiles of BenchmarkBLERCurve (static, TU50, RA250, HT100; default all)")
	curveRx       = flag.String("blercurve.rx", "", "comma-separated receivers of BenchmarkBLERCurve (before, 16-state, now, 2sps; default all)")
)

// picked reports whether name is in the comma-separated list (all when empty).
func picked(list, name string) bool {
	if list == "" {
		return true
	}
	for _, v := range strings.Split(list, ",") {
		if strings.TrimSpace(v) == name {
			return true
		}
	}
	return false
}

// Reference sensitivity, TS 45.005 §6.2: −104 dBm for a GSM 900 normal
// BTS and MS. The margin printed is how far below it our receiver reaches
// its criterion, with thermal noise kTB over the symbol rate
// (−174 dBm/Hz + 10·log10(270833 Hz) = −119.7 dBm) and the noise figure
// below: sensitivity = −119.7 + NF + Eb/N0 needed.
const (
	refSensitivityDBm = -104.0
	noiseFigureDB     = 8.0
)

// curveProfile is one propagation condition of BenchmarkBLERCurve.
type curveProfile struct {
	name      string
	points    []float64 // Eb/N0, dB
	criterion float64   // BLER whose Eb/N0 is reported
	link      func(r *rand.Rand, rate, ebn0 float64) func(i int) channel.Config
}

func fadedLink(p []channel.ProfileTap, kmh float64) func(r *rand.Rand, rate, ebn0 float64) func(i int) channel.Config {
	return func(r *rand.Rand, rate, ebn0 float64) func(i int) channel.Config {
		taps := channel.Taps(p, rate)
		dop := channel.DopplerHz(kmh, 900e6)
		return func(i int) channel.Config {
			// One fading process per block, sampled at the bursts'
			// absolute times (no frequency hopping).
			return channel.Config{Delay: 2, Taps: taps, Doppler: dop, AWGN: true, EbN0: ebn0, Seed: uint64(i/4) + uint64(ebn0*1e6)}
		}
	}
}

func span(lo, hi, step float64) (p []float64) {
	for v := lo; v <= hi+1e-9; v += step {
		p = append(p, v)
	}
	return p
}

// crossing interpolates (in log BLER) the Eb/N0 where the curve falls
// through target; NaN when it never does within the points.
func crossing(ebn0, bler []float64, target float64) float64 {
	for i := 1; i < len(bler); i++ {
		if bler[i-1] > target && bler[i] <= target {
			a, b := math.Log(bler[i-1]), math.Log(max(bler[i], 1e-4))
			f := (a - math.Log(target)) / (a - b)
			return ebn0[i-1] + f*(ebn0[i]-ebn0[i-1])
		}
	}
	return math.NaN()
}

// BenchmarkBLERCurve prints the SDCCH block error rate against Eb/N0 on
// the static channel and the TS 45.005 Annex C.3 profiles (TU50, RA250,
// HT100 at 900 MHz, no frequency hopping), for this receiver, for it on
// the full 16-state trellis every burst (Config.FullTrellis, as it was
// before the reduced-state trellis) and for the receiver before issue 16
// (no noise whitening, training-only channel estimate), and for this
// receiver at 2 sps behind the half-band decimator (dsp/trx's cell), with the Eb/N0 at
// each profile's criterion and the margin to the reference sensitivity.
// It is a command, not a timing:
//
//	go test -run XXX -bench BLERCurve -benchtime 1x ./dsp/rx [-args -blercurve.blocks 4000 -blercurve.profiles static -blercurve.rx now,2sps]
//
// The criteria are 1 % on the static channel (issue 16's operating
// point) and 10 % on the faded ones, where slow fading without hopping
// loses whole blocks in deep fades whatever the receiver; TS 45.005 §6.2
// gives per-channel limits to check them against.
func BenchmarkBLERCurve(b *testing.B) {
	rxs := []struct {
		name string
		cfg  Config
	}{
		{"before", Config{NoWhitening: true, NoReestimate: true, FullTrellis: true}},
		{"16-state", Config{FullTrellis: true}},
		{"now", Config{}},
		// dsp/trx's cell: the transmitter's 4 sps, halved first.
		{"2sps", Config{Config: gmsk.Config{SPS: 2}, InputSPS: 4}},
	}
	for i := 0; i < len(rxs); i++ {
		if !picked(*curveRx, rxs[i].name) {
			rxs = append(rxs[:i], rxs[i+1:]...)
			i--
		}
	}
	profiles := []curveProfile{
		{"static", span(0, 6, 0.5), 0.01, func(r *rand.Rand, rate, ebn0 float64) func(int) channel.Config { return awgnLink(r, ebn0) }},
		{"TU50", span(0, 24, 3), 0.1, fadedLink(channel.TU6, 50)},
		{"RA250", span(0, 24, 3), 0.1, fadedLink(channel.RA6, 250)},
		{"HT100", span(0, 24, 3), 0.1, fadedLink(channel.HT6, 100)},
	}
	for b.Loop() {
		var tab strings.Builder
		fmt.Fprintf(&tab, "\nSDCCH BLER (4 sps on the air; static: %d blocks per point, random delay 0..3 symbols, ±100 Hz; faded: %d blocks, no FH)\n", *curveBlocks, *curveBlocks/2)
		for _, p := range profiles {
			if !picked(*curveProfiles, p.name) {
				continue
			}
			blocks := *curveBlocks
			if p.name != "static" {
				blocks /= 2
			}
			fmt.Fprintf(&tab, "\n%s\nEb/N0 dB", p.name)
			for _, rx := range rxs {
				fmt.Fprintf(&tab, "  %8s BER   BLER", rx.name)
			}
			fmt.Fprintln(&tab)
			res := make([][]linkStats, len(rxs))
			for i, rx := range rxs {
				d, err := NewDemodulator(rx.cfg)
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range p.points {
					r := rand.New(rand.NewPCG(31, uint64(e*100)))
					res[i] = append(res[i], runSDCCH(b, d, r, blocks, false, p.link(r, d.SampleRate(), e)))
				}
			}
			for j, e := range p.points {
				fmt.Fprintf(&tab, "%8.1f", e)
				for i := range rxs {
					fmt.Fprintf(&tab, "  %12.4f %.4f", res[i][j].ber(), res[i][j].bler())
				}
				fmt.Fprintln(&tab)
			}
			for i, rx := range rxs {
				bl := make([]float64, len(p.points))
				for j := range bl {
					bl[j] = res[i][j].bler()
				}
				c := crossing(p.points, bl, p.criterion)
				sens := -119.7 + noiseFigureDB + c
				fmt.Fprintf(&tab, "%-8s BLER %g%% at Eb/N0 %.2f dB: sensitivity %.1f dBm at NF %g dB, margin %.1f dB to TS 45.005's %g dBm\n",
					rx.name, 100*p.criterion, c, sens, noiseFigureDB, refSensitivityDBm-sens, refSensitivityDBm)
			}
		}
		fmt.Print(tab.String()) // b.Log truncates a benchmark's output
	}
}
