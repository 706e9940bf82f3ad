package spectrum

import "math"

// MaskPoint is one corner of a spectrum mask: at offsets ≥ Offset (Hz)
// the limit is Limit dB relative to the carrier measurement.
type MaskPoint struct {
	Offset float64
	Limit  float64
}

// ModulationMaskBTS900 is the spectrum-due-to-modulation mask of TS 45.005
// §4.2.1.1 table a) for a GSM 400/700/850/900 BTS at 43 dBm or more (the
// strictest row), in dB relative to the power in 30 kHz at the carrier.
// Between 100 and 600 kHz the limit is interpolated linearly between the
// listed points; beyond, it steps.
var ModulationMaskBTS900 = []MaskPoint{
	{0, 0.5},
	{100e3, 0.5},
	{200e3, -30},
	{250e3, -33},
	{400e3, -60},
	{600e3, -70},
	{1200e3, -73},
	{1800e3, -75},
	{6000e3, -80},
}

// SwitchingMaskBTS is the spectrum-due-to-switching-transients mask of TS
// 45.005 §4.2.2 for a BTS, in dBc (peak hold in 30 kHz relative to the
// carrier's peak power).
var SwitchingMaskBTS = []MaskPoint{
	{400e3, -57},
	{600e3, -67},
	{1200e3, -74},
	{1800e3, -74},
}

// Limit returns the mask's limit at |offset|: linear interpolation between
// the points up to 600 kHz, steps from there on (TS 45.005 §4.2.1.1). For
// offsets below the first point it returns +Inf (no limit).
func Limit(mask []MaskPoint, offset float64) float64 {
	f := math.Abs(offset)
	if len(mask) == 0 || f < mask[0].Offset {
		return math.Inf(1)
	}
	for i := len(mask) - 1; i >= 0; i-- {
		p := mask[i]
		if f < p.Offset {
			continue
		}
		if i+1 < len(mask) && mask[i+1].Offset <= 600e3 {
			q := mask[i+1]
			return p.Limit + (q.Limit-p.Limit)*(f-p.Offset)/(q.Offset-p.Offset)
		}
		return p.Limit
	}
	return math.Inf(1)
}

// RBW returns the resolution bandwidth TS 45.005 §4.2.1 uses at an offset:
// 30 kHz below 1800 kHz, 100 kHz from there on.
func RBW(offset float64) float64 {
	if math.Abs(offset) >= 1800e3 {
		return 100e3
	}
	return 30e3
}

// TimeMask returns the power-versus-time limits of TS 45.005 Annex B
// (figure B.1, normal-duration bursts) at time t seconds from the start of
// the useful part, for a useful part lasting useful seconds: the upper
// limit in dB relative to the useful part's power, and the lower limit
// (−Inf where there is none).
func TimeMask(t, useful float64) (upper, lower float64) {
	// Distance outside the useful part, in µs (negative inside).
	var d float64
	switch {
	case t < 0:
		d = -t * 1e6
	case t > useful:
		d = (t - useful) * 1e6
	default:
		return 1, -1
	}
	switch {
	case d <= 10:
		return 4, math.Inf(-1)
	case d <= 18:
		return -6, math.Inf(-1)
	case d <= 28:
		return -30, math.Inf(-1)
	}
	return -59, math.Inf(-1)
}
