package rf

import (
	"errors"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The clock sources: none refuses keying in the operator's words; a
// calibration from cells keys; the source shown is the strongest (the
// override, then GPS, then cells); withdrawing the last source while
// keyed trips the PA (clock-lost), but not while another still vouches.
func TestGuardClockSources(t *testing.T) {
	g, hw, _, _ := newTestGuard(t, tdma.GSM900, 27)
	if err := g.TuneARFCN(62); err != nil {
		t.Fatal(err)
	}
	g.SetClockDetail("acquiring, +120.0 ppb ±300.0")
	err := g.KeyUp()
	if !errors.Is(err, ErrNoClockReference) || !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "connect GPS, or put the box in range of a GSM cell, or set [radio] clock_override = true") || !strings.Contains(err.Error(), "acquiring") {
		t.Errorf("KeyUp() with no clock = %v", err)
	}
	if s := g.Status(); s.ClockSource != ClockSourceNone || !strings.HasPrefix(s.ClockDetail, NoClockReference) {
		t.Errorf("Status() clock %v %q, want none", s.ClockSource, s.ClockDetail)
	}
	g.SetClockCalibrated(true, "cells ARFCN 20")
	if err := g.KeyUp(); err != nil || !hw.pa {
		t.Fatalf("KeyUp() calibrated = %v, PA %v", err, hw.pa)
	}
	if s := g.Status(); s.ClockSource != ClockSourceCells || s.ClockDetail != "cells ARFCN 20" {
		t.Errorf("Status() clock %v %q, want calibrated-from-cells", s.ClockSource, s.ClockDetail)
	}
	g.SetClockOK(true)
	if s := g.Status(); s.ClockSource != ClockSourceGPS {
		t.Errorf("Status() clock %v, want gps-disciplined over cells", s.ClockSource)
	}
	g.SetClockCalibrated(false, "")
	if s := g.Status(); s.State == TXTripped {
		t.Errorf("withdrawing the calibration while GPS vouches tripped the PA")
	}
	g.SetClockOK(false)
	if s := g.Status(); s.State != TXTripped || s.LastTrip != TripClockLost || hw.pa {
		t.Errorf("losing the last clock source while keyed: %v %v, PA %v; want a clock-lost trip", s.State, s.LastTrip, hw.pa)
	}
	g.SetOverride(true)
	if s := g.Status(); s.ClockSource != ClockSourceOverride {
		t.Errorf("Status() clock %v, want override", s.ClockSource)
	}
}
