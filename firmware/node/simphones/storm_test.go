package simphones_test

import (
	"testing"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
)

// TestStormOnAir is the registration storm of issue #16 through the DSP:
// a village of TS 24.008-strict phones powers on at once in front of the
// default cell, on the simulated air with noise, fading offsets and
// colliding access bursts. Every phone registers within a minute of air.
// (The tier-2 storms in gsm/core and firmware/node/soak run 100 and 200
// phones; this one is kept small for the DSP's cost.)
func TestStormOnAir(t *testing.T) {
	if testing.Short() {
		t.Skip("the DSP storm takes a while")
	}
	const n = 24
	cfg := config.Default()
	ps, _, out := airPhones(t, cfg, n, 16, 75*1000*26/120, func(*simphones.Phones) bool { return false })
	worst := 0.0
	for _, r := range ps.Rows() {
		if !r.Registered() {
			t.Errorf("phone %d (%s): %s in %s, want registered", r.Phone, r.IMSI, r.Result, r.State)
			continue
		}
		worst = max(worst, r.AirTimeS)
	}
	t.Logf("%d phones on the default cell: slowest registered after %.1f s of air", n, worst)
	if worst > 60 {
		t.Errorf("slowest phone took %.1f s of air, want under 60 s", worst)
	}
	if t.Failed() {
		t.Log(out)
	}
}
