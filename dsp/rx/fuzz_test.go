package rx

import (
	"math"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// FuzzDemodulate feeds arbitrary samples (complex64, native float32 pairs
// little-endian, as in an IQ file) to every entry point: none may panic,
// every soft bit stays in −127..127 and every measurement is finite. The
// first byte picks the training sequence and a scale.
func FuzzDemodulate(f *testing.F) {
	d := mustDemod(f, Config{})
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0x7f})
	x := make([]complex64, 0, 700)
	f.Fuzz(func(t *testing.T, b []byte) {
		var sel byte
		if len(b) > 0 {
			sel, b = b[0], b[1:]
		}
		x = x[:len(b)/iq.BytesPerSample]
		iq.Decode(x, b)
		if sel&0x80 != 0 { // stretch a short input over a whole slot
			for len(x) > 0 && len(x) < 650 {
				x = append(x, x[:min(len(x), 650-len(x))]...)
			}
		}
		var soft tdma.SoftBurst
		check := func(name string, m Meas, ok bool) {
			for _, v := range []float32{m.ToA, m.RSSI, m.CI, m.FreqOffset, m.Corr} {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s(%d samples) = %+v, want finite measurements", name, len(x), m)
				}
			}
			if !ok {
				for _, s := range soft {
					if s != 0 {
						t.Fatalf("%s(%d samples) not ok but soft bits set", name, len(x))
					}
				}
			}
			for _, s := range soft {
				if s < -127 {
					t.Fatalf("%s: soft bit %d outside −127..127", name, s)
				}
			}
		}
		m, ok := d.Normal(&soft, x, sel&7)
		check("Normal", m, ok)
		m, ok = d.SCH(&soft, x)
		check("SCH", m, ok)
		m, ok = d.Access(&soft, x)
		check("Access", m, ok)
		if r, ok := d.FCCH(x); ok {
			if math.IsNaN(r.FreqOffset) || math.IsNaN(r.Purity) || math.IsNaN(r.RSSI) || math.IsInf(r.RSSI, 0) {
				t.Fatalf("FCCH(%d samples) = %+v, want finite", len(x), r)
			}
		}
	})
}
