package lime_test

import (
	"periph.io/x/conn/v3/physic"

	"testing"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
)

// The host calibration over USB: the LMS7002M driver runs on the fake
// board through LMS64C, the search loads the TX DC and IQ correctors,
// and the fake's model of those correctors in front of an impaired
// analog chain (LO leakage, Q gain and phase error) says how well they
// cancel it: LO leakage and image both below −40 dBc (the bring-up
// checklist's bound) from −10 to −26 dBc before.
func TestCalibrateTX(t *testing.T) {
	for _, imp := range []limetest.Impairment{
		{LOLeak: complex(0.08, -0.05), GainQ: 0.92, PhaseRad: 0.06},
		{LOLeak: complex(-0.03, 0.11), GainQ: 1.07, PhaseRad: -0.09},
		{LOLeak: complex(0.01, 0.01), GainQ: 1, PhaseRad: 0.02},
	} {
		fake := limetest.New(limetest.Config{Impairment: imp})
		b, err := lime.Open(fake, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := lms7002m.New(b.SPI(), &lms7002m.Opts{RefClock: 30720 * physic.KiloHertz})
		if err != nil {
			t.Fatal(err)
		}
		res, err := d.CalibrateTX(func(dst, src []complex64) error { fake.Loopback(dst, src); return nil })
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v: DC (%d, %d), IQ %+v; leakage %.1f -> %.1f dBc, image %.1f -> %.1f dBc, %d measurements",
			imp, res.DCI, res.DCQ, res.IQ, res.LeakBeforeDBc, res.LeakAfterDBc, res.ImageBeforeDBc, res.ImageAfterDBc, res.Measurements)
		if res.LeakAfterDBc > -40 || res.ImageAfterDBc > -40 {
			t.Errorf("after calibration: leakage %.1f dBc, image %.1f dBc; want both below -40", res.LeakAfterDBc, res.ImageAfterDBc)
		}
		fake.Close()
	}
}
