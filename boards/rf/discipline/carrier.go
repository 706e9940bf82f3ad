package discipline

import (
	"fmt"
	"math"
	"slices"
)

// Calibration is the result of CarrierCalibration.
type Calibration struct {
	// PPB is the estimated reference error (positive: the reference runs
	// fast), StdErrPPB its standard error.
	PPB, StdErrPPB float64
	// DACDelta is the code change that cancels PPB.
	DACDelta int
	// Used and Rejected count the estimates kept and the outliers dropped.
	Used, Rejected int
}

// Calibration limits: at least minEstimates kept estimates and a
// standard error under maxStdErrPPB, a fifth of the 50 ppb budget.
const (
	minEstimates = 8
	maxStdErrPPB = 10
)

// CarrierCalibration estimates the reference error from frequency-offset
// estimates of a received carrier of known frequency carrierHz, for sites
// without GPS. offsetsHz are apparent minus expected frequency as the DSP
// reports them (e.g. per FCCH burst of a neighbouring cell).
//
// The receiver's LO derives from the reference: a reference fast by y
// puts the LO at f(1+y), so the carrier appears at −y·f. Outliers (a
// burst from another cell, a bad estimate) are rejected beyond five
// scaled median absolute deviations from the median; the rest are
// averaged. ppbPerLSB is the trim DAC's slope.
func CarrierCalibration(offsetsHz []float64, carrierHz, ppbPerLSB float64) (Calibration, error) {
	if carrierHz <= 0 || ppbPerLSB == 0 {
		return Calibration{}, fmt.Errorf("%w: carrier %g Hz, %g ppb/LSB", ErrCalibration, carrierHz, ppbPerLSB)
	}
	xs := make([]float64, 0, len(offsetsHz))
	for _, x := range offsetsHz {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			xs = append(xs, x)
		}
	}
	if len(xs) < minEstimates {
		return Calibration{}, fmt.Errorf("%w: %d usable estimates, need %d", ErrCalibration, len(xs), minEstimates)
	}
	med := median(xs)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - med)
	}
	mad := 1.4826 * median(dev)
	var sum, sum2 float64
	n := 0
	for _, x := range xs {
		if math.Abs(x-med) <= 5*mad || mad == 0 && x == med {
			sum += x
			sum2 += x * x
			n++
		}
	}
	c := Calibration{Used: n, Rejected: len(offsetsHz) - n}
	if n < minEstimates {
		return c, fmt.Errorf("%w: %d estimates left after rejecting outliers, need %d", ErrCalibration, n, minEstimates)
	}
	mean := sum / float64(n)
	sd := math.Sqrt(math.Max(0, (sum2-float64(n)*mean*mean)/float64(n-1)))
	c.PPB = -mean / carrierHz * 1e9
	c.StdErrPPB = sd / math.Sqrt(float64(n)) / carrierHz * 1e9
	c.DACDelta = int(math.Round(-c.PPB / ppbPerLSB))
	if c.StdErrPPB > maxStdErrPPB {
		return c, fmt.Errorf("%w: standard error %.1f ppb above %d ppb; collect more estimates", ErrCalibration, c.StdErrPPB, maxStdErrPPB)
	}
	return c, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
