package rx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/filter"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// TestAccessToA: access bursts over the whole timing-advance range at
// several Eb/N0, each carrying a RACH block decoded by gsm/coding:
// detection probability, RACH decoding, ToA error and the TA assigned.
func TestAccessToA(t *testing.T) {
	d := mustDemod(t, Config{})
	a := newAir(4, slotLen4+16)
	r := rand.New(rand.NewPCG(11, 11))
	bsic := tdma.BSIC{NCC: 3, BCC: 5}
	cases := []struct {
		ebn0       float64 // 0: no noise
		minDetect  float64
		minDecode  float64
		maxRMS     float64 // symbols
		maxTAWrong int
	}{
		{0, 1, 1, 0.05, 0},
		{12, 1, 1, 0.1, 0},
		{8, 0.99, 0.97, 0.15, 2},
		{5, 0.95, 0.85, 0.25, 6},
		{3, 0, 0, 1, 100}, // logged only
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("EbN0=%g", c.ebn0), func(t *testing.T) {
			n, det, dec, taWrong := 0, 0, 0, 0
			var se float64
			for delay := 0.0; delay <= 63.75; delay += 0.75 {
				for _, fo := range []float64{-400, 250} {
					n++
					ra := uint8(r.IntN(256))
					var coded [36]byte
					coding.EncodeRACH(&coded, ra, bsic)
					var b tdma.Burst
					tdma.Access(&b, &coded)
					x := a.send(t, &b, tdma.KindAccess, channel.Config{
						Delay: delay * 4, FreqOffset: fo,
						AWGN: c.ebn0 != 0, EbN0: c.ebn0, Seed: uint64(n),
					})
					var soft tdma.SoftBurst
					m, ok := d.Access(&soft, x)
					if !ok {
						continue
					}
					det++
					e := float64(m.ToA) - delay
					se += e * e
					if want := uint8(min(math.Round(delay), 63)); m.TA() != want && math.Abs(delay-math.Round(delay)) < 0.3 {
						taWrong++
					}
					var s36 [36]int8
					tdma.AccessData(&s36, (*[148]int8)(&soft))
					if got, _, ok := coding.DecodeRACH(&s36, bsic); ok && got == ra {
						dec++
					}
				}
			}
			pd, pdec := float64(det)/float64(n), float64(dec)/float64(n)
			rms := math.Sqrt(se / float64(max(det, 1)))
			t.Logf("Eb/N0 %4.1f dB: %d bursts over ToA 0..63.75, detected %.3f, RACH decoded %.3f, ToA RMS error %.3f symbols, TA wrong %d",
				c.ebn0, n, pd, pdec, rms, taWrong)
			if pd < c.minDetect {
				t.Errorf("detection probability = %.3f, want ≥ %.3f", pd, c.minDetect)
			}
			if pdec < c.minDecode {
				t.Errorf("RACH decoded = %.3f, want ≥ %.3f", pdec, c.minDecode)
			}
			if rms > c.maxRMS {
				t.Errorf("ToA RMS error = %.3f symbols, want ≤ %.3f", rms, c.maxRMS)
			}
			if taWrong > c.maxTAWrong {
				t.Errorf("TA wrong on %d bursts, want ≤ %d", taWrong, c.maxTAWrong)
			}
		})
	}
}

// TestAccessFalseAlarm: pure noise, white at the sample rate and band-
// limited to ±100 kHz (as a front end's channel filter leaves it), must
// rarely trigger access detection at the default threshold. Bursts of
// noise at any level give the same statistics (the correlation is
// normalised).
func TestAccessFalseAlarm(t *testing.T) {
	d := mustDemod(t, Config{})
	lp, err := filter.LowPass(63, 100e3/d.SampleRate(), 60, 1)
	if err != nil {
		t.Fatal(err)
	}
	fir := filter.NewFIR(filter.Float32(lp))
	r := rand.New(rand.NewPCG(12, 12))
	trials := 2500
	if testing.Short() {
		trials = 500
	}
	noise := make([]complex64, slotLen4+16+64)
	x := make([]complex64, len(noise))
	for _, kind := range []string{"white", "bandlimited"} {
		alarms := 0
		var maxCorr float32
		for i := 0; i < trials; i++ {
			for k := range noise {
				noise[k] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
			}
			w := noise[:slotLen4+16]
			if kind == "bandlimited" {
				fir.Filter(x, noise)
				w = x[64:]
			}
			var soft tdma.SoftBurst
			m, ok := d.Access(&soft, w)
			maxCorr = max(maxCorr, m.Corr)
			if ok {
				alarms++
			}
		}
		rate := float64(alarms) / float64(trials)
		t.Logf("%s noise: %d false alarms in %d slots (%.2g), highest correlation %.3f (threshold %.2f)", kind, alarms, trials, rate, maxCorr, d.Config().AccessThreshold)
		if rate > 1e-3 {
			t.Errorf("%s noise: false-alarm rate = %.2g, want ≤ 1e-3", kind, rate)
		}
	}
}

// TestNormalOnNoise: how often pure noise passes normal-burst detection
// (training correlation or C/I). It cannot be rare with a 26-bit training
// sequence; the channel decoder's CRC is the real judge. Logged and
// bounded.
func TestNormalOnNoise(t *testing.T) {
	d := mustDemod(t, Config{})
	r := rand.New(rand.NewPCG(13, 13))
	x := make([]complex64, slotLen4+16)
	const trials = 1000
	alarms := 0
	for i := 0; i < trials; i++ {
		for k := range x {
			x[k] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
		}
		var soft tdma.SoftBurst
		if _, ok := d.Normal(&soft, x, uint8(i&7)); ok {
			alarms++
		}
	}
	rate := float64(alarms) / trials
	t.Logf("normal-burst detection on noise: %d of %d slots (%.3f)", alarms, trials, rate)
	if rate > 0.02 {
		t.Errorf("normal-burst detection on noise = %.3f, want ≤ 0.02", rate)
	}
}
