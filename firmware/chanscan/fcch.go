package chanscan

import (
	"fmt"
	"math"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/rx"
)

// FCCHOffsets measures the carrier frequency offset of every frequency
// correction burst in s from timestamp at, over frames TDMA frames, the
// receiver tuned to a GSM cell's BCCH carrier. The FCCH (TS 45.002
// §5.2.4: tail and fixed bits all zero; on
// TN0 of frames 0, 10, 20, 30 and 40 of the 51-multiframe, §6.3.1.3) is
// a pure tone 1625/24 kHz above the carrier (TS 45.004 §2.6), so each
// burst gives the offset of the cell's carrier as this receiver sees it:
// the cell's own error (within 0.05 ppm, TS 45.010 §5.1) minus this
// board's reference error times the carrier. The offsets are in Hz,
// apparent minus expected, one per burst found.
//
// It reads two frames at a time, advancing one frame, so every burst
// lies wholly in some window, and measures a burst only there; a burst
// found twice is counted once. A
// tone is kept only when another one follows or precedes it by 10 or 11
// frames, the FCCH's spacing in the 51-multiframe: a continuous carrier
// (which the detector's four-symbol lag cannot tell from the FCCH tone,
// a full turn apart) is heard in every frame and is dropped.
func FCCHOffsets(s radio.Stream, at radio.Timestamp, sps, frames int) ([]float64, error) {
	if frames < 2 {
		return nil, fmt.Errorf("%w: %d frames", ErrConfig, frames)
	}
	dem, err := rx.NewDemodulator(rx.Config{Config: gmsk.Config{SPS: sps}})
	if err != nil {
		return nil, err
	}
	fl := int(math.Round(s.SampleRate() * 120 / 26 / 1000))
	win := make([]complex64, 2*fl)
	if _, _, err := s.Read(win[:fl], at); err != nil {
		return nil, err
	}
	type tone struct {
		at  radio.Timestamp
		off float64
	}
	var found []tone
	last := radio.Timestamp(math.MinInt64 / 2)
	for i := 1; i < frames; i++ {
		ts := at + radio.Timestamp(i*fl)
		if _, _, err := s.Read(win[fl:], ts); err != nil {
			return nil, err
		}
		// Only a burst wholly inside the window, with a margin, is
		// measured: one cut by the window's end gives a biased tone
		// (the next window holds it whole).
		if res, ok := dem.FCCH(win); ok && res.Start >= 8*sps && res.Start+156*sps <= len(win) {
			start := ts - radio.Timestamp(fl) + radio.Timestamp(res.Start)
			if d := start - last; d > radio.Timestamp(fl/2) || d < -radio.Timestamp(fl/2) {
				found = append(found, tone{start, res.FreqOffset})
				last = start
			}
		}
		copy(win[:fl], win[fl:])
	}
	tol := radio.Timestamp(8 * sps)
	spaced := func(a, b radio.Timestamp) bool {
		d := b - a
		for _, k := range []radio.Timestamp{10, 11} {
			if e := d - k*radio.Timestamp(fl); e > -tol && e < tol {
				return true
			}
		}
		return false
	}
	var out []float64
	for i, x := range found {
		ok := false
		for _, y := range found[max(i-3, 0):min(i+4, len(found))] {
			if spaced(x.at, y.at) || spaced(y.at, x.at) {
				ok = true
				break
			}
		}
		if ok {
			out = append(out, x.off)
		}
	}
	return out, nil
}
